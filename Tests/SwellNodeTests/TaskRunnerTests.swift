import Foundation
import Testing
@testable import SwellNode
import SwellTestSupport

func execution(_ script: String, stdin: String = "", timeout: Duration? = nil, cap: Int = 1 << 20, tail: Int = 64 << 10,
               env: [String: String] = [:]) -> TaskExecution {
    TaskExecution(argv: ["/bin/sh", "-c", script], environment: env, workingDirectory: NSTemporaryDirectory(),
                  stdin: Data(stdin.utf8), timeout: timeout, outputCap: cap, stderrTail: tail)
}

/// True once the process is gone or a zombie.
func isGone(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    // The state follows the command in parentheses: "pid (comm) S ...".
    guard let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}

@Suite struct TaskRunnerTests {
    @Test func exitStatusOutputAndStderrAreCaptured() async {
        let outcome = await TaskRunner.run(execution("echo out; echo err >&2; exit 3"))
        #expect(outcome.exitCode == 3)
        #expect(outcome.signal == nil)
        #expect(!outcome.timedOut)
        #expect(outcome.error == nil)
        #expect(outcome.stdout == Data("out\n".utf8))
        #expect(outcome.stderrTail == Data("err\n".utf8))
        #expect(outcome.endedAt >= outcome.startedAt)
    }

    @Test func stdinAndEnvironmentReachTheTask() async {
        let outcome = await TaskRunner.run(execution("cat; echo \"$SWELL_SCOPE|$PATH_SET\"", stdin: "from needs\n",
                                                     env: ["SWELL_SCOPE": "a b", "PATH_SET": "\(ProcessInfo.processInfo.environment["PATH"] != nil)"]))
        #expect(String(decoding: outcome.stdout, as: UTF8.self) == "from needs\na b|true\n")
    }

    @Test func aFetchedInputReachesEachTaskWholeAndNoTaskCanChangeIt() async throws {
        let file = NSTemporaryDirectory() + "input-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let text = String(repeating: "0123456789", count: 300_000)   // 3 MB
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        // (Without blocking: a task that fills its own stdin pipe would wait for itself.)
        var writer = execution("dd if=/dev/zero of=/dev/stdin bs=1 count=10 conv=notrunc oflag=nonblock 2>/dev/null; wc -c")
        writer.stdinFile = file
        _ = await TaskRunner.run(writer)
        var reader = execution("wc -c")
        reader.stdinFile = file
        let outcome = await TaskRunner.run(reader)
        #expect(String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "3000000")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data(text.utf8))
        // An input that cannot be read is an error that names it.
        var missing = execution("cat")
        missing.stdinFile = file + "-gone"
        let failed = await TaskRunner.run(missing)
        #expect(failed.error?.description.contains("cannot read the task's input \(file)-gone") == true)
    }

    @Test func aTaskThatIgnoresLargeStdinStillEnds() async {
        let outcome = await TaskRunner.run(execution("exit 0", stdin: String(repeating: "x", count: 4 << 20)))
        #expect(outcome.exitCode == 0)
    }

