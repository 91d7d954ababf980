import Foundation
import GRDB
import Testing
@testable import SwellCore
@testable import SwellJournal

@Suite struct JournalTests {
    func report(_ index: Int, attempt: Int = 1, scope: String, out: String) -> Report {
        Report(run: "r1", stage: "scan", index: index, scope: scope, attempt: attempt, node: "n", exitCode: 0, signal: nil,
               timedOut: false, error: nil, startedAt: 1, endedAt: 2, stdoutBytes: out.utf8.count, stdoutTruncated: false,
               command: "echo", stdout: Data(out.utf8), stderrTail: Data("err".utf8))
    }

    @Test func writesOneBatchAndReadsItBackInOrder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        var batch = Journal.Batch()
        batch.runs.append(RunRecord(id: "r1", name: "p", file: "p.yaml", baseDirectory: "/x", planText: "name: p",
                                    overrides: Data("[]".utf8), scopes: Data("{}".utf8), status: "running",
                                    createdAt: 1, endedAt: nil, error: nil))
        batch.stages.append(StageRecord(run: "r1", stage: "scan", status: "running", scopes: Data("[\"a\"]".utf8),
                                        output: nil, startedAt: 1, endedAt: nil, error: nil))
        batch.reports += [(report(0, scope: "a", out: "one"), true), (report(1, scope: "x.c\ny.c", out: "two"), true)]
        try await journal.write(batch)

        var second = Journal.Batch()
        second.reports.append((report(0, scope: "a", out: "duplicate"), true))   // same key: ignored
        second.reports.append((report(1, attempt: 2, scope: "x.c\ny.c", out: "retry"), true))
        second.runStatus.append(("r1", "succeeded", 3, nil))
        second.stages.append(StageRecord(run: "r1", stage: "scan", status: "succeeded", scopes: nil,
                                         output: Data("out".utf8), startedAt: nil, endedAt: 3, error: nil))
        try await journal.write(second)

        let reports = try journal.reports(run: "r1")
        #expect(reports.map { String(decoding: $0.stdout, as: UTF8.self) } == ["one", "two", "retry"])
        #expect(reports[0].stderrTail == Data("err".utf8))
        #expect(try journal.reports(run: "r1", scope: "y.c").count == 2)
        #expect(try journal.reports(run: "r1", scope: "a").count == 1)
        #expect(try journal.reports(run: "r1", scope: "%").isEmpty)
        #expect(try journal.reports(run: "r1", offset: 1, limit: 1).map(\.index) == [1])
        let run = try #require(try journal.run("r1"))
        #expect(run.status == "succeeded")
        #expect(run.endedAt == 3)
        let stage = try #require(try journal.stages(of: "r1").first)
        #expect(stage.status == "succeeded")
        #expect(stage.scopes == Data("[\"a\"]".utf8))
        #expect(stage.output == Data("out".utf8))
        #expect(stage.startedAt == 1)
        #expect(try journal.unfinishedRuns().isEmpty)
    }

    @Test func aStateDirectoryItCreatesIsPrivate() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: parent) }
        _ = try Journal(directory: parent + "/state")
        let mode = try FileManager.default.attributesOfItem(atPath: parent + "/state")[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func reopeningKeepsEverything() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try Journal(directory: directory)
            var batch = Journal.Batch()
            batch.runs.append(RunRecord(id: "r2", name: "p", file: "p.yaml", baseDirectory: "/x", planText: "",
                                        overrides: Data(), scopes: Data(), status: "running", createdAt: 1, endedAt: nil, error: nil))
            try await journal.write(batch)
        }
        let again = try Journal(directory: directory)
        #expect(try again.unfinishedRuns().map(\.id) == ["r2"])
    }

    @Test func aJournalFromBeforeTheShareColumnIsMigrated() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            let old = try DatabaseQueue(path: directory + "/journal.sqlite")
            try Journal.migrator.migrate(old, upTo: "v1")
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO run VALUES ('old', 'p', 'p.yaml', '/', '', x'', x'', 'succeeded', 1, 2, NULL);
                    INSERT INTO report (run, stage, idx, attempt, scope, node, timedOut, startedAt, endedAt, stdoutBytes,
                        stdoutTruncated, command, stdout, stderrTail, final)
                    VALUES ('old', 's', 0, 1, 'a', 'n', 0, 1, 2, 0, 0, 'c', x'', x'', 1);
                    """)
            }
        }
        let journal = try Journal(directory: directory)
        #expect(try journal.reports(run: "old").first?.share == -1)
        var batch = Journal.Batch()
        var fresh = report(1, scope: "b", out: "x")
        fresh.run = "old"
        fresh.share = 4
        batch.reports.append((fresh, true))
        try await journal.write(batch)
        #expect(try journal.reports(run: "old").map(\.share) == [-1, 4])
    }
}
