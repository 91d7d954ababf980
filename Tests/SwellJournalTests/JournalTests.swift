import Foundation
import GRDB
import Synchronization
import Testing
@testable import SwellCore
@testable import SwellJournal

@Suite struct JournalTests {
    func report(_ index: Int, attempt: Int = 1, scope: String, out: String) -> Report {
        Report(run: "r1", stage: "scan", index: index, scope: scope, attempt: attempt, node: "n", exitCode: 0, signal: nil,
               timedOut: false, error: nil, startedAt: 1, endedAt: 2, stdoutBytes: out.utf8.count, stdoutTruncated: false,
               command: "echo", stdout: Data(out.utf8), stderrTail: Data("err".utf8))
    }

    /// Run r1 of plan p, as accepted.
    func runningRun() -> RunRecord {
        RunRecord(RunAcceptance(id: "r1", name: "p", file: "p.yaml", planText: "name: p", overrides: [], scopes: [:], createdAt: 1),
                  status: .running)
    }

    /// A journal this user may not write (here its folder made immutable: root passes file
    /// modes) is not to be moved aside: the error says so, and what to check.
    @Test func aJournalThatCannotBeOpenedForWantOfPermissionIsNotToBeMovedAside() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        _ = try Journal(directory: directory)
        func chattr(_ flag: String) -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
            process.arguments = [flag, directory]
            try? process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        defer {
            _ = chattr("-i")
            try? FileManager.default.removeItem(atPath: directory)
        }
        try #require(chattr("+i") == 0, "chattr +i on \(directory) failed")
        do {
            _ = try Journal(directory: directory)
            Issue.record("an immutable journal folder was opened")
        } catch let error as JournalOpenError {
            #expect(error.code == 14, "\(error)")
            #expect(error.description.hasSuffix("(this user must be able to read and write the folder and its journal files; the journal is kept as it is)"), "\(error)")
            #expect(!error.description.contains("move it aside"))
        }
        #expect(JournalOpenError(path: "j", reason: "full", code: 13).description == "cannot open the journal j: full (the disk is full: free some space; the journal is kept as it is)")
        #expect(JournalOpenError(path: "j", reason: "no such table: report", code: 1).description.hasSuffix("(move it aside to start with an empty one)"))
    }

    /// What a run is resumed from comes back as it was written: its folder and prompt templates.
    @Test func aRunsFolderAndPromptsAreKept() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        var batch = JournalBatch()
        batch.runs.append(RunRecord(RunAcceptance(id: "r1", name: "p", file: "p.yaml", planText: "name: p", overrides: [],
                                                  scopes: [:], createdAt: 1, folder: "examples",
                                                  prompts: ["review": "Review {scope}:\n\"quotes\" and $dollars\n"]),
                                    status: .running))
        try await journal.write(batch)
        let run = try #require(try journal.unfinishedRuns().first)
        #expect(run.run.folder == "examples")
        #expect(run.run.prompts == ["review": "Review {scope}:\n\"quotes\" and $dollars\n"])
    }

    @Test func durationsComeFromTheLatestEarlierRunThatRanEachScope() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        func ran(_ run: String, _ index: Int, attempt: Int = 1, scope: String, stage: String = "scan", seconds: Double,
                 final: Bool = true) -> ReportRecord {
            var report = report(index, attempt: attempt, scope: scope, out: "")
            report.run = run
            report.stage = stage
            report.startedAt = 100
            report.endedAt = 100 + seconds
            return ReportRecord(report, final: final)
        }
        var batch = JournalBatch()
        for (id, name, created) in [("old", "p", 1.0), ("new", "p", 2.0), ("other", "q", 3.0), ("empty", "p", 4.0), ("now", "p", 5.0)] {
            batch.runs.append(RunRecord(RunAcceptance(id: id, name: name, file: "p.yaml", planText: "", overrides: [],
                                                      scopes: [:], createdAt: created), status: .succeeded))
        }
        batch.reports += [
            ran("old", 0, scope: "a", seconds: 9), ran("old", 1, scope: "b", seconds: 9),
            ran("new", 0, scope: "a", seconds: 5, final: false), ran("new", 0, attempt: 2, scope: "a", seconds: 2),
            ran("new", -1, scope: "", seconds: 7),
            ran("other", 0, scope: "a", seconds: 1),
            // A later run of the plan that did not get to this stage.
            ran("empty", 0, scope: "a", stage: "other", seconds: 1),
            ran("now", 0, scope: "a", seconds: 4),
        ]
        try await journal.write(batch)
        // For each scope, the latest run of plan p before the one asking (now) with a final report
        // of it: the final attempt, never the reduction; b did not run in "new", so "old" says.
        #expect(try journal.lastDurations(plan: "p", stage: "scan", excluding: "now", before: 5) == ["a": 2, "b": 9])
        #expect(try journal.lastDurations(plan: "p", stage: "scan", excluding: "x", before: 6) == ["a": 4, "b": 9])
        // A run created after the one asking does not count.
        #expect(try journal.lastDurations(plan: "p", stage: "scan", excluding: "x", before: 1.5) == ["a": 9, "b": 9])
        #expect(try journal.lastDurations(plan: "q", stage: "scan", excluding: "now", before: 5) == ["a": 1])
        #expect(try journal.lastDurations(plan: "r", stage: "scan", excluding: "now", before: 5).isEmpty)
    }

    @Test func writesOneBatchAndReadsItBackInOrder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        var batch = JournalBatch()
        batch.runs.append(runningRun())
        batch.stages.append(StageRecord(run: "r1", StageEntry(stage: "scan", status: .running, scopes: ["a"], startedAt: 1)))
        batch.reports += [ReportRecord(report(0, scope: "a", out: "one"), final: true),
                          ReportRecord(report(1, scope: "x.c\ny.c", out: "two"), final: true)]
        try await journal.write(batch)

        var second = JournalBatch()
        second.reports.append(ReportRecord(report(0, scope: "a", out: "duplicate"), final: true))   // same key: ignored
        second.reports.append(ReportRecord(report(1, attempt: 2, scope: "x.c\ny.c", out: "retry"), final: true))
        second.runEndings.append(RunEnding(id: "r1", status: .succeeded, endedAt: 3, error: nil))
        second.stages.append(StageRecord(run: "r1", StageEntry(stage: "scan", status: .succeeded, output: Data("out".utf8), endedAt: 3)))
        try await journal.write(second)

        let reports = try journal.reports(run: "r1")
        #expect(reports.map { String(decoding: $0.stdout, as: UTF8.self) } == ["one", "two", "retry"])
        #expect(reports[0].stderrTail == Data("err".utf8))
        #expect(try journal.reports(run: "r1", scope: "y.c").count == 2)
        #expect(try journal.reports(run: "r1", scope: "a").count == 1)
        #expect(try journal.reports(run: "r1", scope: "%").isEmpty)
        #expect(try journal.reports(run: "r1", offset: 1, limit: 1).map(\.index) == [1])
        let run = try #require(try journal.run("r1"))
        #expect(run.status == .succeeded)
        #expect(run.endedAt == 3)
        let stage = try #require(try journal.stages(of: "r1").first?.stage)
        #expect(stage.status == .succeeded)
        #expect(stage.scopes == ["a"])
        #expect(stage.output == Data("out".utf8))
        #expect(stage.startedAt == 1)
        #expect(try journal.unfinishedRuns().isEmpty)
    }

    /// A graceful shutdown cancels the coordinator's loop; a batch it is writing then is
    /// written all the same (once it said `critical ... cannot write the journal:
    /// CancellationError()` at the end of a run that had succeeded, and lost the batch).
    @Test func aBatchIsWrittenWholeByATaskThatIsCancelled() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        var batch = JournalBatch()
        batch.runs.append(runningRun())
        batch.reports.append(ReportRecord(report(0, scope: "a", out: "one"), final: true))
        let writer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await journal.write(batch)
        }
        try await writer.value
        #expect(try journal.run("r1")?.status == .running)
        #expect(try journal.reports(run: "r1").map(\.scope) == ["a"])
    }

    /// A small report costs the write-ahead log a page or two, not tens of KiB: each batch of a
    /// run with quick tasks commits a report or two, and the log is synced and removed when the
    /// journal closes, which `swell run` waits for (16 KiB pages wrote 9 MB of log for 200
    /// reports without output; 4 KiB pages write a quarter of that).
    @Test func smallReportsInBatchesOfTheirOwnKeepTheLogSmall() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        var first = JournalBatch()
        first.runs.append(runningRun())
        try await journal.write(first)
        for index in 0..<200 {
            var batch = JournalBatch()
            batch.reports.append(ReportRecord(report(index, scope: "0.25/\(index)", out: ""), final: true))
            try await journal.write(batch)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: journal.path + "-wal")
        let logBytes = try #require(attributes[.size] as? Int)
        #expect(logBytes < 200 * 12 * 1024, "\(logBytes) bytes of write-ahead log for 200 small reports")
        #expect(try journal.reports(run: "r1").count == 200)
    }

    /// Processes that open one journal of an earlier schema at once each find the migrations
    /// to do: none of them fails because another did one first.
    @Test func journalsOpenedTogetherOnAnOlderSchemaAllOpen() throws {
        for round in 0..<5 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try PrivateFolder.make(directory)
            let old = try DatabasePool(path: directory + "/journal.sqlite")
            try Journal.migrator.migrate(old, upTo: "v4: run.origin")
            try old.close()
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do {
                    _ = try Journal(directory: directory)
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty, "round \(round): \(failures.withLock { $0 })")
        }
    }

    /// An earlier build that continues a run writes its pid and leaves the start time of the
    /// process before it: the start is then unknown, not taken for the new process's.
    @Test func aPidWrittenWithoutItsStartLeavesTheStartUnknown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        var batch = JournalBatch()
        batch.runs.append(RunRecord(RunAcceptance(id: "r1", name: "p", file: "p.yaml", planText: "name: p", overrides: [],
                                                  scopes: [:], createdAt: 1), status: .failed, origin: .embedded, pid: 100, pidStart: 5))
        try await journal.write(batch)
        #expect(try journal.run("r1")?.pidStart == 5)
        // This build claims it: both change.
        #expect(try journal.claim(run: "r1", from: .failed, pid: 200, pidStart: 9))
        #expect(try journal.run("r1").map { [Int($0.pid ?? 0), Int($0.pidStart ?? 0)] } == [200, 9])
        #expect(try !journal.claim(run: "r1", from: .failed, pid: 300, pidStart: 11), "claimed twice")
        // An earlier build's update names every column it knows, pidStart not among them.
        let database = try DatabaseQueue(path: journal.path)
        try await database.write { db in try db.execute(sql: "UPDATE run SET status = 'running', pid = 400 WHERE id = 'r1'") }
        let record = try #require(try journal.run("r1"))
        #expect(record.pid == 400)
        #expect(record.pidStart == nil)
    }

    /// Pruning removes the runs that ended before the cutoff, with every row and the output
    /// file they had, and keeps newer runs and running ones whatever their age.
    @Test func pruningRemovesOldFinishedRunsWithTheirReportsAndOutputs() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        let big = String(repeating: "x", count: 100 << 10)
        var batch = JournalBatch()
        for (id, status, ended) in [("old", RunStatus.failed, 100.0), ("running", .running, nil), ("new", .succeeded, 900.0)] {
            var record = RunRecord(RunAcceptance(id: id, name: id, file: "p.yaml", planText: "name: p", overrides: [],
                                                 scopes: [:], createdAt: 1), status: status)
            record.endedAt = ended
            batch.runs.append(record)
            var one = report(0, scope: "a", out: big)
            one.run = id
            batch.reports.append(ReportRecord(one, final: true))
        }
        try await journal.write(batch)
        #expect(FileManager.default.fileExists(atPath: directory + "/outputs/old"))

        #expect(try await journal.prune(endedBefore: 500, dryRun: true).map(\.id) == ["old"])
        #expect(try journal.reports(run: "old").count == 1, "a dry run removes nothing")
        #expect(try await journal.prune(endedBefore: 500).map(\.id) == ["old"])
        #expect(try journal.run("old") == nil)
        let left = try await DatabaseQueue(path: journal.path).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM report WHERE run = 'old'")
        }
        #expect(left == 0)
        #expect(!FileManager.default.fileExists(atPath: directory + "/outputs/old"))
        #expect(try journal.reports(run: "new").map(\.stdout) == [Data(big.utf8)])
        #expect(try journal.run("running") != nil)
        #expect(try await journal.prune(endedBefore: 1e12).map(\.id) == ["new"], "a running run stays")
        #expect(try journal.run("running") != nil)
    }

    @Test func aLargeOutputIsWrittenOnceToTheRunsOutputFileAndReadBackByEveryQuery() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        let big = String(repeating: "0123456789abcde\n", count: 8 << 10)   // 128 KiB
        var batch = JournalBatch()
        batch.runs.append(runningRun())
        batch.reports += [ReportRecord(report(0, scope: "a", out: "small"), final: true),
                          ReportRecord(report(1, scope: "b", out: big), final: true),
                          ReportRecord(report(2, scope: "c", out: big + "2"), final: true)]
        try await journal.write(batch)
        var again = JournalBatch()
        again.reports.append(ReportRecord(report(1, scope: "b", out: big), final: true))   // a duplicate writes nothing
        try await journal.write(again)

        let file = directory + "/outputs/r1"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        #expect(size == 2 * big.utf8.count + 1)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: directory + "/outputs")[.posixPermissions] as? Int == 0o700)
        let rows = try await DatabaseQueue(path: journal.path).read { db in
            try Int.fetchOne(db, sql: "SELECT sum(length(stdout)) FROM report")
        }
        #expect(rows == 5)

        let expected = ["small", big, big + "2"].map { Data($0.utf8) }
        #expect(try journal.reports(run: "r1").map(\.stdout) == expected)
        #expect(try journal.finalReport(run: "r1", stage: "scan", index: 2)?.stdout == expected[2])
        #expect(try journal.reportRecords(run: "r1").map(\.report.stdout) == expected)
        // The sizes that bound a piece count the outputs in the file.
        #expect(try journal.finalReports(run: "r1", stage: "scan", from: 0, bytes: big.utf8.count + 10).map(\.index) == [0, 1])
        #expect(try journal.finalReports(run: "r1", stage: "scan", from: 2, bytes: 1).map(\.stdout) == [expected[2]])

        // A file cut short (its last writes lost with the disk) is an error that says so, not a short output.
        #expect(truncate(file, off_t(size - 10)) == 0)
        #expect(throws: OutputFileError.self) { try journal.finalReport(run: "r1", stage: "scan", index: 2) }
        #expect(try journal.finalReport(run: "r1", stage: "scan", index: 1)?.stdout == expected[1])
    }

    /// What `swell report` reads: reports without outputs (a failed one keeps its stderr tail,
    /// even with its output in the run's file, which is not read) and the run's digest.
    @Test func briefReportsAndTheDigestLeaveTheOutputsOut() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        var batch = JournalBatch()
        batch.runs.append(runningRun())
        batch.stages.append(StageRecord(run: "r1", StageEntry(stage: "scan", status: .running, scopes: ["a", "b", "c"], startedAt: 1)))
        batch.shares.append(ShareRecord(run: "r1", stage: "scan", share: 0, first: 0, count: 3, node: "n", attempt: 2,
                                        status: .running, summary: Data("long summary".utf8), summaryExit: nil, summaryError: nil))
        var failed = report(1, scope: "b", out: String(repeating: "x", count: 128 << 10))
        failed.exitCode = 2
        batch.reports += [ReportRecord(report(0, scope: "a", out: "fine"), final: true), ReportRecord(failed, final: true)]
        try await journal.write(batch)
        // Brief reads never touch the output file: they work without it.
        try FileManager.default.removeItem(atPath: directory + "/outputs/r1")

        let brief = try journal.reports(run: "r1", brief: true)
        #expect(brief.map(\.stdout) == [Data(), Data()])
        #expect(brief.map(\.stdoutBytes) == [4, 128 << 10])
        #expect(brief.map(\.stderrText) == ["", "err"])
        #expect(brief.map(\.exitCode) == [0, 2])
        let digest = try #require(try journal.digest(of: "r1"))
        #expect(digest.name == "p" && digest.status == .running && digest.planText == "name: p")
        #expect(digest.stages == [RunDigest.Stage(stage: "scan", status: .running, tasks: 3, startedAt: 1, endedAt: nil, error: nil)])
        #expect(digest.shares == [RunDigest.Share(stage: "scan", share: 0, first: 0, count: 3, node: "n", attempt: 2, status: .running)])
        #expect(try journal.digest(of: "r2") == nil)
    }

    @Test func aBatchThatDoesNotCommitTakesItsOutputsBackOutOfTheFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        let big = String(repeating: "0123456789abcde\n", count: 8 << 10)
        var batch = JournalBatch()
        batch.runs.append(runningRun())
        batch.reports.append(ReportRecord(report(0, scope: "a", out: big), final: true))
        try await journal.write(batch)
        // The second batch appends an output, then fails (a report of a run the journal does not have).
        var failing = JournalBatch()
        failing.reports.append(ReportRecord(report(1, scope: "b", out: big), final: true))
        var ghost = report(0, scope: "g", out: "small")
        ghost.run = "ghost"
        failing.reports.append(ReportRecord(ghost, final: true))
        await #expect(throws: (any Error).self) { try await journal.write(failing) }
        let size = try FileManager.default.attributesOfItem(atPath: directory + "/outputs/r1")[.size] as? Int
        #expect(size == big.utf8.count, "the file holds what the journal records, and no more")
        try await journal.write({ var b = JournalBatch(); b.reports.append(ReportRecord(report(1, scope: "b", out: big + "!"), final: true)); return b }())
        #expect(try journal.reports(run: "r1").map(\.stdout) == [Data(big.utf8), Data((big + "!").utf8)])
    }

    @Test func scopesOfEveryKindReadBackAsWritten() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory)
        let scopes = ["plain", "quote \" and \\ back", "x.c\ny.c", "tab\tcr\r\u{1}\u{1F}", "caf\u{00E9} \u{1F600}", ""]
        var batch = JournalBatch()
        batch.runs.append(runningRun())
        batch.stages.append(StageRecord(run: "r1", StageEntry(stage: "scan", status: .running, scopes: scopes, startedAt: 1)))
        batch.stages.append(StageRecord(run: "r1", StageEntry(stage: "lines", status: .running, scopes: [], startedAt: 1)))
        try await journal.write(batch)
        #expect(try journal.stages(of: "r1").map(\.stage.scopes) == [scopes, []])
        // Journals of earlier versions hold the scopes as JSON text: still read.
        try await DatabaseQueue(path: journal.path).write { db in
            try db.execute(sql: "UPDATE stage SET scopes = ? WHERE stage = 'lines'", arguments: [#"["a","b\"c"]"#])
        }
        #expect(try journal.stages(of: "r1").map(\.stage.scopes) == [scopes, ["a", "b\"c"]])
    }

    @Test func aStateDirectoryItCreatesIsPrivate() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: parent) }
        _ = try Journal(directory: parent + "/state")
        let mode = try FileManager.default.attributesOfItem(atPath: parent + "/state")[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func aFileWhereAFolderShouldBeIsNamedInTheError() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: parent + "/outputs", contents: nil)
        let error = #expect(throws: OutputFileError.self) { try Journal(directory: parent) }
        #expect(error?.description == "cannot use \(parent)/outputs: it is a file, not a folder")
        let nested = #expect(throws: OutputFileError.self) { try Journal(directory: parent + "/outputs/state") }
        #expect(nested?.description == "cannot make the folder \(parent)/outputs/state: Not a directory")
    }

    @Test func theJournalsFilesArePrivateInAFolderThatIsNot() async throws {
        // `--state /var/lib/swell`, made 0755 by hand: the journal holds plans' env secrets.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        // A journal an earlier version left readable is made private too.
        _ = FileManager.default.createFile(atPath: directory + "/journal.sqlite-wal", contents: nil, attributes: [.posixPermissions: 0o644])
        let journal = try Journal(directory: directory)
        var batch = JournalBatch()
        batch.runs.append(runningRun())
        try await journal.write(batch)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix("journal.sqlite") {
            let mode = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name) is \(String(mode ?? 0, radix: 8))")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).contains("journal.sqlite-shm"))
    }

    @Test func reopeningKeepsEverything() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try Journal(directory: directory)
            var batch = JournalBatch()
            batch.runs.append(RunRecord(RunAcceptance(id: "r2", name: "p", file: "p.yaml", planText: "", overrides: [],
                                                      scopes: [:], createdAt: 1), status: .running))
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
        var batch = JournalBatch()
        var fresh = report(1, scope: "b", out: "x")
        fresh.run = "old"
        fresh.share = 4
        batch.reports.append(ReportRecord(fresh, final: true))
        try await journal.write(batch)
        #expect(try journal.reports(run: "old").map(\.share) == [-1, 4])
    }

    @Test func aJournalOfTheEarlierLayoutIsReadWithItsTypes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            // As the journal was written before the report table's columns were the report's
            // fields: JSON in BLOBs, statuses as words, `idx`, and the client's folder.
            let old = try DatabaseQueue(path: directory + "/journal.sqlite")
            try Journal.migrator.migrate(old, upTo: "v4: run.origin")
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO run (id, name, file, baseDirectory, planText, overrides, scopes, status, createdAt, origin)
                    VALUES ('r', 'p', 'p.yaml', '/x', 'name: p', CAST('[{"name":"a","value":"1"}]' AS BLOB),
                            CAST('{"scan":["a","b"]}' AS BLOB), 'running', 1, 'coordinator');
                    INSERT INTO stage (run, stage, status, scopes, startedAt) VALUES ('r', 'scan', 'running', CAST('["a","b"]' AS BLOB), 1);
                    INSERT INTO share VALUES ('r', 'scan', 0, 0, 2, 'n1', 1, 'done', x'6f6b', 0, NULL);
                    INSERT INTO report (run, stage, idx, attempt, scope, node, share, exitCode, timedOut, startedAt, endedAt,
                        stdoutBytes, stdoutTruncated, command, stdout, stderrTail, final)
                    VALUES ('r', 'scan', 1, 2, 'b', 'n1', 0, 0, 0, 1, 2, 2, 0, 'c', x'6f6b', x'', 1);
                    INSERT INTO assignment VALUES ('r', 'scan', 'retry', 0, 2, 1, 'n1', 1, '[[1,2]]');
                    """)
            }
        }
        let journal = try Journal(directory: directory)
        let run = try #require(try journal.unfinishedRuns().first)
        #expect(run.run.overrides == [VarOverride(name: "a", value: "1")])
        #expect(run.run.scopes == ["scan": ["a", "b"]])
        #expect(try journal.stages(of: "r").map(\.stage.scopes) == [["a", "b"]])
        #expect(try journal.shares(of: "r").map(\.status) == [.done])
        let reports = try journal.reportRecords(run: "r")
        #expect(reports.map(\.report.index) == [1])
        #expect(reports.map(\.final) == [true])
        let assignment = try #require(try journal.assignments(of: "r").first)
        #expect(assignment.id == .retry(run: "r", stage: "scan", share: 0, index: 1, attempt: 2))
        #expect(assignment.tasks == [TaskAttempt(index: 1, attempt: 2)])
    }

    @Test func aRecordThatIsNotAFlatRowIsAnErrorNotACrash() throws {
        struct Listed: Encodable {
            func encode(to encoder: any Encoder) throws {
                var list = encoder.unkeyedContainer()
                try list.encode(1)
            }
        }
        struct Nested: Encodable {
            enum Key: CodingKey { case inner }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                var inner = container.nestedUnkeyedContainer(forKey: .inner)
                try inner.encode(2)
            }
        }
        #expect(throws: EncodingError.self) { try ColumnEncoder.row(Listed()) }
        #expect(throws: EncodingError.self) { try ColumnEncoder.row(Nested()) }
        let row = try ColumnEncoder.row(HeldAssignment(
            id: .retry(run: "r", stage: "s", share: 1, index: 4, attempt: 2), node: "n", slots: 1,
            tasks: [TaskAttempt(index: 4, attempt: 2)]))
        #expect(row.columns == ["run", "stage", "kind", "share", "first", "attempt", "node", "slots", "tasks"])
        #expect(row.values.last == "[[4,2]]".databaseValue)
    }
}