    @Test func aTimeoutKillsTheWholeProcessGroup() async throws {
        let pidFile = NSTemporaryDirectory() + "grandchild-\(UUID()).pid"
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let outcome = await TaskRunner.run(execution("sleep 30 & echo $! > \(pidFile); sleep 30", timeout: .milliseconds(300)))
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGKILL)
        #expect(outcome.endedAt - outcome.startedAt < 20, "a 300 ms timeout; the task sleeps 30 s")
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { isGone(pid) }, "the background grandchild \(pid) survived the timeout")
    }

    /// With a stop grace, a timeout sends SIGTERM first: a task that saves its work on SIGTERM
    /// gets to, and its output is kept.
    @Test func aTimeoutSendsSIGTERMFirstSoATaskCanSaveItsWork() async throws {
        var run = execution("trap 'echo saved; exit 0' TERM; echo started; sleep 30 & wait", timeout: .milliseconds(300))
        run.stopGrace = .seconds(10)
        let outcome = await TaskRunner.run(run)
        #expect(outcome.timedOut)
        #expect(String(decoding: outcome.stdout, as: UTF8.self) == "started\nsaved\n")
        #expect(outcome.endedAt - outcome.startedAt < 8, "SIGTERM ended it; the grace is 10 s")
    }

    /// A task that ignores SIGTERM gets SIGKILL when the grace is over, and so does a stop.
    @Test func aTaskThatIgnoresSIGTERMIsKilledWhenTheGraceIsOver() async throws {
        var run = execution("trap '' TERM; echo started; while :; do sleep 0.05; done", timeout: .milliseconds(200))
        run.stopGrace = .milliseconds(400)
        let outcome = await TaskRunner.run(run)
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGKILL)
        #expect(outcome.endedAt - outcome.startedAt >= 0.55, "killed before the grace was over")
        let stop = StopSignal()
        let ready = NSTemporaryDirectory() + "trapped-\(UUID())"
        defer { try? FileManager.default.removeItem(atPath: ready) }
        var stopped = execution("trap 'echo stopping; exit 3' TERM; touch \(ready); sleep 30 & wait")
        stopped.stopGrace = .seconds(5)
        async let result = TaskRunner.run(stopped, stop: stop)
        #expect(await eventually { FileManager.default.fileExists(atPath: ready) })
        stop.stop()
        let ended = await result
        #expect(ended.error == .cancelled)
        #expect(String(decoding: ended.stdout, as: UTF8.self) == "stopping\n")
    }

    @Test func aGrandchildHoldingTheOutputOpenDoesNotHoldTheTask() async throws {
        let pidFile = NSTemporaryDirectory() + "linger-\(UUID()).pid"
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let outcome = await TaskRunner.run(execution("sleep 30 & echo $! > \(pidFile); echo done"))
        #expect(outcome.exitCode == 0)
        #expect(outcome.stdout == Data("done\n".utf8))
        #expect(outcome.endedAt - outcome.startedAt < 20, "the grandchild sleeps 30 s")
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { isGone(pid) })
    }

    @Test func aProcessThatLeftTheGroupCannotHoldTheTaskOpen() async throws {
        // setsid puts the background process out of reach of the group kill; it keeps the
        // output pipe open. The task still ends, a grace after the group was killed.
        let pidFile = NSTemporaryDirectory() + "escaped-\(UUID()).pid"
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let outcome = await TaskRunner.run(execution("setsid sleep 60 & echo $! > \(pidFile); echo done"))
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(pid, SIGKILL) }
        #expect(outcome.exitCode == 0)
        #expect(outcome.stdout == Data("done\n".utf8))
        // About 1.3 s (0.3 s, then 1 s); far less than the 60 s the escaped process holds on,
        // with room for a machine loaded by every other test.
        #expect(outcome.endedAt - outcome.startedAt < 20)
    }

    @Test func tasksStartWithEverySignalAtItsDefault() async {
        // The node ignores SIGPIPE; a task must not: `yes` ends quietly when `head` is done.
        let outcome = await TaskRunner.run(execution("yes | head -n 1"))
        #expect(outcome.stdout == Data("y\n".utf8))
        #expect(outcome.stderrTail.isEmpty)
    }

    @Test func aProgramIsFoundThroughTheNodesPathNotTheTasks() async {
        let outcome = await TaskRunner.run(TaskExecution(
            argv: ["true"], environment: ["PATH": "/nonexistent"], workingDirectory: "/", stdin: Data(),
            timeout: nil, outputCap: 100))
        #expect(outcome.error == nil)
        #expect(outcome.exitCode == 0)
    }

    @Test func aMissingWorkingDirectoryIsSaidSo() async {
        let outcome = await TaskRunner.run(TaskExecution(
            argv: ["/bin/sh", "-c", "true"], environment: [:], workingDirectory: "/nonexistent-swell", stdin: Data(),
            timeout: nil, outputCap: 100))
        #expect(outcome.error?.description.contains("working directory /nonexistent-swell does not exist") == true)
    }

    @Test func outputBeyondTheCapIsCutWithAMarker() async {
        let outcome = await TaskRunner.run(execution("head -c 100000 /dev/zero | tr '\\0' a", cap: 1_000))
        #expect(outcome.stdoutBytes == 100_000)
        #expect(outcome.stdoutTruncated)
        let text = String(decoding: outcome.stdout, as: UTF8.self)
        #expect(text.hasPrefix(String(repeating: "a", count: 1_000) + "\n[swell: output cut at 1000 bytes; the task wrote 100000 bytes]"))
    }

    @Test func stderrKeepsItsLastBytes() async {
        let outcome = await TaskRunner.run(execution("seq 1 20000 >&2", tail: 100))
        #expect(outcome.stderrTail.count == 100)
        #expect(String(decoding: outcome.stderrTail, as: UTF8.self).hasSuffix("19999\n20000\n"))
    }

    @Test func aMissingProgramIsAnErrorNotACrash() async {
        let outcome = await TaskRunner.run(TaskExecution(
            argv: ["no-such-program-swell"], environment: [:], workingDirectory: "/", stdin: Data(),
            timeout: nil, outputCap: 100))
        #expect(outcome.exitCode == nil)
        #expect(outcome.error?.description.contains("no-such-program-swell") == true)
    }

    @Test func aStopSignalEndsTheTask() async {
        let stop = StopSignal()
        async let outcome = TaskRunner.run(execution("sleep 30"), stop: stop)
        stop.stop()
        let result = await outcome
        #expect(result.error == .cancelled)
        #expect(result.endedAt - result.startedAt < 20, "the task sleeps 30 s")
    }

    @Test func cancellingTheCallerKillsTheGroup() async {
        let task = Task { await TaskRunner.run(execution("sleep 30")) }
        task.cancel()
        let result = await task.value
        #expect(result.error == .cancelled)
    }
}
