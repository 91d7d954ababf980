import Foundation
import Testing
import SwellTestSupport

/// A tmux server of one test's own (its socket in the test's folder), ended by `stop()`.
struct Tmux {
    let socket: String
    /// The server's TMPDIR, which the commands in its panes get.
    let folder: String
    static let program = ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }

    init(in folder: String) {
        self.folder = folder
        socket = folder + "/tmux.socket"
    }

    /// Through python, which first closes every descriptor but the standard three and gives
    /// signals back their defaults: the server a client starts would otherwise keep the
    /// descriptor by which Foundation sees the client end (so the client never counts as ended),
    /// and the test runner's blocked signals (so that kill-server would wait forever for its
    /// panes to end).
    func callAsFunction(_ arguments: String...) async throws -> String {
        let clean = """
            import os, signal, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGCHLD, signal.SIGPIPE):
                signal.signal(s, signal.SIG_DFL)
            os.closerange(3, 65536)
            os.execv(sys.argv[1], sys.argv[1:])
            """
        return try await run("/usr/bin/python3", ["-c", clean, Tmux.program!, "-S", socket, "-f", "/dev/null"] + arguments,
                             environment: ["TMPDIR": folder], timeout: .seconds(20)).stdout
    }

    /// The pane as it shows now, one string per row, without trailing blanks.
    func screen() async throws -> [String] {
        try await self("capture-pane", "-p", "-t", "t").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func stop() async { _ = try? await self("kill-server") }
}

@Suite(.serialized) struct TerminalTests {
    /// In a real terminal, `swell run` shows one line per running stage with a bar and its
    /// counts, keeps every line within the terminal's width, follows a resize without leaving
    /// pieces of the old block, keeps stdout clean, and ends with plain lines and no block.
    @Test func aTerminalShowsABlockThatFollowsAResizeAndEndsClean() async throws {
        guard Tmux.program != nil else {
            Issue.record("tmux is not installed (scripts/setup installs it)")
            return
        }
        let work = Scratch()
        defer { work.remove() }
        _ = work.write("plan.yaml", """
            name: terminal
            shell: [bash, -c]
            stages:
              - id: items
                run: seq 1 60
              - id: work
                partition: { lines-of: items }
                # The first 20 end at once (7 fails once), the others wait for the test's word.
                run: |
                  if [ {scope} -gt 20 ]; then while [ ! -e go ]; do sleep 0.05; done; fi
                  echo item {scope}; [ $SWELL_ATTEMPT -gt 1 ] || [ {scope} -ne 7 ] || exit 3
                retries: 1
                timeout: 90s
                synthesize: sort -n -k2

            """)
        let tmux = Tmux(in: work.path)
        let command = "cd '\(work.path)' && '\(Binaries.path("swell"))' run plan.yaml --state state > out.txt; echo EXIT=$?; exec sleep 120"
        _ = try await tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "30", command)
        // The server goes whatever the checks find (a defer cannot wait for it).
        let checked = await Task { try await checkTheBlock(tmux) }.result
        await tmux.stop()
        try checked.get()
        #expect(work.read("out.txt") == (1...60).map { "item \($0)\n" }.joined(), "stdout holds the output only")
    }

    private func checkTheBlock(_ tmux: Tmux) async throws {
        do {
            var wide: [String] = []
            #expect(try await eventually(.seconds(60)) {
                wide = try await tmux.screen()
                return wide.contains { $0.hasPrefix("work  [") && $0.contains("running") }
            }, "\(wide.joined(separator: "\n"))")
            #expect(wide.allSatisfy { $0.count <= 99 }, "\(wide.joined(separator: "\n"))")

            _ = try await tmux("resize-window", "-t", "t", "-x", "44")
            var narrow: [String] = []
            #expect(try await eventually(.seconds(30)) {
                narrow = try await tmux.screen()
                let block = narrow.filter { $0.hasPrefix("work  ") }
                return block.count == 1 && block[0].count <= 43 && !block[0].contains("[")
            }, "\(narrow.joined(separator: "\n"))")

            _ = FileManager.default.createFile(atPath: tmux.folder + "/go", contents: nil)
            var end: [String] = []
            #expect(try await eventually(.seconds(60)) {
                end = try await tmux.screen()
                return end.contains("EXIT=0")
            }, "\(end.joined(separator: "\n"))")
            let text = end.joined(separator: "\n")
            #expect(!end.contains { $0.hasPrefix("work  ") }, "the block is gone: \(text)")
            #expect(!text.contains("\u{1B}"))
            // The retried task's first attempt shows, and the stage's line says it was retried
            // (the terminal is 44 columns wide now: lines wrap).
            #expect(text.replacingOccurrences(of: "\n", with: "").contains("1 retried in"), "\(text)")
        }
    }

    /// `--progress none` says nothing of a run that goes well, and `plain` draws nothing.
    @Test func progressNoneIsSilentAndPlainMovesNoCursor() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("plan.yaml", "name: quiet\nstages:\n  - id: a\n    run: echo hi\n")
        let quiet = try await swell(["run", plan, "--state", work.path + "/state", "--progress", "none"])
        #expect(quiet.status == 0)
        #expect(quiet.stdout == "hi\n")
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        let forced = try await swell(["run", plan, "--state", work.path + "/state", "--progress", "tty"])
        #expect(forced.stdout == "hi\n")
        #expect(forced.stderr.contains("run ") && forced.stderr.contains("succeeded"))
        let bad = try await swell(["run", plan, "--progress", "bar"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("tty") && bad.stderr.contains("plain") && bad.stderr.contains("none"), "\(bad.stderr)")
    }
}
