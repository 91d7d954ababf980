import Foundation
import Testing
import SwellTestSupport

/// `swell report`, as a browser shows it: headless Chromium loads the file and prints its DOM,
/// and what the DOM says is checked against the journal (`swell logs --json`).
@Suite struct ReportTests {
    /// A plan with a retried task, a task that fails for good (stderr with markup and bytes that
    /// are not UTF-8) and a dependent stage.
    static let plan = """
        name: report-check
        stages:
          - id: list
            run: seq 1 40
          - id: work
            needs: [list]
            partition: { lines-of: list }
            retries: 1
            on-failure: continue
            run: |
              if [ {scope} = 7 ]; then printf 'boom </pre><script>alert(1)</script> \\377\\376\\n' >&2; exit 3; fi
              if [ {scope} = 11 ] && [ ! -e flag-{run} ]; then touch flag-{run}; exit 1; fi
              echo {scope}
          - id: total
            needs: [work]
            run: wc -l
        """

    @Test func theReportOfAnEmbeddedRunShowsWhatItsJournalHas() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("plan.yaml", Self.plan)
        let state = work.path + "/state"
        let ran = try await swell(["run", plan, "--state", state, "--json"], in: work.path)
        #expect(ran.status == 1, "\(ran.stderr)")
        let run = try #require(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])["run"] as? String
        let id = try #require(run)

