import Foundation
import GRDB
import Testing
import SwellCore
import SwellTestSupport

/// `swell run` on the embedded default, through the real binary.
@Suite struct EmbeddedRunTests {
    func runPlan(_ yaml: String, _ extra: [String] = [], files: [String: String] = [:]) async throws -> (Finished, Scratch) {
        let work = Scratch()
        for (name, text) in files { _ = work.write(name, text) }
        let plan = work.write("plan.yaml", yaml)
        let result = try await swell(["run", plan, "--state", work.path + "/state"] + extra, in: "/")
        return (result, work)
    }

    @Test func sinkOutputsGoToStdoutAndProgressToStderr() async throws {
        let (result, work) = try await runPlan("""
            name: basic
            stages:
              - id: greet
                run: echo hello
              - id: shout
                needs: [greet]
                run: tr a-z A-Z
              - id: other
                run: [printf, "%s\\n", second sink]
            """)
        defer { work.remove() }
        #expect(result.status == 0)
        #expect(result.stdout == "HELLO\nsecond sink\n")
        #expect(result.stderr.contains("stage shout finished"))
        #expect(result.stderr.contains("succeeded"))
    }

    /// The seconds of a `... in 1.5s` or `... in 25ms` at the end of the stderr line that holds `prefix`.
    static func secondsOfLine(_ stderr: String, _ prefix: String) -> Double? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.contains(prefix) }),
              let range = line.range(of: " in ", options: .backwards) else { return nil }
        let text = line[range.upperBound...].split(separator: " ").first.map(String.init) ?? ""
        if text.hasSuffix("ms") { return Double(text.dropLast(2)).map { $0 / 1_000 } }
        if text.hasSuffix("s") { return Double(text.dropLast()) }
        return nil
    }

    /// A run that goes on counts its stages' and its own time from then: the time since it first
    /// started (here a task of 1.5 s in the first run) is said apart, not added.
    /// `swell run plan.yaml 2>&-` (or `>&-`): the closed stream is /dev/null, not whichever
    /// descriptor the process opened next (a dispatch thread's epoll took descriptor 2 before).
    @Test func aStreamClosedAtStartIsDevNullNotTheNextDescriptorOpened() async throws {
        let work = Scratch()
        defer { work.remove() }
        // The task's shell is a child of the run's embedded node: its parent's descriptor 2.
        let plan = work.write("plan.yaml", "name: fds\nstages:\n  - id: a\n    run: readlink /proc/$PPID/fd/2 > \(work.path)/fd2\n")
        let ran = try await run("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>&-", Binaries.path("swell"), "run", plan,
                                            "--state", work.path + "/state"], in: "/")
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(work.read("fd2") == "/dev/null\n")
        // A closed stdout fails the write of the outputs, after the run, and says so.
        let hello = work.write("hello.yaml", "name: hello\nstages:\n  - id: a\n    run: echo hi\n")
        let closed = try await run("/bin/sh", ["-c", "exec \"$0\" \"$@\" >&-", Binaries.path("swell"), "run", hello,
                                               "--state", work.path + "/state"], in: "/")
        #expect(closed.status == 1 && closed.stderr.contains("cannot write to stdout: it was closed when swell started"),
                "\(closed.stderr)")
        // So do validate and keygen, closed or full (they printed into nothing and exited 0).
        // A keygen that fails so makes no key (before, the pair stayed, and running it again
        // was refused: NAME.key exists).
        for (redirect, reason) in [(">&-", "it was closed when swell started"), (">/dev/full", "No space left on device")] {
            let key = work.path + "/k" + String(redirect.count)
            for arguments in [["validate", hello], ["keygen", key], ["keygen", key]] {
                let ran = try await run("/bin/sh", ["-c", "exec \"$0\" \"$@\" \(redirect)", Binaries.path("swell")] + arguments, in: "/")
                #expect(ran.status == 1 && ran.stderr.contains("cannot write to stdout: \(reason)"), "\(arguments) \(redirect): \(ran.stderr)")
                if arguments[0] == "keygen" {
                    #expect(ran.stderr.contains("no key was made") && !ran.stderr.contains("wrote"), "\(ran.stderr)")
                    #expect(!FileManager.default.fileExists(atPath: key + ".key") && !FileManager.default.fileExists(atPath: key + ".pub"))
                }
            }
        }
        // One that --force wrote over an old pair keeps the new one, and says so.
        let old = work.path + "/old"
        #expect(try await run(Binaries.path("swell"), ["keygen", old], in: "/").status == 0)
        let before = work.read("old.pub")
        let forced = try await run("/bin/sh", ["-c", "exec \"$0\" \"$@\" >/dev/full", Binaries.path("swell"), "keygen", old, "--force"], in: "/")
        #expect(forced.status == 1 && forced.stderr.contains("the new pair stays in \(old).key and \(old).pub"), "\(forced.stderr)")
        #expect(work.read("old.pub") != before && work.read("old.pub").hasPrefix("# swell public key"))
    }

    @Test func aContinuedRunCountsItsTimeFromWhenItWentOn() async throws {
        let plan = """
            name: again
            stages:
              - id: each
                partition: {items: [slow, flaky]}
                run: 'if [ {scope} = slow ]; then sleep 1.5; else test ! -e broken; fi'
                on-failure: continue
            """
        let (first, work) = try await runPlan(plan, ["--json"], files: ["broken": ""])
        defer { work.remove() }
        #expect(first.status == 1)
        let run = try #require((try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])?["run"] as? String)
        try FileManager.default.removeItem(atPath: work.path + "/broken")
        let again = try await swell(["run", work.path + "/plan.yaml", "--state", work.path + "/state", "--retry-failed", run], in: "/")
        #expect(again.status == 0, "\(again.stderr)")
        let stage = try #require(Self.secondsOfLine(again.stderr, "stage each finished"), "\(again.stderr)")
        #expect(stage < 1.5, "only the flaky task ran again: \(again.stderr)")
        let whole = try #require(Self.secondsOfLine(again.stderr.replacingOccurrences(of: #" \(continued.*"#, with: "", options: .regularExpression),
                                                    "run \(run) succeeded"), "\(again.stderr)")
        #expect(whole < 1.5, "\(again.stderr)")
        #expect(again.stderr.contains("(continued: it first started "), "\(again.stderr)")
    }

    /// A run that a failed task stopped has nothing --continue can go on with: the stage that
    /// needs the failed one would read its partial output (before, it ran on it, and printed a
    /// wrong result). --retry-failed runs it whole.
    @Test func continueDoesNotRunAStageOnTheOutputOfOneThatFailed() async throws {
        let plan = """
            name: stopped
            stages:
              - id: fan
                partition: {items: [a, b, c]}
                run: 'if [ {scope} = a ] && [ ! -e fixed ]; then exit 3; fi; sleep 1; echo ok {scope}'
              - id: after
                needs: [fan]
                run: wc -l
            """
        let (first, work) = try await runPlan(plan, ["--json"])
        defer { work.remove() }
        #expect(first.status == 1)
        let run = try #require((try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])?["run"] as? String)
        let planFile = work.path + "/plan.yaml"
        let continued = try await swell(["run", planFile, "--state", work.path + "/state", "--continue", run], in: "/")
        #expect(continued.status == 2, "\(continued.stderr)")
        #expect(continued.stderr.contains("run \(run) failed: nothing of it is left to run (--retry-failed runs its failed tasks again)"),
                "\(continued.stderr)")
        #expect(continued.stdout.isEmpty, "\(continued.stdout)")
        _ = work.write("fixed", "")
        let retried = try await swell(["run", planFile, "--state", work.path + "/state", "--retry-failed", run], in: "/")
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(retried.stdout.trimmingCharacters(in: .whitespaces) == "3\n", "\(retried.stdout)")
    }

    @Test func retryFailedRunsOnlyTheFailedTasksAndWhatReadsTheirStageAgain() async throws {
        let plan = """
            name: retry
            stages:
              - id: scan
                partition: {items: [a, b, c, d]}
                run: test ! -e broken-{scope} && echo ok {scope} $SWELL_ATTEMPT
                on-failure: continue
              - id: total
                needs: [scan]
                run: sort
            """
        let (first, work) = try await runPlan(plan, ["--json"], files: ["broken-b": "", "broken-d": ""])
        defer { work.remove() }
        #expect(first.status == 1)
        let run = try #require((try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])?["run"] as? String)
        #expect(first.stderr.contains("--retry-failed \(run)"), "\(first.stderr)")
        try FileManager.default.removeItem(atPath: work.path + "/broken-b")
        try FileManager.default.removeItem(atPath: work.path + "/broken-d")
        let planFile = work.path + "/plan.yaml"
        let again = try await swell(["run", planFile, "--state", work.path + "/state", "--retry-failed", run], in: "/")
        #expect(again.status == 0, "\(again.stderr)")
        // a and c keep their first attempt; b and d ran again; total read all four.
        #expect(again.stdout == "ok a 1\nok b 2\nok c 1\nok d 2\n", "\(again.stdout)")
        // Of all five: the stage that starts over counts too (before, stages not yet started were left out).
        #expect(again.stderr.contains("2 of 5 task(s) already done are not run again"), "\(again.stderr)")
        // The stage that goes on is shown starting again before it finishes (before, its
        // "finished" line came with no line before it), the one that starts over as new.
        let lines = again.stderr.split(separator: "\n").map(String.init)
        let goesOn = lines.firstIndex(of: "swell: stage scan goes on: 2 of 4 tasks done before")
        let finished = lines.firstIndex { $0.hasPrefix("swell: stage scan finished: 4 of 4 tasks succeeded") }
        #expect(goesOn != nil && finished != nil && goesOn! < finished!, "\(again.stderr)")
        #expect(lines.contains("swell: stage total started: 1 task"), "\(again.stderr)")
        let nothing = try await swell(["run", planFile, "--state", work.path + "/state", "--retry-failed", run], in: "/")
        #expect(nothing.status == 2 && nothing.stderr.contains("has no failed task to run again"), "\(nothing.stderr)")
        // Another plan (or a run id the journal does not have) is refused.
        let other = work.write("other.yaml", plan.replacingOccurrences(of: "sort", with: "sort -r"))
        let refused = try await swell(["run", other, "--state", work.path + "/state", "--retry-failed", run], in: "/")
        #expect(refused.status == 2 && refused.stderr.contains("ran another plan"), "\(refused.stderr)")
        let unknown = try await swell(["run", planFile, "--state", work.path + "/state", "--continue", "20990101-000000-0000"], in: "/")
        #expect(unknown.status == 2 && unknown.stderr.contains("no run 20990101-000000-0000"), "\(unknown.stderr)")
        // A --state with no journal is named, and none is made there.
        let wrong = try await swell(["run", planFile, "--state", work.path + "/wrong", "--retry-failed", run], in: "/")
        #expect(wrong.status == 2, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("no run \(run): there is no journal at \(work.path)/wrong/journal.sqlite"), "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/wrong"))
    }

    /// A stage that summarizes or synthesizes, retried: its reduction reads the stage once the
    /// failed task ran again (and its share was summarized again), not as the retry found it.
    @Test(arguments: ["summarize: cat", "synthesize: cat", "summarize: cat\n    synthesize: cat"])
    func retryFailedReducesTheStageOverTheTasksRunAgain(_ reduction: String) async throws {
        let plan = """
            name: retry-reduced
            stages:
              - id: scan
                partition: {items: [a, b, c, d]}
                run: test ! -e broken-{scope} && echo ok {scope} $SWELL_ATTEMPT
                on-failure: continue
                \(reduction)
              - id: total
                needs: [scan]
                run: cat
            """
        let (first, work) = try await runPlan(plan, ["--json"], files: ["broken-b": ""])
        defer { work.remove() }
        #expect(first.status == 1)
        let run = try #require((try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])?["run"] as? String)
        try FileManager.default.removeItem(atPath: work.path + "/broken-b")
        let again = try await swell(["run", work.path + "/plan.yaml", "--state", work.path + "/state", "--retry-failed", run], in: "/")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "ok a 1\nok b 2\nok c 1\nok d 1\n", "\(again.stdout)")
    }

    @Test func aBudgetOfTaskSecondsEndsTheRunBudgetExhaustedAndItsReportsAreKept() async throws {
        let (result, work) = try await runPlan("""
            name: budget
            budget: {task-seconds: 1}
            stages:
              - id: slow
                partition: {items: [a, b, c, d, e, f, g, h]}
                run: sleep 0.4; echo {scope}
                width: 1
            """, ["--slots", "1", "--joblog", "jobs"])
        defer { work.remove() }
        #expect(result.status == 1)
        #expect(result.stderr.contains("budget-exhausted: budget exhausted:"), "\(result.stderr)")
        #expect(result.stderr.contains("task-seconds"), "\(result.stderr)")
        let logs = try await swell(["logs", "--state", work.path + "/state", "--json",
                                    String(result.stderr.split(separator: " ")[2])], in: "/")
        let reports = (try? JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [Any]) ?? []
        #expect((3...4).contains(reports.count), "\(reports.count) reports: \(logs.stdout.prefix(400)) \(logs.stderr)")
    }

    @Test func invalidPlansExitTwoWithLocations() async throws {
        let (unknown, w1) = try await runPlan("name: x\nstages:\n  - id: a\n    run: 'true'\n    retires: 2\n")
        defer { w1.remove() }
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("plan.yaml:5:5: unknown field 'retires' in a stage (did you mean 'retries'?)"))
        #expect(unknown.stdout.isEmpty)
        let (cycle, w2) = try await runPlan("name: x\nstages:\n  - id: a\n    needs: [b]\n    run: x\n  - id: b\n    needs: [a]\n    run: x\n")
        defer { w2.remove() }
        #expect(cycle.status == 2)
        #expect(cycle.stderr.contains("plan.yaml:4:5: stages depend on each other in a cycle: a -> b -> a"))
        let missing = try await swell(["run", "/nonexistent/plan.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/plan.yaml:1:1: no such plan file"))
        let validate = try await swell(["validate", w2.path + "/plan.yaml"])
        #expect(validate.status == 2)
        let usage = try await swell(["run"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("Missing expected argument"))
    }

    @Test func aFailedTaskExitsOneAndSaysWhy() async throws {
        let (result, work) = try await runPlan("""
            name: failing
            stages:
              - id: check
                partition: { items: [good, bad] }
                run: 'if [ {scope} = bad ]; then echo "broken thing" >&2; exit 4; fi; echo ok'
            """)
        defer { work.remove() }
        #expect(result.status == 1)
        #expect(result.stderr.contains("check[1] bad failed (exit 4)"))
        #expect(result.stderr.contains("broken thing"))
        #expect(result.stderr.contains("swell logs "))
    }

    /// `/bin/sh` hides a failure inside a pipe; a plan that asks for `shell: [bash, -o, pipefail, -c]`
    /// gets it, and a stage can go back to the default.
    @Test func aPlansShellDecidesWhetherAFailingPipeFails() async throws {
        let (result, work) = try await runPlan("""
            name: pipes
            shell: [bash, -o, pipefail, -c]
            stages:
              - id: plain
                shell: [/bin/sh, -c]
                run: ls /nonexistent-folder | sort
              - id: strict
                needs: [plain]
                run: ls /nonexistent-folder | sort
            """)
        defer { work.remove() }
        #expect(result.status == 1)
        #expect(result.stderr.contains("stage plain finished: 1 of 1 task succeeded"), "\(result.stderr)")
        #expect(result.stderr.contains("strict[0] failed (exit 2)"), "\(result.stderr)")
        #expect(result.stderr.contains("failed: task strict[0] failed: exit 2"), "\(result.stderr)")
        #expect(result.stderr.contains("No such file or directory"), "\(result.stderr)")
    }

    /// A timed-out task gets SIGTERM and the stage's `stop-grace` to save its work; with
    /// `stop-grace: 0` it is killed at once.
    @Test func aTimedOutTaskGetsItsStopGraceToSaveItsWork() async throws {
        let (result, work) = try await runPlan("""
            name: graceful
            stages:
              - id: agent
                partition: { items: [graceful, abrupt] }
                run: |
                  trap 'echo saved > saved-{scope}; exit 1' TERM
                  sleep 30 & wait
                timeout: 300ms
                stop-grace: 10s
                on-failure: continue
              - id: abrupt
                run: "trap 'echo saved > saved-zero; exit 1' TERM; sleep 30 & wait"
                timeout: 300ms
                stop-grace: 0
                on-failure: continue
            """)
        defer { work.remove() }
        #expect(result.status == 1)
        #expect(work.read("saved-graceful") == "saved\n")
        #expect(work.read("saved-abrupt") == "saved\n")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/saved-zero"))
        #expect(result.stderr.contains("timed out"), "\(result.stderr)")
    }

    /// A group of 3,000 files (a scope of 150 KiB) runs: its paths reach the task in
    /// SWELL_SCOPE_FILE instead of the environment, and as arguments of a list `run`; a string
    /// `run` that would be too long for `sh -c` is refused before anything runs.
    @Test func aLargeFileGroupRunsAndWhatCannotRunIsCaughtBeforehand() async throws {
        var files: [String: String] = [:]
        for i in 0..<3000 { files["src/a-rather-long-folder-name/file-number-\(i).c"] = "" }
        let (result, work) = try await runPlan("""
            name: large-group
            stages:
              - id: hello
                partition: { files: { root: src, group-by: extension } }
                run: echo hi
              - id: count
                partition: { files: { root: src, group-by: extension } }
                run: 'wc -l < "$SWELL_SCOPE_FILE"; echo "${SWELL_SCOPE:-unset}"'
              - id: list
                partition: { files: { root: src, group-by: extension } }
                run: [sh, -c, 'echo $#', sh, "{scope}"]
            """, files: files)
        defer { work.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "hi\n3000\nunset\n3000\n", "\(result.stdout)")

        let tooLong = work.write("long.yaml", """
            name: too-long
            stages:
              - id: count
                partition: { files: { root: src, group-by: extension } }
                run: wc -l {scope}
            """)
        let refused = try await swell(["validate", tooLong])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("more than the 128 KiB one argument of `sh -c` may be: write `run` as a list"), "\(refused.stderr)")
        let notRun = try await swell(["run", tooLong, "--state", work.path + "/state"])
        #expect(notRun.status == 2)
    }

    /// `validate` (and `run`) warn about a placeholder inside quotes written by hand, and the
    /// plan is still valid.
    @Test func aPlaceholderInsideHandWrittenQuotesIsWarnedAbout() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("plan.yaml", """
            name: quoted
            stages:
              - id: a
                partition: { items: [x] }
                run: echo "{scope}"
            """)
        let validated = try await swell(["validate", plan])
        #expect(validated.status == 0)
        #expect(validated.stderr.contains("plan.yaml:5:5: warning: `run` of stage 'a' has {scope} inside double quotes"), "\(validated.stderr)")
        let ran = try await swell(["run", plan, "--state", work.path + "/state"])
        #expect(ran.status == 0)
        #expect(ran.stderr.contains("warning: `run` of stage 'a' has {scope} inside double quotes"))
    }

    /// An agent that exits 0 with an empty or garbled report has not done its task: with
    /// `expect`, such a report is a failed attempt with its reason, retried, then failed in
    /// `--json`, `logs` and the joblog (where its Exitval is not 0).
    @Test func reportsThatAreNotWhatTheStageExpectsAreFailedAttempts() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("plan.yaml", """
            name: expected
            stages:
              - id: agents
                partition: { items: [good, empty, garbled, late] }
                run: |
                  echo "{scope}" >> attempts
                  case {scope} in
                    good) echo '{"total_cost_usd": 0.01}' ;;
                    empty) ;;
                    garbled) echo 'Error: overloaded' ;;
                    late) [ "$SWELL_ATTEMPT" = 2 ] && echo '{"ok": true}' ;;
                  esac
                  exit 0
                expect: { non-empty: true, format: json }
                retries: 1
                on-failure: continue
            """)
        let ran = try await swell(["run", plan, "--state", work.path + "/state", "--json", "--joblog", work.path + "/joblog"], in: work.path)
        #expect(ran.status == 1, "\(ran.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])
        let stage = try #require((result["stages"] as? [[String: Any]])?.first)
        #expect(stage["succeeded"] as? Int == 2)
        #expect(stage["failed"] as? Int == 2)
        // Each failing scope ran twice (one retry), the late one succeeded on its second attempt.
        let attempts = work.read("attempts").split(separator: "\n").map(String.init)
        #expect(attempts.filter { $0 == "empty" }.count == 2)
        #expect(attempts.filter { $0 == "late" }.count == 2)
        #expect(attempts.filter { $0 == "good" }.count == 1)
        let run = try #require(result["run"] as? String)
        let logs = try await swell(["logs", run, "--state", work.path + "/state", "--json"])
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]])
        let errors = reports.compactMap { r -> String? in (r["scope"] as? String).map { "\($0) \(r["attempt"] ?? 0): \(r["error"] as? String ?? "ok")" } }
        #expect(errors.contains("empty 2: invalid report: empty report"), "\(errors)")
        #expect(errors.contains("garbled 2: invalid report: report is not valid JSON"), "\(errors)")
        #expect(errors.contains("late 2: ok"), "\(errors)")
        let joblog = work.read("joblog").split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        let exitValues = Dictionary(joblog.map { (String($0[0]), String($0[6])) }, uniquingKeysWith: { _, last in last })
        #expect(exitValues["1"] == "0")
        #expect(exitValues["2"] == "-1")
        #expect(exitValues["3"] == "-1")
        #expect(ran.stderr.contains("failed (invalid report: empty report)"), "\(ran.stderr)")
    }

    /// `timeout: 300%`: a task that runs far longer than the stage's median is stopped as a
    /// straggler and runs again; the run succeeds and the report says why the first attempt ended.
    @Test func aStragglerIsStoppedAndRunsAgain() async throws {
        let (result, work) = try await runPlan("""
            name: stragglers
            stages:
              - id: agents
                partition: { items: [s0, s1, s2, s3, s4, s5, s6, slow] }
                run: |
                  if [ {scope} = slow ] && [ "$SWELL_ATTEMPT" = 1 ]; then sleep 60; fi
                  sleep 0.1; echo {scope}
                timeout: 300%
                retries: 1
            """, ["--json"])
        defer { work.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("straggler: stopped after"), "\(result.stderr)")
        #expect(result.stderr.contains("over 300% of the stage's median task"), "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let output = (object["outputs"] as? [[String: Any]])?.first?["output"] as? String
        #expect(output == "s0\ns1\ns2\ns3\ns4\ns5\ns6\nslow\n")
        let started = try #require((object["stages"] as? [[String: Any]])?.first?["startedAt"] as? Double)
        let ended = try #require((object["stages"] as? [[String: Any]])?.first?["endedAt"] as? Double)
        #expect(ended - started < 30, "the slow first attempt was not stopped")
    }

    @Test func scopesWithSpacesAndQuotesCannotInjectShell() async throws {
        let (result, work) = try await runPlan("""
            name: quoting
            stages:
              - id: echo
                partition: { items: ["a b", "it's", "$(touch pwned)", "x;touch pwned2", "`touch pwned3`", '"dq"'] }
                run: printf '%s|' {scope}; printf '%s\\n' "$SWELL_SCOPE"
            """)
        defer { work.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            a b|a b
            it's|it's
            $(touch pwned)|$(touch pwned)
            x;touch pwned2|x;touch pwned2
            `touch pwned3`|`touch pwned3`
            "dq"|"dq"

            """)
        for file in ["pwned", "pwned2", "pwned3"] {
            #expect(!FileManager.default.fileExists(atPath: work.path + "/" + file))
        }
    }

    @Test func linesOfAndStdinFromNeeds() async throws {
        let (result, work) = try await runPlan("""
            name: lines
            stages:
              - id: inventory
                run: printf 'alpha\\nbeta\\n\\ngamma\\n'
              - id: scan
                needs: [inventory]
                partition: { lines-of: inventory }
                run: echo "{index} {scope} $(grep -c . )"
              - id: count
                needs: [scan, inventory]
                run: wc -l
            """)
        defer { work.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        // scan's output (3 lines) then inventory's (4 lines, one empty) reach count on stdin.
        #expect(result.stdout.trimmingCharacters(in: .whitespaces) == "7\n")
        let (scan, w2) = try await runPlan("""
            name: lines
            stages:
              - id: inventory
                run: printf 'alpha\\nbeta\\n\\ngamma\\n'
              - id: scan
                needs: [inventory]
                partition: { lines-of: inventory }
                run: echo "{index} {scope} $(grep -c .)"
            """)
        defer { w2.remove() }
        #expect(scan.stdout == "0 alpha 3\n1 beta 3\n2 gamma 3\n")
    }

    @Test func directoryPartitionsRunInThePlansFolder() async throws {
        let (result, work) = try await runPlan("""
            name: dirs
            stages:
              - id: each
                partition: { directories: { root: src } }
                run: ls {scope} | wc -l | tr -d ' '
            """, files: ["src/b/1": "", "src/b/2": "", "src/a/1": "", "src/c d/1": ""])
        defer { work.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "1\n2\n1\n")
    }

    @Test func treeReductionSummarizesSharesThenSummaries() async throws {
        let items = (1...60).map(String.init).joined(separator: ", ")
        let (result, work) = try await runPlan("""
            name: tree
            stages:
              - id: numbers
                partition: { items: [\(items)] }
                run: echo {scope}
                summarize: awk '{s += $1} END {print s}'
            """, ["--json"])
        defer { work.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let stage = try #require((object["stages"] as? [[String: Any]])?.first)
        #expect((stage["shares"] as? Int ?? 0) > 1, "one share cannot show a tree")
        #expect(((object["outputs"] as? [[String: Any]])?.first?["output"] as? String) == "1830\n")
        // The run's reports hold each level: tasks, share summaries went into the reduction.
        let run = try #require(object["run"] as? String)
        let logs = try await swell(["logs", run, "--state", work.path + "/state", "--json"])
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]])
        #expect(reports.filter { ($0["index"] as? Int ?? 0) >= 0 }.count == 60)
        let reduction = try #require(reports.first { $0["index"] as? Int == -1 })
        #expect(reduction["stdout"] as? String == "1830\n")
    }

    @Test func synthesizeSeesShareSummariesInShareOrder() async throws {
        let items = (0..<30).map { String(format: "i%02d", $0) }.joined(separator: ", ")
        let (result, work) = try await runPlan("""
            name: synth
            stages:
              - id: fan
                partition: { items: [\(items)] }
                run: echo {scope}
                summarize: "sort -r | head -1"
                synthesize: cat
                input: markdown
            """)
        defer { work.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        let headings = result.stdout.split(separator: "\n").filter { $0.hasPrefix("## share ") }
        #expect(headings.count > 1)
        #expect(headings.first?.hasPrefix("## share 1: i00") == true)
        let maxima = result.stdout.split(separator: "\n").filter { $0.hasPrefix("i") }
        #expect(maxima == maxima.sorted())
        #expect(maxima.last == "i29")
    }

    @Test func barrierPacingStartsAWaveOnlyAfterThePreviousEnded() async throws {
        let reports = try await pacedReports("barrier")
        #expect(reports.count == 9)
        let shares = Dictionary(grouping: reports, by: \.share)
        for (_, tasks) in shares {
            // Within a share, waves are consecutive groups of `width` (3) tasks in scope order.
            let waves = stride(from: 0, to: tasks.count, by: 3).map { Array(tasks[$0..<min($0 + 3, tasks.count)]) }
            for (previous, next) in zip(waves, waves.dropFirst()) {
                #expect(next.map(\.start).min()! >= previous.map(\.end).max()!, "a wave started before the previous one ended")
            }
        }
        // The slow first task holds back its whole share's second wave.
        let first = reports[0]
        #expect(reports.filter { $0.share == first.share && $0.index >= 3 }.allSatisfy { $0.start >= first.end })
    }

    @Test func rollingPacingKeepsWidthInFlight() async throws {
        let reports = try await pacedReports("rolling")
        #expect(reports.count == 9)
        // Task 0 sleeps 1 s; the fast tasks after it do not wait for it.
        #expect(reports[3].start < reports[0].end)
        // Never more than `width` (3) at once.
        for report in reports {
            let overlapping = reports.filter { $0.start <= report.start && $0.end > report.start }
            #expect(overlapping.count <= 3)
        }
    }

    struct Timed { var index: Int; var share: Int; var start: Double; var end: Double }

    func pacedReports(_ pacing: String) async throws -> [Timed] {
        let (result, work) = try await runPlan("""
            name: paced
            stages:
              - id: t
                width: 3
                pacing: \(pacing)
                partition: { items: [a0, a1, a2, a3, a4, a5, a6, a7, a8] }
                run: if [ {index} = 0 ]; then sleep 1; else sleep 0.05; fi; echo {scope}
            """, ["--slots", "3", "--json"])
        defer { work.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let run = try #require(object["run"] as? String)
        let logs = try await swell(["logs", run, "--state", work.path + "/state", "--json"])
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]])
        return reports.sorted { ($0["index"] as! Int) < ($1["index"] as! Int) }
            .map { Timed(index: $0["index"] as! Int, share: $0["share"] as! Int,
                         start: $0["startedAt"] as! Double, end: $0["endedAt"] as! Double) }
    }

    @Test func joblogUsesGNUParallelsFormat() async throws {
        let work = Scratch()
        defer { work.remove() }
        let (result, w) = try await runPlan("""
            name: joblog
            stages:
              - id: t
                partition: { items: [x, y, z] }
                run: echo {scope}; [ {scope} != z ]
                on-failure: continue
            """, ["--joblog", work.path + "/jobs.tsv"])
        defer { w.remove() }
        #expect(result.status == 1)
        let lines = work.read("jobs.tsv").split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(lines.first == ["Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive", "Exitval", "Signal", "Command"])
        #expect(lines.count == 4)
        let rows = lines.dropFirst()
        #expect(rows.allSatisfy { $0.count == 9 && $0[1] == "local" && $0[4] == "0" && $0[5] == "2" && $0[7] == "0" })
        #expect(rows.map { $0[0] }.sorted() == ["1", "2", "3"])
        #expect(rows.map { $0[6] }.sorted() == ["0", "0", "1"])
        #expect(Set(rows.map { String($0[8]) }) == ["echo x; [ x != z ]", "echo y; [ y != z ]", "echo z; [ z != z ]"])
        // Seq is the job number: z, the third scope, is job 3 whatever order they finished in.
        #expect(rows.first { $0[8] == "echo z; [ z != z ]" }?[0] == "3")
    }

    @Test func gnuParallelResumesTheFailedJobsOfSwellsJoblog() async throws {
        // The jobs that finish first are the ones that fail, so that finish order and job
        // number differ: GNU parallel must run jobs 2 and 4 again, not the first two to finish.
        let parallel = "/usr/bin/parallel"
        try #require(FileManager.default.isExecutableFile(atPath: parallel), "GNU parallel is needed (apt-get install parallel)")
        let work = Scratch()
        defer { work.remove() }
        let (result, w) = try await runPlan("""
            name: resume
            width: 4
            pacing: rolling
            stages:
              - id: t
                partition: { items: ["1", "2", "3", "4"] }
                run: if [ $(({scope} % 2)) = 0 ]; then exit 1; fi; sleep 0.3
                on-failure: continue
            """, ["--joblog", work.path + "/jobs.tsv"])
        defer { w.remove() }
        #expect(result.status == 1)
        let rerun = try await run(parallel, ["--resume-failed", "--joblog", work.path + "/jobs.tsv", "echo ran {}", ":::", "1", "2", "3", "4"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(Set(rerun.stdout.split(separator: "\n")) == ["ran 2", "ran 4"])
    }

    @Test func jsonPrintsOneObject() async throws {
        let (result, work) = try await runPlan("name: j\nstages:\n  - id: a\n    run: echo one\n  - id: b\n    needs: [a]\n    run: cat\n", ["--json"])
        defer { work.remove() }
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "succeeded")
        #expect(object["exitCode"] as? Int == 0)
        #expect((object["run"] as? String)?.isEmpty == false)
        let stages = try #require(object["stages"] as? [[String: Any]])
        #expect(stages.map { $0["id"] as? String } == ["a", "b"])
        #expect(stages.allSatisfy { $0["status"] as? String == "succeeded" && $0["tasks"] as? Int == 1 && $0["succeeded"] as? Int == 1 })
        #expect((object["outputs"] as? [[String: Any]])?.map { $0["stage"] as? String } == ["b"])
        #expect((object["outputs"] as? [[String: Any]])?.first?["output"] as? String == "one\n")
    }

    @Test func logsShowsTheReportsOfARun() async throws {
        let (result, work) = try await runPlan("name: l\nstages:\n  - id: a\n    partition: {items: [p, q]}\n    run: echo out-{scope}; echo err-{scope} >&2\n", ["--json"])
        defer { work.remove() }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let run = try #require(object["run"] as? String)
        let logs = try await swell(["logs", run, "--state", work.path + "/state"])
        #expect(logs.status == 0)
        #expect(logs.stdout.contains("== a[0] p · node local · attempt 1 · exit 0"))
        #expect(logs.stdout.contains("out-p\n-- stderr --\nerr-p\n"))
        let filtered = try await swell(["logs", run, "--state", work.path + "/state", "--scope", "q"])
        #expect(!filtered.stdout.contains("out-p"))
        #expect(filtered.stdout.contains("out-q"))
        let noScope = try await swell(["logs", run, "--state", work.path + "/state", "--scope", "./q"])
        #expect(noScope.status == 2)
        #expect(noScope.stderr.contains("run \(run) has no report for scope './q' (yet): scopes are matched exactly"), "\(noScope.stderr)")
        let unknown = try await swell(["logs", "no-such-run", "--state", work.path + "/state"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no run no-such-run"))
    }

    @Test func validatePrintsWavesAndTaskCounts() async throws {
        let work = Scratch()
        defer { work.remove() }
        _ = work.write("src/a/x", "")
        _ = work.write("src/b/y", "")
        let plan = work.write("plan.yaml", """
            name: shown
            stages:
              - id: inventory
                run: ls src
              - id: dirs
                partition: { directories: { root: src } }
                run: ls {scope}
              - id: scan
                needs: [inventory]
                partition: { lines-of: inventory }
                run: echo {scope}
                summarize: sort
            """)
        let result = try await swell(["validate", plan])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            plan shown (\(plan)): 3 stages in 2 waves
            wave 1
              inventory  1 task
              dirs       2 tasks (directories of src at depth 1), width 10, barrier
            wave 2
              scan       one task per output line of inventory (counted at run time), width 10, barrier, summarized; needs inventory
            sinks: dirs, scan
            on a cluster, tasks run in each node's --workdir, which stands for \((plan as NSString).deletingLastPathComponent)

            """)
    }

    @Test func aJournalThatCannotBeReadEndsTheRunWithAnError() async throws {
        let work = Scratch()
        defer { work.remove() }
        // A journal whose migrations are recorded but whose report table is not what they made.
        let result = try await runOnJournal(in: work, made: """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1'), ('v2: report.share'), ('v3: assignment'), ('v4: run.origin'),
                ('v5: report.index, no run.baseDirectory'), ('v6: stage.outputReady'), ('v7: report.stdoutAt'),
                ('v8: run.folder'), ('v9: run.prompts'), ('v10: lease'), ('v11: budget');
            CREATE TABLE run (id TEXT PRIMARY KEY);
            """)
        #expect(result.status == 1)
        #expect(result.stderr.contains("the embedded coordinator stopped: cannot read the journal \(work.path)/state/journal.sqlite"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aJournalThatCannotBeBroughtUpToThisVersionSaysWhichAndWhatToDo() async throws {
        let work = Scratch()
        defer { work.remove() }
        // Migrations recorded up to v7, but no report table for a later one to change.
        let result = try await runOnJournal(in: work, made: """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1'), ('v2: report.share'), ('v3: assignment'), ('v4: run.origin'),
                ('v5: report.index, no run.baseDirectory'), ('v6: stage.outputReady'), ('v7: report.stdoutAt');
            CREATE TABLE run (id TEXT PRIMARY KEY);
            """)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot open the journal \(work.path)/state/journal.sqlite"), "\(result.stderr)")
        #expect(result.stderr.contains("no such table: report"), "\(result.stderr)")
        #expect(result.stderr.contains("move it aside"), "\(result.stderr)")
    }

    @Test func aJournalThatCannotBeWrittenEndsTheRunWithAnError() async throws {
        let work = Scratch()
        defer { work.remove() }
        // Readable (no unfinished runs), but the tables the first write needs are missing.
        let result = try await runOnJournal(in: work, made: """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1'), ('v2: report.share'), ('v3: assignment'), ('v4: run.origin'),
                ('v5: report.index, no run.baseDirectory'), ('v6: stage.outputReady'), ('v7: report.stdoutAt'),
                ('v8: run.folder'), ('v9: run.prompts'), ('v10: lease'), ('v11: budget');
            CREATE TABLE run (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, file TEXT NOT NULL,
                planText TEXT NOT NULL, overrides BLOB NOT NULL, scopes BLOB NOT NULL,
                status TEXT NOT NULL, createdAt DOUBLE NOT NULL, endedAt DOUBLE, error TEXT,
                origin TEXT NOT NULL DEFAULT 'coordinator', pid INTEGER);
            """)
        #expect(result.status == 1)
        #expect(result.stderr.contains("the embedded coordinator stopped: cannot write the journal \(work.path)/state/journal.sqlite"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aSinksOutputReachesStdoutAsItsFirstTasksFinishWhileALaterOneRuns() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("p.yaml", """
            name: live
            stages:
              - id: each
                partition: { items: [a, b, c] }
                run: if [ {scope} = c ]; then while [ ! -e release ]; do sleep 0.05; done; fi; echo {scope}
            """)
        let run = try BackgroundRun(["run", plan, "--state", work.path + "/state"], in: work)
        defer {
            _ = work.write("release", "")
            run.terminate()
        }
        // The first two tasks' output, in scope order, while the third still waits.
        #expect(await eventually { run.stdout == "a\nb\n" })
        #expect(run.process.isRunning)
        _ = work.write("release", "")
        #expect(await run.wait() == 0)
        #expect(run.stdout == "a\nb\nc\n")
    }

    @Test func inputsOfMegabytesReachTheirTasksInPiecesAndLeaveNoFileBehind() async throws {
        let work = Scratch()
        defer { work.remove() }
        let temporary = work.path + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let plan = work.write("p.yaml", """
            name: big-input
            stages:
              - id: make
                run: head -c 3000000 /dev/zero | tr '\\0' x
              - id: count
                needs: [make]
                partition: { items: [a, b, c] }
                run: cksum; echo {scope}
              - id: whole
                partition: { items: [p, q] }
                run: head -c 1500000 /dev/zero | tr '\\0' y
                synthesize: cksum
            """)
        let result = try await run(Binaries.path("swell"), ["run", plan, "--state", work.path + "/state"],
                                   environment: ["TMPDIR": temporary])
        #expect(result.status == 0, "\(result.stderr)")
        // Every task read the 3 MB of x whole, the synthesis the 3 MB of y.
        let x = try await run("/bin/sh", ["-c", "head -c 3000000 /dev/zero | tr '\\0' x | cksum"]).stdout
        let y = try await run("/bin/sh", ["-c", "head -c 3000000 /dev/zero | tr '\\0' y | cksum"]).stdout
        #expect(x.hasSuffix(" 3000000\n"))
        #expect(result.stdout == x + "a\n" + x + "b\n" + x + "c\n" + y)
        // The node kept the inputs in files of its own folder, gone with the run.
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)
    }

    @Test func aReaderThatGoesAwayStopsTheRunsTasks() async throws {
        // `swell run plan.yaml | head -c 10`: the output stops being read while tasks run.
        let work = Scratch()
        defer { work.remove() }
        let marker = try work.sleepUnderOwnName("nap")
        let plan = work.write("p.yaml", """
            name: headed
            stages:
              - id: each
                partition: { items: [a, b, c, d] }
                run: if [ {scope} = a ]; then head -c 3000000 /dev/zero; else ./\(marker) 60; fi
            """)
        let pipeline = "set -o pipefail; '\(Binaries.path("swell"))' run '\(plan)' --state '\(work.path)/state' | head -c 10 > /dev/null"
        let result = try await run("/bin/bash", ["-c", pipeline], in: work.path, environment: ["TMPDIR": work.path])
        #expect(result.status == 141, "\(result.stderr)")
        #expect(await eventually(.seconds(5)) { countProcesses(named: marker) == 0 }, "its tasks were left running")
        let journal = try DatabaseQueue(path: work.path + "/state/journal.sqlite")
        let status = try await journal.read { db in try String.fetchOne(db, sql: "SELECT status FROM run") }
        #expect(status == "cancelled")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).allSatisfy { !$0.hasPrefix("swell-node-") })
    }

    @Test func aJournalThatRunsOutOfRoomEndsTheRunAndKeepsNoPartialOutput() async throws {
        // A file size limit stands in for a full disk: the third output of 450 KiB does not fit.
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("p.yaml", """
            name: full
            width: 1
            stages:
              - id: each
                partition: { items: [a, b, c, d, e] }
                run: head -c 460800 /dev/zero
            """)
        let result = try await run("/bin/sh", ["-c", "ulimit -f 2048; exec '\(Binaries.path("swell"))' run '\(plan)' --state '\(work.path)/state' > /dev/null"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot write the journal"), "\(result.stderr)")
        // The output file or SQLite's log, whichever reaches the limit first (it depends on how
        // the reports were batched): either way, the output file holds what the journal records.
        #expect(result.stderr.contains("File too large") || result.stderr.contains("disk I/O error"), "\(result.stderr)")
        let outputs = try FileManager.default.contentsOfDirectory(atPath: work.path + "/state/outputs")
        let file = try #require(outputs.first)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: work.path + "/state/outputs/" + file)[.size] as? Int)
        let journal = try DatabaseQueue(path: work.path + "/state/journal.sqlite")
        let recorded = try await journal.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(sum(stdoutLength), 0) FROM report") }
        #expect(size == recorded, "the output file holds exactly what the journal records")
        #expect(size % 460_800 == 0 && size < 2048 * 512)
    }

    @Test func anInterruptStopsEveryTaskAndJournalsTheRunAsCancelled() async throws {
        let work = Scratch()
        defer { work.remove() }
        let marker = try work.sleepUnderOwnName("nap")
        let plan = work.write("p.yaml", """
            name: interrupted
            stages:
              - id: nap
                partition: { items: [a, b, c, d] }
                run: ./\(marker) 60
            """)
        let run = try BackgroundRun(["run", plan, "--state", work.path + "/state", "--json"], in: work)
        defer { run.terminate() }
        #expect(await eventually { countProcesses(named: marker) == 4 })
        run.process.interrupt()
        #expect(await run.wait() == 130)
        #expect(await eventually(.seconds(5)) { countProcesses(named: marker) == 0 })
        let journal = try DatabaseQueue(path: work.path + "/state/journal.sqlite")
        let status = try await journal.read { db in try String.fetchOne(db, sql: "SELECT status FROM run") }
        #expect(status == "cancelled")
    }

    /// A failure that stops the run: the failed stage says what it left unfinished, the stage it
    /// cut short says it stopped, and the stage that never started says so (before: both said
    /// `finished`, and the last nothing).
    @Test func aRunThatAFailureStopsSaysHowEachStageEnded() async throws {
        let work = Scratch()
        defer { work.remove() }
        let nap = try work.sleepUnderOwnName("nap")
        let plan = work.write("p.yaml", """
            name: stopped
            stages:
              - id: a
                partition: { items: [x, y, z] }
                on-failure: stop
                run: 'if [ {scope} = y ]; then exit 3; fi; ./\(nap) 30'
              - id: b
                partition: { items: [p, q] }
                run: './\(nap) 30'
              - id: c
                needs: [a]
                run: cat
            """)
        let result = try await swell(["run", plan, "--state", work.path + "/state"], in: "/")
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("swell: stage a finished: 0 of 3 tasks succeeded, 1 failed, 2 unfinished in ") }, "\(result.stderr)")
        #expect(lines.contains { $0.hasPrefix("swell: stage b stopped: 0 of 2 tasks succeeded, 2 unfinished in ") }, "\(result.stderr)")
        #expect(lines.contains("swell: stage c not run"), "\(result.stderr)")
        #expect(await eventually(.seconds(5)) { countProcesses(named: nap) == 0 })
    }

    /// Continued after a Ctrl-C that came before its first stage's task had finished: that
    /// stage goes on (before: it said `started`), and the count of tasks done leaves out the
    /// total while a `lines-of` stage's scopes are not known (before: it counted them as none).
    @Test func aContinuedRunThatHadDoneNothingSaysItGoesOn() async throws {
        let work = Scratch()
        defer { work.remove() }
        let nap = try work.sleepUnderOwnName("nap")
        let plan = work.write("p.yaml", """
            name: goes-on
            stages:
              - id: list
                run: 'if [ -e go ]; then printf "p\\nq\\n"; else ./\(nap) 60; fi'
              - id: each
                partition: { lines-of: list }
                run: echo {scope}
            """)
        let first = try BackgroundRun(["run", plan, "--state", work.path + "/state"], in: work)
        defer { first.terminate() }
        #expect(await eventually { countProcesses(named: nap) == 1 })
        first.process.interrupt()
        #expect(await first.wait() == 130)
        let run = try #require(first.runID, "\(first.stderr)")
        _ = work.write("go", "")
        let again = try await swell(["run", plan, "--state", work.path + "/state", "--continue", run], in: work.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "p\nq\n")
        let lines = again.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("swell: run \(run) continues: 0 task(s) already done are not run again"), "\(again.stderr)")
        #expect(lines.contains("swell: stage list goes on: 0 of 1 task done before"), "\(again.stderr)")
        #expect(lines.contains("swell: stage each started: 2 tasks"), "\(again.stderr)")
    }

    /// SIGTERM is Ctrl-C's equal (before, it ended the process outright: exit by the signal,
    /// nothing said, the journal left saying the run was running): the run is cancelled and
    /// journaled so, each stage's end is said, and the last line says how to go on.
    @Test func sigtermCancelsTheRunAsCtrlCDoes() async throws {
        let work = Scratch()
        defer { work.remove() }
        let marker = try work.sleepUnderOwnName("nap")
        let plan = work.write("p.yaml", """
            name: terminated
            stages:
              - id: nap
                partition: { items: [a, b, c] }
                run: ./\(marker) 60
              - id: after
                needs: [nap]
                run: cat
            """)
        let run = try BackgroundRun(["run", plan, "--state", work.path + "/state", "--progress", "plain"], in: work)
        defer { run.terminate() }
        #expect(await eventually { countProcesses(named: marker) == 3 })
        run.process.terminate()
        #expect(await run.wait() == 143)
        #expect(run.process.terminationReason == .exit)
        #expect(await eventually(.seconds(5)) { countProcesses(named: marker) == 0 })
        let id = try #require(run.runID)
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("swell: terminated (SIGTERM): cancelling run \(id)"), "\(run.stderr)")
        #expect(lines.contains { $0.hasPrefix("swell: stage nap stopped: 0 of 3 tasks succeeded, 3 unfinished in ") }, "\(run.stderr)")
        #expect(lines.contains("swell: stage after not run"), "\(run.stderr)")
        #expect(lines.contains("swell: run \(id) cancelled; its reports so far: swell logs \(id) --state \(work.path)/state"), "\(run.stderr)")
        #expect(lines.last?.hasPrefix("swell: to go on with it: swell run ") == true, "\(run.stderr)")
        let journal = try DatabaseQueue(path: work.path + "/state/journal.sqlite")
        let status = try await journal.read { db in try String.fetchOne(db, sql: "SELECT status FROM run") }
        #expect(status == "cancelled")
    }

    @Test func aMillionLineStageKeepsItsNodeAndSaysWhatIsWrong() async throws {
        // The lines are split and checked beside the coordinator's loop (seconds in a debug
        // build), which goes on meanwhile: the node in the same process is neither counted down
        // nor thinks itself lost, and the last line, inside the first, fails the stage with its
        // line number.
        let (result, work) = try await runPlan("""
            name: huge
            width: 10
            stages:
              - id: inventory
                run: "seq 1000000; echo 1/x"
              - id: each
                partition: { lines-of: inventory }
                run: "true"
            """, ["--log-level", "info"])
        defer { work.remove() }
        #expect(result.status == 1)
        #expect(result.stderr.contains("'1' (line 1) and '1/x' (line 1000001) overlap"))
        #expect(!result.stderr.contains("is down"))
        #expect(!result.stderr.contains("joining again"))
        #expect(!result.stderr.contains("warning swell: [SwellCoordinator] the coordinator did not run"))
        // Said to fail, not to start with no task and finish as if it had succeeded.
        #expect(result.stderr.contains("swell: stage each failed before any task started\n"), "\(result.stderr)")
        #expect(!result.stderr.contains("swell: stage each started"), "\(result.stderr)")
    }

    @Test func aStageWhoseScopesCannotBeMadeStaysFailedUnderRetryFailed() async throws {
        // Its scopes were never made: --json leaves its task count out, and --retry-failed
        // makes them again from the same output, so it fails again with the same reason and
        // the stage after it does not run (before, it went on with no task and the run
        // "succeeded").
        let (first, work) = try await runPlan("""
            name: overlap
            stages:
              - id: inventory
                run: "printf 'a\\nb\\na/x\\n'"
              - id: each
                partition: { lines-of: inventory }
                run: "true"
              - id: after
                needs: [each]
                run: "echo after ran"
            """, ["--json"])
        defer { work.remove() }
        #expect(first.status == 1, "\(first.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let run = try #require(object["run"] as? String)
        let stages = try #require(object["stages"] as? [[String: Any]])
        let each = try #require(stages.first { $0["id"] as? String == "each" })
        #expect(each["status"] as? String == "failed")
        #expect(each["tasks"] == nil, "\(each)")
        let again = try await swell(["run", work.path + "/plan.yaml", "--state", work.path + "/state", "--retry-failed", run], in: "/")
        #expect(again.status == 1, "\(again.stderr)")
        #expect(again.stderr.contains("'a' (line 1) and 'a/x' (line 3) overlap"), "\(again.stderr)")
        #expect(again.stderr.contains("swell: stage each failed before any task started\n"), "\(again.stderr)")
        #expect(!again.stdout.contains("after ran"), "\(again.stdout)")
        #expect(again.stderr.contains("run \(run) failed"), "\(again.stderr)")
        let journal = try DatabaseQueue(path: work.path + "/state/journal.sqlite")
        let status = try await journal.read { db in try String.fetchOne(db, sql: "SELECT status FROM run") }
        #expect(status == "failed")
    }

    @Test func aNodeWithManySlotsIsNotStoppedByTheUsualOpenFileLimit() async throws {
        // 12 stages of 10 tasks on 120 slots: 120 tasks at once, three descriptors each, under
        // a soft limit of 256 open files (the hard limit is left as it is, and swell raises the
        // soft one to it).
        let stages = (1...12).map { n in
            "  - id: s\(n)\n    partition: { items: [\((1...10).map { "i\($0)" }.joined(separator: ", "))] }\n    run: \"sleep 1; echo {scope}\"\n"
        }.joined()
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("plan.yaml", "name: many\nwidth: 10\nstages:\n" + stages)
        let result = try await run("/usr/bin/prlimit", ["--nofile=256:", "--", Binaries.path("swell"), "run", plan,
                                                        "--state", work.path + "/state", "--slots", "120"], in: "/")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 120)
        #expect(!result.stderr.contains("Too many open files"))
    }

    @Test func slotsThatTheOpenFileLimitCannotHoldAreRefusedBeforeAnyTaskStarts() async throws {
        // A hard limit of 100 open files: 60 slots would need about 304, and tasks would fail
        // with "Too many open files" once a few dozen ran. Refused at once, with what fits.
        let work = Scratch()
        defer { work.remove() }
        let ran = work.path + "/ran"
        let plan = work.write("plan.yaml", "name: many\nstages:\n  - id: t\n    partition: { items: [a, b] }\n    run: touch \(ran)\n")
        let embedded = try await run("/usr/bin/prlimit", ["--nofile=100:100", "--", Binaries.path("swell"), "run", plan,
                                                          "--state", work.path + "/state", "--slots", "60"], in: "/")
        #expect(embedded.status == 2, "\(embedded.stderr)")
        #expect(embedded.stderr.contains("--slots 60 needs about 304 open files"), "\(embedded.stderr)")
        #expect(embedded.stderr.contains("may open 100 (its hard limit, ulimit -Hn): use --slots 9 at most"), "\(embedded.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ran))
        // What fits runs.
        let fits = try await run("/usr/bin/prlimit", ["--nofile=100:100", "--", Binaries.path("swell"), "run", plan,
                                                      "--state", work.path + "/state", "--slots", "9"], in: "/")
        #expect(fits.status == 0, "\(fits.stderr)")
        #expect(FileManager.default.fileExists(atPath: ran))
        // A node says so before it joins.
        let node = try await run("/usr/bin/prlimit", ["--nofile=100:100", "--", Binaries.path("swell-node"), "--join", "tcp://127.0.0.1:9",
                                                      "--slots", "60"], in: "/")
        #expect(node.status == 2, "\(node.stderr)")
        #expect(node.stderr.contains("--slots 60 needs about 304 open files"), "\(node.stderr)")
        // Its default, not given, is not quoted as if it had been.
        let byDefault = try await run("/usr/bin/prlimit", ["--nofile=100:100", "--", Binaries.path("swell-node"), "--join", "tcp://127.0.0.1:9"], in: "/")
        #expect(byDefault.status == 2 && byDefault.stderr.contains("10 slots (the default of --slots) need about 104 open files"), "\(byDefault.stderr)")
    }

    /// Under 32 open files every binary says so and exits 2 before it starts; before, each
    /// crashed somewhere in libdispatch or libzmq (signal 4, or an assertion in epoll.cpp).
    @Test func anOpenFileLimitTooLowToStartIsSaidNotCrashedOn() async throws {
        let work = Scratch()
        defer { work.remove() }
        let state = ["--state", work.path + "/state"]
        for (binary, arguments) in [("swell", ["status"] + state), ("swell-node", ["--join", "tcp://127.0.0.1:9"]),
                                    ("swell-coordinator", ["--listen", "tcp://127.0.0.1:0"] + state)] {
            for limit in [5, 12, 31] {
                let ran = try await run("/usr/bin/prlimit", ["--nofile=\(limit):\(limit)", "--", Binaries.path(binary)] + arguments, in: "/")
                #expect(ran.status == 2, "\(binary) under \(limit): \(ran.stderr)")
                #expect(ran.stderr == "\(binary): this process may open \(limit) files (its hard limit, ulimit -Hn), and Swell needs at least 32: "
                        + "raise the limit (LimitNOFILE= in a systemd unit, --ulimit nofile=N:N for a container, ulimit -Hn N as root)\n",
                        "\(binary) under \(limit): \(ran.stderr)")
            }
        }
        // A coordinator that can start, but hold only a few connections, says how many.
        let coordinator = try Background("/usr/bin/prlimit", ["--nofile=200:200", "--", Binaries.path("swell-coordinator"),
                                                              "--listen", "tcp://127.0.0.1:0"] + state,
                                         log: work.path + "/coordinator.log", name: "coordinator")
        defer { coordinator.stop() }
        #expect(await eventually { coordinator.output.contains("listening on tcp://") }, "\(coordinator.output)")
        // About what it has left once it listens: 200, less the descriptors it holds, less the
        // 64 it keeps free (an eighth of larger limits).
        let said = coordinator.output.components(separatedBy: "this coordinator may open 200 files (ulimit -n): about ").dropFirst().first
        let count = said.flatMap { Int($0.prefix { $0.isNumber }) }
        #expect(count.map { (90...136).contains($0) } == true, "\(coordinator.output)")
        #expect(coordinator.output.contains("nodes and clients can be connected at once, and any more are turned away"), "\(coordinator.output)")
        // More connections than its limit holds (plain TCP ones, an open file each once
        // accepted) while a node runs a run's tasks: those past the room it keeps are closed as
        // they come, and said in its log; it never reaches its limit, and the run goes on.
        // Before, libzmq took its last open files and retried its accept in a loop, and the
        // Swift runtime ended a busy coordinator (SIGILL) when its thread pool's monitor could
        // not open /proc (6-7 s into such a flood, measured).
        let line = try #require(coordinator.output.split(separator: "\n").first { $0.contains("listening on tcp://") })
        let endpoint = String(line[line.range(of: "listening on ")!.upperBound...]).trimmingCharacters(in: .whitespaces)
        let port = try #require(UInt16(endpoint.split(separator: ":").last!), "\(line)")
        let node = try Background(Binaries.path("swell-node"), ["--join", endpoint, "--name", "n1", "--workdir", work.path],
                                  log: work.path + "/node.log", name: "node")
        defer { node.stop() }
        #expect(await eventually { coordinator.output.contains("node n1 joined") }, "\(coordinator.output)")
        let plan = work.write("held.yaml", """
            name: held
            stages:
              - id: t
                partition: { items: [\((1...20).map(String.init).joined(separator: ", "))] }
                run: "while [ ! -e \(work.path)/release ]; do sleep 0.05; done; echo {scope}"
            """)
        let held = try BackgroundRun(["run", plan, "--coordinator", endpoint, "--progress", "plain"], in: work, name: "held")
        #expect(await eventually { held.stderr.contains("stage t started") }, "\(held.stderr)")
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<250 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            sockets.append(fd)
        }
        #expect(await eventually { coordinator.output.contains("turned away ") }, "\(coordinator.output)")
        #expect(coordinator.output.contains(" were open, as many as this coordinator's open-file limit (200, ulimit -n) leaves room for; raise the limit"),
                "\(coordinator.output)")
        // A burst can take some of its reserve for a moment; then it holds what its room allows.
        var open = 0
        #expect(await eventually {
            open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(coordinator.pid)/fd").count) ?? 200
            return open < 200 - 32
        }, "the coordinator holds \(open) of its 200 files")
        // A client turned away tries again until its --connect-timeout, then says why it may be
        // (before, it gave up at once, blaming keys this coordinator does not use).
        let started = ContinuousClock.now
        let refused = try await swell(["status", "--coordinator", endpoint, "--connect-timeout", "2s"])
        #expect(refused.status == 3 && refused.stderr.contains("it is at its connection limit"), "\(refused.stderr)")
        #expect(ContinuousClock.now - started >= .seconds(2), "\(refused.stderr)")
        sockets.forEach { close($0) }
        sockets = []
        #expect(await eventually {
            (try? await swell(["status", "--coordinator", endpoint]))?.status == 0
        }, "\(coordinator.output)")
        _ = work.write("release", "")
        #expect(await held.wait() == 0, "\(held.stderr)\n\(coordinator.output)")
        #expect(held.stdout == (1...20).map { "\($0)\n" }.joined())
        #expect(coordinator.process.isRunning, "\(coordinator.output)")
    }

    @Test func stderrCostsTheNodeItsTailNotWhatWasWritten() async throws {
        // 300 MB on stderr; the next task reads the peak memory of its parent: the swell process.
        let (result, work) = try await runPlan("""
            name: noisy
            stages:
              - id: noisy
                run: head -c 300000000 /dev/zero | tr '\\0' b >&2
              - id: peak
                needs: [noisy]
                run: grep VmHWM /proc/$PPID/status
            """)
        defer { work.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        let peak = try #require(result.stdout.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.first, "\(result.stdout)")
        #expect(peak < 200_000, "swell peaked at \(peak) KiB for 300 MB of stderr")
    }

    @Test func anEmbeddedRunKilledOutrightIsMarkedInterruptedNotResumed() async throws {
        let work = Scratch()
        defer { work.remove() }
        // Tasks that cannot end before the kill, however slow the machine (they wait for the
        // test's `release` file, for at most 60 s), napping under a name of their own so that the
        // test can wait for the orphans to end.
        let marker = try work.sleepUnderOwnName("nap")
        let slow = work.write("slow.yaml", """
            name: slow
            stages:
              - id: nap
                partition: { items: [a, b] }
                run: echo "{scope}" >> started; for i in $(seq 600); do [ -e release ] && break; ./\(marker) 0.1; done; echo "{scope}" >> ended
            """)
        let first = try BackgroundRun(["run", slow, "--state", work.path + "/state"], in: work, name: "first")
        #expect(await eventually { work.read("started").split(separator: "\n").count == 2 })
        let killed = try #require(first.runID)
        first.kill9()
        let killedAt = Date().timeIntervalSince1970
        let quick = work.write("quick.yaml", "name: quick\nstages:\n  - id: a\n    run: echo fine\n")
        let second = try await swell(["run", quick, "--state", work.path + "/state"])
        #expect(second.status == 0)
        #expect(second.stdout == "fine\n")
        let journal = try DatabaseQueue(path: work.path + "/state/journal.sqlite")
        let row = try journal.read { db in
            try Row.fetchOne(db, sql: "SELECT status, error, endedAt, createdAt FROM run WHERE id = ?", arguments: [killed])
        }
        #expect(row?["status"] as String? == "failed")
        #expect(row?["error"] as String? == "interrupted: the swell run that ran it ended")
        // It ended when it was last heard of (its stage's start), not when the next run noticed.
        let ended: Double = try #require(row?["endedAt"])
        #expect(ended <= killedAt && ended >= (row?["createdAt"] as Double? ?? .infinity), "ended at \(ended), killed at \(killedAt)")
        let stage = try journal.read { db in
            try Row.fetchOne(db, sql: "SELECT status, endedAt FROM stage WHERE run = ? AND stage = 'nap'", arguments: [killed])
        }
        #expect(stage?["status"] as String? == "cancelled")
        #expect(stage?["endedAt"] as Double? == ended)
        #expect(work.read("started").split(separator: "\n").count == 2, "the killed run's tasks ran again")
        // The killed run's tasks end with it (its watchdog kills them): none gets to its end.
        #expect(await eventually(.seconds(10)) { countProcesses(named: marker) == 0 })
        _ = work.write("release", "")
        #expect(work.read("ended").isEmpty)
    }

    /// Without awk the watchdog cannot start: the run says so, and runs all the same. The
    /// watchdog starts beside the run's own start-up, so the warning comes from that thread.
    @Test func aRunWithoutAwkSaysItsTasksMayOutliveItAndRuns() async throws {
        let work = Scratch()
        defer { work.remove() }
        try FileManager.default.createDirectory(atPath: work.path + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: work.path + "/bin/sh", withDestinationPath: "/bin/sh")
        let plan = work.write("plan.yaml", """
            name: no-awk
            stages:
              - id: say
                partition: { items: [a, b, c] }
                run: echo "task $SWELL_SCOPE"
            """)
        let result = try await run(Binaries.path("swell"), ["run", plan, "--state", work.path + "/state", "--progress", "none"],
                                   in: work.path, environment: ["PATH": work.path + "/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "task a\ntask b\ntask c\n")
        #expect(result.stderr.contains("tasks that leave their process group may outlive them: no awk on PATH for the task watchdog"),
                "\(result.stderr)")
    }

    /// A stdout that cannot be written (here opened for reading only: EBADF; a full disk gives
    /// ENOSPC) is not a reader that left: `swell run` says why, stops the run (here it had
    /// ended), points to its outputs and fails; `swell status` says why and fails too.
    @Test func aStdoutThatCannotBeWrittenSaysWhyAndFails() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("plan.yaml", """
            name: unwritable
            stages:
              - id: say
                partition: {items: [a, b]}
                run: echo {scope}
            """)
        func swellToUnwritableStdout(_ arguments: [String]) async throws -> (status: Int32, stderr: String) {
            let out = work.write("stdout", ""), err = work.write("stderr", "")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binaries.path("swell"))
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": work.path]) { $1 }
            process.standardOutput = FileHandle(forReadingAtPath: out)
            process.standardError = FileHandle(forWritingAtPath: err)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            if await !eventually(.seconds(60), { !process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return (process.terminationStatus, work.read("stderr"))
        }
        let run = try await swellToUnwritableStdout(["run", plan, "--state", work.path + "/state", "--progress", "plain"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("swell: cannot write to stdout: Bad file descriptor"), "\(run.stderr)")
        // Its outputs stream as its tasks end: either the run had succeeded before anything
        // could be stopped, or it was stopped, and it says which, once (before, it said first
        // that it "stops", then that it had succeeded).
        let ended = run.stderr.contains("succeeded before it could be stopped; its outputs: swell logs ")
        let stoppedEarly = run.stderr.contains(" stopped; its reports so far: swell logs ")
        #expect(ended != stoppedEarly && !run.stderr.contains("stops;"), "\(run.stderr)")
        // A sink that ends while another stage runs: the run stops, and says so once stopped.
        let two = work.write("two.yaml", """
            name: two-sinks
            stages:
              - id: quick
                run: echo quick
              - id: slow
                run: sleep 600
            """)
        let stopped = try await swellToUnwritableStdout(["run", two, "--state", work.path + "/state", "--progress", "plain"])
        #expect(stopped.status == 1, "\(stopped.stderr)")
        #expect(stopped.stderr.contains(" stopped; its reports so far: swell logs "), "\(stopped.stderr)")
        let status = try await swellToUnwritableStdout(["status", "--state", work.path + "/state"])
        #expect(status.status == 1, "\(status.stderr)")
        #expect(status.stderr == "swell: cannot write to stdout: Bad file descriptor\n", "\(status.stderr)")
    }

    /// A joblog whose writes start failing mid-run (here a FIFO whose reader left after the
    /// header: EPIPE; a full disk gives ENOSPC) ends there: the run says why, once, goes on
    /// with every output, and fails.
    @Test func aJoblogThatCannotBeWrittenSaysWhyAndTheRunGoesOn() async throws {
        let work = Scratch()
        defer { work.remove() }
        let joblog = work.path + "/joblog"
        #expect(mkfifo(joblog, 0o600) == 0)
        let reader = try Background("/usr/bin/head", ["-c", "1", joblog], log: work.path + "/reader.log", name: "reader")
        defer { reader.kill9() }
        let plan = work.write("plan.yaml", """
            name: joblog-lost
            stages:
              - id: say
                partition: {items: [a, b, c]}
                run: for i in $(seq 600); do [ -e go ] && break; sleep 0.05; done; echo {scope}
            """)
        let run = try BackgroundRun(["run", plan, "--state", work.path + "/state", "--joblog", joblog], in: work)
        defer { run.kill9() }
        #expect(await eventually(.seconds(30)) { !reader.process.isRunning }, "the joblog's reader did not leave")
        _ = work.write("go", "")
        #expect(await run.wait(.seconds(60)) == 1, "\(run.stderr)")
        #expect(run.stdout == "a\nb\nc\n")
        let said = run.stderr.components(separatedBy: "cannot write the joblog \(joblog): Broken pipe; it ends here").count - 1
        #expect(said == 1, "\(run.stderr)")
    }

    /// A `swell run` killed outright whose parent has not waited for it yet (a zombie, still
    /// holding its process id) ran nothing any more: the next run marks its run interrupted.
    @Test func anEmbeddedRunKilledButNotYetWaitedForIsMarkedInterrupted() async throws {
        let work = Scratch()
        defer { work.remove() }
        _ = work.write("slow.yaml", """
            name: slow
            stages:
              - id: nap
                run: echo started >> started; for i in $(seq 600); do [ -e release ] && break; sleep 0.1; done
            """)
        // The parent becomes a `sleep` that never waits for its child.
        let parent = try Background("/bin/sh", ["-c", """
            "$0" run slow.yaml --state state 2> first.err & echo $! > first.pid; exec sleep 600
            """, Binaries.path("swell")], log: work.path + "/parent.log", name: "parent", directory: work.path)
        defer {
            _ = work.write("release", "")
            parent.kill9()
        }
        #expect(await eventually { work.read("started").contains("started") && work.read("first.err").contains(" started (plan ") })
        let pid = try #require(Int32(work.read("first.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        let killed = try #require(startedRunID(in: work.read("first.err")), "\(work.read("first.err"))")
        kill(pid, SIGKILL)
        #expect(await eventually { ProcessStart.of(pid)?.hasEnded == true })
        let quick = work.write("quick.yaml", "name: quick\nstages:\n  - id: a\n    run: echo fine\n")
        let second = try await swell(["run", quick, "--state", work.path + "/state"])
        #expect(second.status == 0, "\(second.stderr)")
        let journal = try DatabaseQueue(path: work.path + "/state/journal.sqlite")
        let row = try journal.read { db in
            try Row.fetchOne(db, sql: "SELECT status, error FROM run WHERE id = ?", arguments: [killed])
        }
        #expect(row?["status"] as String? == "failed", "run \(killed): \(work.read("first.err"))")
        #expect(row?["error"] as String? == "interrupted: the swell run that ran it ended")
        #expect(ProcessStart.of(pid)?.hasEnded == true, "the killed swell run was waited for before the check")
    }

    /// `swell run --continue RUN` after that run's `swell run` was killed outright: the work it
    /// had in flight goes on at once, from a new attempt number. (It waited the 10 s resume grace
    /// for a node to bring it back, which a killed embedded node never does.)
    @Test func aKilledEmbeddedRunsWorkInFlightGoesOnAtOnceWhenContinued() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("nap.yaml", """
            name: nap
            stages:
              - id: nap
                partition: { items: [a, b, c] }
                run: echo {scope} >> \(work.path)/started; [ -e \(work.path)/release ] || sleep 600; echo {scope}
            """)
        let first = try BackgroundRun(["run", plan, "--state", work.path + "/state"], in: work)
        defer { first.kill9() }
        #expect(await eventually { work.read("started").split(separator: "\n").count == 3 })
        let run = try #require(first.runID, "\(first.stderr)")
        first.kill9()
        // Its report says what status says: failed (it said "running").
        let report = try await swell(["report", run, "--state", work.path + "/state", "-o", work.path + "/r.html"])
        #expect(report.status == 0 && report.stderr.contains("run \(run) (failed)"), "\(report.stderr)")
        #expect(work.read("r.html").contains("interrupted: the swell run that ran it ended"))
        // No task of it failed: --retry-failed has nothing to run again, and says what does
        // (before, it went on with the run as --continue does).
        let retry = try await swell(["run", plan, "--state", work.path + "/state", "--retry-failed", run])
        #expect(retry.status == 2 && retry.stderr.contains("run \(run) has no failed task to run again (--continue \(run) goes on with it)"),
                "\(retry.stderr)")
        #expect(work.read("started").split(separator: "\n").count == 3)
        _ = work.write("release", "")
        let continued = try await IntegrationTests.run(Binaries.path("swell"), ["run", plan, "--state", work.path + "/state", "--continue", run],
                                                       environment: ["SWELL_LOG_LEVEL": "info"])
        #expect(continued.status == 0, "\(continued.stderr)")
        #expect(!continued.stderr.contains("did not come back"), "\(continued.stderr)")
        #expect(continued.stdout == "a\nb\nc\n")
        let journal = try DatabaseQueue(path: work.path + "/state/journal.sqlite")
        let attempts = try await journal.read { db in
            try Int.fetchAll(db, sql: "SELECT attempt FROM report WHERE run = ? AND final = 1 ORDER BY \"index\"", arguments: [run])
        }
        #expect(attempts.count == 3 && Set(attempts).count == 1 && attempts[0] > 1, "\(attempts)")
        let held = try await journal.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM assignment") }
        #expect(held == 0)
    }

    /// Ctrl-C cancels an embedded run, and its last line says how to go on with it; the command
    /// it gives does (before, "interrupted: cancelling run R" was all it said).
    @Test func anInterruptedRunSaysHowToGoOnWithIt() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("wait.yaml", """
            name: wait
            stages:
              - id: w
                partition: { items: [a, b] }
                run: echo {scope} >> \(work.path)/started; while [ ! -e \(work.path)/release ]; do sleep 0.05; done; echo {scope}
            """)
        let first = try BackgroundRun(["run", plan, "--state", work.path + "/state"], in: work)
        defer { first.kill9() }
        #expect(await eventually { work.read("started").split(separator: "\n").count == 2 })
        let run = try #require(first.runID, "\(first.stderr)")
        kill(first.process.processIdentifier, SIGINT)
        #expect(await first.wait() == 130, "\(first.stderr)")
        let hint = "to go on with it: swell run \(plan) --state \(work.path)/state --continue \(run)"
        #expect(first.stderr.hasSuffix("swell: \(hint)\n"), "\(first.stderr)")
        _ = work.write("release", "")
        let again = try await swell(Array(hint.split(separator: " ").dropFirst(6).map(String.init)))
        #expect(again.status == 0 && again.stdout == "a\nb\n", "\(again.stderr)")
    }

    /// Several `swell run --retry-failed RUN` started together on one state folder: one takes
    /// the run up, the others are refused; no task runs twice.
    @Test func continuingOneRunTwiceAtOnceRunsItsTasksOnce() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("flaky.yaml", """
            name: flaky
            stages:
              - id: a
                partition: { items: [x, y, z] }
                run: echo {scope} >> ledger; [ -e fixed ] || exit 1
                on-failure: continue
            """)
        let first = try await swell(["run", plan, "--state", work.path + "/state"])
        #expect(first.status == 1)
        let run = try #require(startedRunID(in: first.stderr), "\(first.stderr)")
        _ = work.write("fixed", "")
        let retries = try (0..<6).map { i in
            try BackgroundRun(["run", plan, "--state", work.path + "/state", "--retry-failed", run], in: work, name: "retry\(i)")
        }
        var statuses: [Int32] = []
        for retry in retries { statuses.append(await retry.wait()) }
        #expect(statuses.filter { $0 == 0 }.count == 1, "\(statuses): \(retries.map(\.stderr))")
        #expect(statuses.filter { $0 == 2 }.count == 5, "\(statuses)")
        let ledger = work.read("ledger").split(separator: "\n")
        #expect(ledger.count == 6, "\(ledger)")
        #expect(ledger.sorted() == ["x", "x", "y", "y", "z", "z"])
    }

    @Test func aReaderThatGoesAwayEndsTheCommandQuietly() async throws {
        let (result, work) = try await runPlan("""
            name: many-lines
            stages:
              - id: lines
                run: seq 1 200000
            """)
        defer { work.remove() }
        #expect(result.status == 0)
        let run = try #require(result.stderr.split(separator: " ").dropFirst().first { $0.hasPrefix("20") })
        // `swell logs RUN | head -0`: the pipe's reader is gone before the first write.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("swell"))
        process.arguments = ["logs", String(run), "--state", work.path + "/state"]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try stdout.fileHandleForReading.close()
        try process.run()
        process.waitUntilExit()
        let said = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 141)
        #expect(said.isEmpty, "\(said)")
    }

    /// The completion scripts docs/cli.md shows how to install are there, for each binary and shell.
    @Test func completionScriptsAreThereForEachBinary() async throws {
        for (binary, function) in [("swell", "_swell"), ("swell-node", "_swell-node"), ("swell-coordinator", "_swell-coordinator")] {
            for shell in ["bash", "zsh", "fish"] {
                let made = try await run(Binaries.path(binary), ["--generate-completion-script", shell])
                #expect(made.status == 0, "\(binary) \(shell): \(made.stderr)")
                #expect(made.stdout.contains(shell == "fish" ? "complete -c '\(binary)'" : function), "\(binary) \(shell)")
            }
        }
        let swell = try await run(Binaries.path("swell"), ["--generate-completion-script", "bash"])
        #expect(swell.stdout.contains("status") && swell.stdout.contains("validate"))
    }

    @Test func aSetValueThatIsNotUTF8IsRefusedNotReplaced() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("v.yaml", "name: v\nvars: { v: \"\" }\nstages:\n  - id: a\n    run: echo {vars.v}\n")
        let script = #""$0" run "$1" --state "$2" --set "v=$(printf 'a\377b')""#
        let refused = try await run("/bin/sh", ["-c", script, Binaries.path("swell"), plan, work.path + "/state"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("--set v=...: the value is not UTF-8 text"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        // U+FFFD written as such is text like any other.
        let given = try await swell(["run", plan, "--state", work.path + "/state", "--set", "v=a\u{FFFD}b"])
        #expect(given.status == 0 && given.stdout == "a\u{FFFD}b\n", "\(given.stderr)")
    }

    /// The journal keeps how long each task ran: the next run of the plan starts the longest
    /// first (a scope it has not seen before ahead of them), and its output stays in scope order.
    @Test func aPlanThatRanBeforeStartsItsLongestTasksFirst() async throws {
        let work = Scratch()
        defer { work.remove() }
        func plan(_ items: [String]) -> String {
            work.write("plan.yaml", """
                name: learned-order
                stages:
                  - id: work
                    partition: { items: [\(items.map { "\"\($0)\"" }.joined(separator: ", "))] }
                    run: 'echo "${SWELL_SCOPE% *}" >> started; sleep "${SWELL_SCOPE#* }"; echo "${SWELL_SCOPE% *}"'
                """)
        }
        let args = ["--state", work.path + "/state", "--slots", "1"]
        let first = try await swell(["run", plan(["a 0", "b 0.9", "c 0.4"])] + args, in: work.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "a\nb\nc\n")
        #expect(work.read("started") == "a\nb\nc\n", "a first run goes in scope order")
        try FileManager.default.removeItem(atPath: work.path + "/started")
        let second = try await swell(["run", plan(["a 0", "b 0.9", "c 0.4", "d 0"])] + args, in: work.path)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == "a\nb\nc\nd\n")
        #expect(work.read("started") == "d\nb\nc\na\n")
    }

    @Test func aCoordinatorThatIsNotThereExitsThree() async throws {
        let port = try freePort()
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("p.yaml", "name: x\nstages:\n  - id: a\n    run: 'true'\n")
        let run = try await swell(["run", plan, "--coordinator", "tcp://127.0.0.1:\(port)", "--connect-timeout", "1s"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("no answer from a coordinator at tcp://127.0.0.1:\(port)"))
        let status = try await swell(["status", "--coordinator", "tcp://127.0.0.1:\(port)", "--connect-timeout", "500ms"])
        #expect(status.status == 3)
        // A timeout without its unit is refused, saying that a unit is needed (before, only
        // that the value was invalid).
        let unitless = try await swell(["status", "--coordinator", "tcp://127.0.0.1:\(port)", "--connect-timeout", "10"])
        #expect(unitless.status == 2 && unitless.stderr.contains("(a number and its unit: 500ms, 5s, 2m)"), "\(unitless.stderr)")
    }
}

/// A TCP port nothing listens on (bound and released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Live processes whose program is named `name` (15 characters at most, as the kernel keeps).
/// `swell run` of a one-task plan on a journal in `work/state` that `sql` made beforehand.
func runOnJournal(in work: Scratch, made sql: String) async throws -> Finished {
    try FileManager.default.createDirectory(atPath: work.path + "/state", withIntermediateDirectories: true)
    let journal = try DatabaseQueue(path: work.path + "/state/journal.sqlite")
    try await journal.write { db in try db.execute(sql: sql) }
    let plan = work.write("p.yaml", "name: x\nstages:\n  - id: a\n    run: echo hi\n")
    return try await swell(["run", plan, "--state", work.path + "/state"], timeout: .seconds(60))
}

func countProcesses(named name: String) -> Int {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.filter { pid in
        guard Int(pid) != nil, let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return comm.trimmingCharacters(in: .whitespacesAndNewlines) == name && state != "Z"
    }.count
}
