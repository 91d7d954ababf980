import Foundation
import Testing
import SwellTestSupport

@Suite struct PastRunsTests {
    /// `swell status --state DIR` lists the embedded default's past runs from its journal,
    /// newest first, with their counts, and `--json` outputs say which schema they follow.
    @Test func statusListsTheRunsOfAJournal() async throws {
        let work = Scratch()
        defer { work.remove() }
        let state = work.path + "/state"
        let good = work.write("good.yaml", "name: good\nstages:\n  - id: a\n    run: echo hi\n")
        let bad = work.write("bad.yaml", "name: bad\nstages:\n  - id: items\n    run: printf 'x\\ny\\n'\n"
            + "  - id: each\n    partition: { lines-of: items }\n    run: exit 1\n    on-failure: continue\n")
        let first = try await swell(["run", good, "--state", state, "--json"])
        #expect(first.status == 0)
        let second = try await swell(["run", bad, "--state", state])
        #expect(second.status == 1)

        let listed = try await swell(["status", "--state", state])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = listed.stdout.split(separator: "\n").filter { $0.contains("good") || $0.contains("bad") }
        #expect(rows.count == 2, "\(listed.stdout)")
        #expect(rows.first?.contains("bad") == true && rows.first?.contains("failed") == true, "newest first: \(listed.stdout)")
        #expect(rows.last?.contains("succeeded") == true)

        let json = try await swell(["status", "--state", state, "--json", "--runs", "1"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 1)
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        #expect(runs.first?["name"] as? String == "bad")
        #expect(runs.first?["tasks"] as? Int == 3)
        #expect(runs.first?["failed"] as? Int == 2)

        let run = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(run["schemaVersion"] as? Int == 1)
        let logs = try await swell(["logs", try #require(run["run"] as? String), "--state", state, "--json"])
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]])
        #expect(!reports.isEmpty && reports.allSatisfy { $0["schemaVersion"] as? Int == 1 })

        // swell prune: nothing ended an hour ago; both runs ended over a millisecond ago.
        let kept = try await swell(["prune", "--state", state, "--older-than", "1h"])
        #expect(kept.status == 0 && kept.stdout.isEmpty && kept.stderr.contains("removed 0 runs"), "\(kept.stderr)")
        let listedOnly = try await swell(["prune", "--state", state, "--older-than", "1ms", "--dry-run"])
        #expect(listedOnly.stdout.split(separator: "\n").count == 2 && listedOnly.stderr.contains("would remove 2 runs"))
        let pruned = try await swell(["prune", "--state", state, "--older-than", "1ms"])
        #expect(pruned.status == 0 && pruned.stderr.contains("removed 2 runs"), "\(pruned.stderr)")
        #expect(try await swell(["status", "--state", state]).stdout.contains("no runs"))

        let none = try await swell(["status", "--state", work.path + "/elsewhere"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("no journal at"))
        let both = try await swell(["status", "--state", state, "--coordinator", "tcp://127.0.0.1:9"])
        #expect(both.status == 2)
    }

    /// The runs a journal lists, as `swell status --state` reads them from another process.
    static func listedRuns(_ state: String) async throws -> [[String: Any]] {
        let json = try await swell(["status", "--state", state, "--json"])
        // Before the run has made its journal, there is nothing to list.
        guard json.status == 0 else { return [] }
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        return object?["runs"] as? [[String: Any]] ?? []
    }

    /// A `swell run` in the background, with a journal in `work`/state, of one task per item
    /// that each holds its slot until the file `work`/go appears.
    static func heldRun(_ items: [String], in work: Scratch) throws -> (BackgroundRun, state: String) {
        let plan = work.write("held.yaml", "name: held\nwidth: \(items.count)\npacing: rolling\nstages:\n  - id: each\n"
            + "    partition: { items: [\(items.joined(separator: ", "))] }\n"
            + "    run: 'while [ ! -e \(work.path)/go ]; do sleep 0.02; done'\n")
        let state = work.path + "/state"
        return (try BackgroundRun(["run", plan, "--state", state], in: work), state)
    }

    /// A run that lives in another `swell run` shows its running tasks in `swell status
    /// --state`, as its coordinator records them with its progress, and none once it is over.
    @Test func statusOfAJournalCountsTheTasksOfALiveRun() async throws {
        let work = Scratch()
        defer { work.remove() }
        let (run, state) = try Self.heldRun(["a", "b", "c"], in: work)
        defer { run.kill9() }
        var seen: [String: Any] = [:]
        let counted = try await eventually {
            seen = try await Self.listedRuns(state).first ?? [:]
            return seen["running"] as? Int == 3
        }
        #expect(counted, "\(seen)")
        #expect(seen["status"] as? String == "running")
        _ = FileManager.default.createFile(atPath: work.path + "/go", contents: nil)
        #expect(await run.wait() == 0, "\(run.stderr)")
        let over = try #require(try await Self.listedRuns(state).first)
        #expect(over["status"] as? String == "succeeded")
        #expect(over["running"] as? Int == 0)
        #expect(over["succeeded"] as? Int == 3)
    }

    /// A `swell run` killed outright leaves its run marked running in the journal until the
    /// next embedded run there; `swell status --state` already shows it as that run will record
    /// it: failed, nothing running.
    @Test func statusOfAJournalShowsARunWhoseProcessIsGoneAsFailed() async throws {
        let work = Scratch()
        defer { work.remove() }
        let (run, state) = try Self.heldRun(["a", "b"], in: work)
        defer { run.kill9() }
        let counted = try await eventually { try await Self.listedRuns(state).first?["running"] as? Int == 2 }
        #expect(counted)
        run.kill9()
        let listed = try #require(try await Self.listedRuns(state).first)
        #expect(listed["status"] as? String == "failed", "\(listed)")
        #expect(listed["running"] as? Int == 0)
        let table = try await swell(["status", "--state", state])
        #expect(table.stdout.contains(" failed "), "\(table.stdout)")
    }
}