        let report = try await swell(["report", id, "--state", state, "-o", work.path + "/report.html"], in: work.path)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stderr.contains("wrote \(work.path)/report.html"), "\(report.stderr)")
        let logs = try await swell(["logs", id, "--state", state, "--json"])
        try await Self.check(file: work.path + "/report.html", run: id, status: "failed", logs: logs.stdout, scratch: work)

        // Without -o, the file is named after the run, in the current folder.
        let named = try await swell(["report", id, "--state", state], in: work.path)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(FileManager.default.fileExists(atPath: work.path + "/swell-report-\(id).html"))
        // -o - writes the page to stdout.
        let piped = try await swell(["report", id, "--state", state, "-o", "-"], in: work.path)
        #expect(piped.stdout.hasPrefix("<!DOCTYPE html>") && piped.stdout.hasSuffix("</html>\n"))
    }

    @Test func theReportOfAClusterRunComesFromItsCoordinatorInPages() async throws {
        let work = Scratch()
        defer { work.remove() }
        // More attempts than one brief page holds (2,000).
        let plan = work.write("many.yaml", """
            name: many
            stages:
              - id: list
                run: seq 1 2100
              - id: each
                needs: [list]
                partition: { lines-of: list }
                on-failure: continue
                run: "[ {scope} != 2042 ]"
            """)
        let cluster = try await LocalCluster(nodes: 2, workdir: work.path)
        defer { cluster.stop() }
        let ran = try await swell(["run", plan, "--coordinator", cluster.endpoint, "--json", "--progress", "none"], in: work.path)
        #expect(ran.status == 1, "\(ran.stderr)")
        let id = try #require(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])["run"] as? String
        let run = try #require(id)
        let report = try await swell(["report", run, "--coordinator", cluster.endpoint, "-o", work.path + "/many.html"])
        #expect(report.status == 0, "\(report.stderr)")
        let logs = try await swell(["logs", run, "--coordinator", cluster.endpoint, "--json"])
        let dom = try await Self.check(file: work.path + "/many.html", run: run, status: "failed", logs: logs.stdout, scratch: work)
        #expect(dom.contains("data-node=\"n1\"") && dom.contains("data-node=\"n2\""))
        #expect(dom.contains("each[2041] 2042"))
    }

    @Test func aReportCutShortRemovesTheFileItMadeAndSaysWhatAnOldOneHolds() async throws {
        // Cut short by a file size limit of 64 KiB (as by a full disk): the journal's own files
        // stay under it (the run is only read), the report of 2,000 tasks does not.
        let work = Scratch()
        defer { work.remove() }
        let state = work.path + "/state"
        let items = (1...2_000).map { "i\($0)" }.joined(separator: ", ")
        let plan = work.write("many.yaml", "name: many\nstages:\n  - id: a\n    partition: { items: [\(items)] }\n    run: 'true'\n")
        let ran = try await swell(["run", plan, "--state", state, "--json"])
        #expect(ran.status == 0, "\(ran.stderr)")
        let id = try #require(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])["run"] as? String
        let run = try #require(id)
        let limited = ["--fsize=65536", "--", Binaries.path("swell"), "report", run, "--state", state, "-o"]
        let cut = try await IntegrationTests.run("/usr/bin/prlimit", limited + [work.path + "/cut.html"], in: "/")
        #expect(cut.status == 1 && cut.stderr.contains("cannot write the report to \(work.path)/cut.html: File too large"), "\(cut.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/cut.html"))
        let existing = work.write("old.html", "old")
        let kept = try await IntegrationTests.run("/usr/bin/prlimit", limited + [existing], in: "/")
        #expect(kept.status == 1 && kept.stderr.contains("File too large; it holds the first 65536 of the report's"), "\(kept.stderr)")
        #expect((try? FileManager.default.attributesOfItem(atPath: existing)[.size] as? Int) == 65_536)
        // Under 32 KiB the journal's own shared-memory file cannot be made: the error says why.
        let tiny = try await IntegrationTests.run("/usr/bin/prlimit", ["--fsize=8192", "--", Binaries.path("swell"), "report", run,
                                                                      "--state", state, "-o", work.path + "/tiny.html"], in: "/")
        #expect(tiny.status == 1 && tiny.stderr.contains("a file size limit is set (ulimit -f: 8192 bytes)"), "\(tiny.stderr)")
        // Through a link to a file that is not there yet: the file made is removed, the link stays.
        try FileManager.default.createSymbolicLink(atPath: work.path + "/link.html", withDestinationPath: "made.html")
        let linked = try await IntegrationTests.run("/usr/bin/prlimit", limited + [work.path + "/link.html"], in: "/")
        #expect(linked.status == 1 && linked.stderr.contains("File too large; the file was removed"), "\(linked.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/made.html"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: work.path + "/link.html")) == "made.html")
        // Such a link into the journal folder is refused like a path there.
        try FileManager.default.createSymbolicLink(atPath: work.path + "/into.html", withDestinationPath: "state/x.html")
        let into = try await swell(["report", run, "--state", state, "-o", work.path + "/into.html"])
        #expect(into.status == 2 && into.stderr.contains("it is in the journal folder"), "\(into.stderr)")
        #expect(!FileManager.default.fileExists(atPath: state + "/x.html"))
    }

    @Test func mistakesGetClearErrors() async throws {
        let work = Scratch()
        defer { work.remove() }
        let state = work.path + "/state"
        let plan = work.write("one.yaml", "name: one\nstages:\n  - id: a\n    run: echo hi\n")
        let ran = try await swell(["run", plan, "--state", state, "--json"])
        let id = try #require(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])["run"] as? String
        let run = try #require(id)

        let unknown = try await swell(["report", "20990101-000000-beef", "--state", state])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no run 20990101-000000-beef in"), "\(unknown.stderr)")
        let noJournal = try await swell(["report", run, "--state", work.path + "/nowhere"])
        #expect(noJournal.status == 2 && noJournal.stderr.contains("no journal at"), "\(noJournal.stderr)")
        let unwritable = try await swell(["report", run, "--state", state, "-o", work.path + "/missing/r.html"])
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.contains("cannot write the report to \(work.path)/missing/r.html: No such file or directory"),
                "\(unwritable.stderr)")
        // A folder gets the report under its usual name, as cp puts a file in a folder; a name
        // ending in / that is no folder is refused before anything is read.
        try FileManager.default.createDirectory(atPath: work.path + "/reports", withIntermediateDirectories: false)
        for folder in [work.path + "/reports", work.path + "/reports/"] {
            let into = try await swell(["report", run, "--state", state, "-o", folder])
            #expect(into.status == 0 && into.stderr.contains("wrote \(work.path)/reports/swell-report-\(run).html"), "\(into.stderr)")
        }
        #expect(work.read("reports/swell-report-\(run).html").hasPrefix("<!DOCTYPE html>"))
        let noFolder = try await swell(["report", run, "--state", state, "-o", work.path + "/new/"])
        #expect(noFolder.status == 2 && noFolder.stderr.contains("cannot write the report to \(work.path)/new/: there is no such folder"),
                "\(noFolder.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/new"))
        _ = work.write("plain", "x")
        let underFile = try await swell(["report", run, "--state", state, "-o", work.path + "/plain/"])
        #expect(underFile.status == 2 && underFile.stderr.contains("/plain/: it is a file, not a folder"), "\(underFile.stderr)")
        // A loop of symbolic links says so (before, it was "no such folder").
        #expect(symlink(work.path + "/loopB", work.path + "/loopA") == 0 && symlink(work.path + "/loopA", work.path + "/loopB") == 0)
        let loop = try await swell(["report", run, "--state", state, "-o", work.path + "/loopA/"])
        #expect(loop.status == 2 && loop.stderr.contains("/loopA/: it is a loop of symbolic links; make the folder first"), "\(loop.stderr)")
        // FILE/. and NEW/. name folders too: the file is left as it was, and nothing is made.
        let dotOfFile = try await swell(["report", run, "--state", state, "-o", work.path + "/plain/."])
        #expect(dotOfFile.status == 2 && dotOfFile.stderr.contains("/plain/.: it is a file, not a folder"), "\(dotOfFile.stderr)")
        #expect(work.read("plain") == "x")
        let dotOfNew = try await swell(["report", run, "--state", state, "-o", work.path + "/none/."])
        #expect(dotOfNew.status == 2 && dotOfNew.stderr.contains("/none/.: there is no such folder"), "\(dotOfNew.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/none"))
        let belowFile = try await swell(["report", run, "--state", state, "-o", work.path + "/plain/sub/"])
        #expect(belowFile.status == 2 && belowFile.stderr.contains("/plain/sub/: a part of it is a file, not a folder"), "\(belowFile.stderr)")
        // The path is shown as written, its controls made visible.
        let odd = try await swell(["report", run, "--state", state, "-o", work.path + "/odd\nname\u{1B}.html"])
        #expect(odd.status == 0 && odd.stderr.contains("wrote \(work.path)/odd\\nname^[.html: run"), "\(odd.stderr)")
        // A FIFO is written to, as by a shell's `>` (before, the check for a database opened it
        // for reading first, and waited for ever for a writer).
        #expect(mkfifo(work.path + "/fifo", 0o600) == 0)
        let reader = try Background("/bin/cat", [work.path + "/fifo"], log: work.path + "/fifo.out", name: "reader")
        defer { reader.kill9() }
        let piped = try await swell(["report", run, "--state", state, "-o", work.path + "/fifo"], timeout: .seconds(30))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(await eventually { !reader.process.isRunning })
        #expect(work.read("fifo.out").hasPrefix("<!DOCTYPE html>"))
        // A closed stdout says so (before, another descriptor had taken its number).
        let closed = try await IntegrationTests.run("/bin/sh", ["-c", "exec \"$0\" \"$@\" >&-", Binaries.path("swell"),
                                                                "report", run, "--state", state, "-o", "-"])
        #expect(closed.status == 1 && closed.stderr.contains("cannot write to stdout: it was closed when swell started"), "\(closed.stderr)")

        // -o never replaces the journal, nor a copy of it.
        for target in [state + "/journal.sqlite", state + "/r.html", state] {
            let over = try await swell(["report", run, "--state", state, "-o", target])
            #expect(over.status == 2 && over.stderr.contains("it is in the journal folder"), "\(over.stderr)")
        }
        try FileManager.default.copyItem(atPath: state + "/journal.sqlite", toPath: work.path + "/copy.sqlite")
        let copy = try await swell(["report", run, "--state", state, "-o", work.path + "/copy.sqlite"])
        #expect(copy.status == 2 && copy.stderr.contains("it is an SQLite database"), "\(copy.stderr)")
        #expect(try await swell(["status", "--state", state]).status == 0)

        // -o writes into the file named: through a symlink, keeping an existing file's mode.
        _ = work.write("real.html", "old")
        try FileManager.default.createSymbolicLink(atPath: work.path + "/link.html", withDestinationPath: work.path + "/real.html")
        #expect(chmod(work.path + "/real.html", 0o600) == 0)
        let linked = try await swell(["report", run, "--state", state, "-o", work.path + "/link.html"])
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: work.path + "/link.html") == work.path + "/real.html")
        #expect(work.read("real.html").hasPrefix("<!DOCTYPE html>"))
        #expect(try FileManager.default.attributesOfItem(atPath: work.path + "/real.html")[.posixPermissions] as? Int == 0o600)
        let both = try await swell(["report", run, "--state", state, "--coordinator", "tcp://127.0.0.1:9"])
        #expect(both.status == 2 && both.stderr.contains("give one"), "\(both.stderr)")

        let cluster = try await LocalCluster(nodes: 1, workdir: work.path)
        defer { cluster.stop() }
        let remote = try await swell(["report", run, "--coordinator", cluster.endpoint])
        #expect(remote.status == 2)
        #expect(remote.stderr.contains(run), "\(remote.stderr)")
    }

    /// Loads `file` in headless Chromium and checks its DOM against the run's reports: the
    /// run's status, each stage's counts, one bar per attempt coloured by its outcome, the
    /// failures; and that no task's text became markup. Returns the DOM.
    @discardableResult
    static func check(file: String, run: String, status: String, logs: String, scratch: Scratch) async throws -> String {
        let dom = try await Self.dom(of: file, scratch: scratch)
        #expect(dom.contains("<main id=\"report\" data-run=\"\(run)\" data-status=\"\(status)\""))
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.utf8)) as? [[String: Any]])

        // A task's last attempt is final; the ones before it were retried.
        struct Task: Hashable { var stage: String; var index: Int }
        var last: [Task: [String: Any]] = [:]
        for report in reports {
            let task = Task(stage: report["stage"] as! String, index: report["index"] as! Int)
            if (last[task]?["attempt"] as? Int ?? 0) < report["attempt"] as! Int { last[task] = report }
        }
        for stage in Set(reports.map { $0["stage"] as! String }) {
            let finals = last.filter { $0.key.stage == stage && $0.key.index >= 0 }.map(\.value)
            let succeeded = finals.filter { $0["succeeded"] as? Bool == true }.count
            let attempts = reports.filter { $0["stage"] as? String == stage }.count
            let row = try #require(attribute(row: "tr data-stage=\"\(stage)\"", in: dom), "no row for stage \(stage)")
            #expect(row["data-tasks"] == String(finals.count), "\(stage): \(row)")
            #expect(row["data-succeeded"] == String(succeeded), "\(stage): \(row)")
            #expect(row["data-failed"] == String(finals.count - succeeded), "\(stage): \(row)")
            #expect(row["data-attempts"] == String(attempts), "\(stage): \(row)")
        }
        let bars = count("<rect class=\"a ", in: dom)
        #expect(bars == reports.count, "one bar per attempt")
        let retried = reports.count - last.count
        #expect(count("<rect class=\"a retried", in: dom) == retried)
        let failed = last.values.filter { $0["succeeded"] as? Bool != true }.count
        #expect(count("<rect class=\"a failed", in: dom) == failed)
        #expect(dom.contains("<section id=\"failures\" data-count=\"\(failed)\""))
        #expect(dom.contains("data-figure=\"succeeded\" data-value=\"\(last.values.filter { $0["succeeded"] as? Bool == true }.count)\""))
        #expect(!dom.contains("<script"), "a task's stderr became markup")
        return dom
    }

    /// The DOM Chromium builds from `file`.
    static func dom(of file: String, scratch: Scratch) async throws -> String {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let program = try #require(chromium, "headless Chromium is needed: apt-get install chromium (scripts/setup does)")
        let loaded = try await IntegrationTests.run(program, [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(scratch.path)/chromium",
            "--dump-dom", URL(fileURLWithPath: file).absoluteString,
        ], timeout: .seconds(90))
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout.contains("</html>"), "\(loaded.stderr)")
        return loaded.stdout
    }

    /// The attributes of the element that starts with `<start`.
    static func attribute(row start: String, in dom: String) -> [String: String]? {
        guard let begin = dom.range(of: "<" + start), let end = dom[begin.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = String(dom[begin.lowerBound..<end])
        var attributes: [String: String] = [:]
        let pattern = try! NSRegularExpression(pattern: #"([a-z-]+)="([^"]*)""#)
        for match in pattern.matches(in: tag, range: NSRange(tag.startIndex..., in: tag)) {
            attributes[String(tag[Range(match.range(at: 1), in: tag)!])] = String(tag[Range(match.range(at: 2), in: tag)!])
        }
        return attributes
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
}
