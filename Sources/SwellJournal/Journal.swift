import Foundation
import GRDB
package import SwellCore

/// The coordinator's journal: runs, stages, shares and reports in SQLite (`journal.sqlite`
/// under the state directory), written in batched transactions.
///
/// WAL mode with `synchronous=NORMAL`: a committed batch survives a crash of the coordinator
/// process; the last batches before an operating-system crash or power loss may not.
package final class Journal: Sendable {
    package let path: String
    private let pool: DatabasePool
    /// Outputs too large for the rows: one file per run under `outputs/`.
    private let outputs: OutputFiles

    /// Opens (creating if needed) the journal in `directory`. A directory it creates is private
    /// to the user (mode 0700): the journal holds plans, their environment, and task output.
    package init(directory: String) throws {
        try PrivateFolder.make(directory)
        path = directory + "/journal.sqlite"
        outputs = try OutputFiles(directory: directory + "/outputs")
        // The journal holds plans with their env, and task output: private to the user however
        // its folder was made (SQLite gives the -wal and -shm files the database's mode), and
        // made private if an earlier version made it readable.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        for suffix in ["", "-wal", "-shm"] { _ = chmod(path + suffix, 0o600) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA page_size = 4096")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrate(pool)
        } catch {
            throw JournalOpenError(path: path, reason: "\(error)", code: (error as? DatabaseError)?.resultCode.primaryResultCode.rawValue)
        }
    }

    /// Brings the schema up to date. Processes that open one journal at once (`swell run`s on
    /// one state folder, `swell status --state` beside them) may each find a migration to do:
    /// one that fails because another did it first tries again, and finds nothing left to do.
    static func migrate(_ pool: DatabasePool) throws {
        let migrator = Self.migrator
        var attempt = 0
        while true {
            do {
                return try migrator.migrate(pool)
            } catch {
                attempt += 1
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
                guard attempt < 20 else { throw error }
                usleep(useconds_t(10_000 * attempt))
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    file TEXT NOT NULL,
                    baseDirectory TEXT NOT NULL,
                    planText TEXT NOT NULL,
                    overrides BLOB NOT NULL,
                    scopes BLOB NOT NULL,
                    status TEXT NOT NULL,
                    createdAt DOUBLE NOT NULL,
                    endedAt DOUBLE,
                    error TEXT
                );
                CREATE TABLE stage (
                    run TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    stage TEXT NOT NULL,
                    status TEXT NOT NULL,
                    scopes BLOB,
                    output BLOB,
                    startedAt DOUBLE,
                    endedAt DOUBLE,
                    error TEXT,
                    PRIMARY KEY (run, stage)
                );
                CREATE TABLE share (
                    run TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    stage TEXT NOT NULL,
                    share INTEGER NOT NULL,
                    first INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    node TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    summary BLOB,
                    summaryExit INTEGER,
                    summaryError TEXT,
                    PRIMARY KEY (run, stage, share)
                );
                CREATE TABLE report (
                    run TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    stage TEXT NOT NULL,
                    idx INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    scope TEXT NOT NULL,
                    node TEXT NOT NULL,
                    exitCode INTEGER,
                    signal INTEGER,
                    timedOut INTEGER NOT NULL,
                    error TEXT,
                    startedAt DOUBLE NOT NULL,
                    endedAt DOUBLE NOT NULL,
                    stdoutBytes INTEGER NOT NULL,
                    stdoutTruncated INTEGER NOT NULL,
                    command TEXT NOT NULL,
                    stdout BLOB NOT NULL,
                    stderrTail BLOB NOT NULL,
                    final INTEGER NOT NULL,
                    PRIMARY KEY (run, stage, idx, attempt)
                );
                """)
        }
        migrator.registerMigration("v2: report.share") { db in
            try db.execute(sql: "ALTER TABLE report ADD COLUMN share INTEGER NOT NULL DEFAULT -1")
        }
        migrator.registerMigration("v3: assignment") { db in
            try db.execute(sql: """
                CREATE TABLE assignment (
                    run TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    stage TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    share INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    first INTEGER NOT NULL,
                    node TEXT NOT NULL,
                    slots INTEGER NOT NULL,
                    tasks TEXT NOT NULL,
                    PRIMARY KEY (run, stage, kind, share, attempt, first)
                )
                """)
        }
        migrator.registerMigration("v4: run.origin") { db in
            try db.execute(sql: """
                ALTER TABLE run ADD COLUMN origin TEXT NOT NULL DEFAULT 'coordinator';
                ALTER TABLE run ADD COLUMN pid INTEGER;
                """)
        }
        migrator.registerMigration("v5: report.index, no run.baseDirectory") { db in
            // The report table's columns are the report's fields; the plan's folder on the
            // client was never read.
            try db.execute(sql: """
                ALTER TABLE report RENAME COLUMN idx TO "index";
                ALTER TABLE run DROP COLUMN baseDirectory;
                """)
        }
        migrator.registerMigration("v6: stage.outputReady") { db in
            // A stage's output is no longer kept: it is made from the reports, so the journal
            // says whether the stage ended with one.
            try db.execute(sql: "ALTER TABLE stage ADD COLUMN outputReady BOOLEAN")
        }
        migrator.registerMigration("v7: report.stdoutAt") { db in
            // Large outputs are written once, to the run's output file, not into pages that
            // SQLite writes twice.
            try db.execute(sql: """
                ALTER TABLE report ADD COLUMN stdoutAt INTEGER;
                ALTER TABLE report ADD COLUMN stdoutLength INTEGER;
                """)
        }
        migrator.registerMigration("v8: run.folder") { db in
            // Tasks run in the plan's folder below each node's --workdir.
            try db.execute(sql: "ALTER TABLE run ADD COLUMN folder TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v9: run.prompts") { db in
            // Stages' prompt templates travel with the plan.
            try db.execute(sql: "ALTER TABLE run ADD COLUMN prompts BLOB NOT NULL DEFAULT '{}'")
        }
        migrator.registerMigration("v10: lease") { db in
            // Leases of named limits held by running tasks: a restarted coordinator counts them.
            try db.execute(sql: """
                CREATE TABLE lease (
                    run TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    stage TEXT NOT NULL,
                    "index" INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    node TEXT NOT NULL,
                    PRIMARY KEY (run, stage, "index", attempt)
                )
                """)
        }
        migrator.registerMigration("v11: budget") { db in
            // A run's budget, and what each attempt cost.
            try db.execute(sql: """
                ALTER TABLE run ADD COLUMN budget BLOB;
                ALTER TABLE report ADD COLUMN cost DOUBLE;
                """)
        }
        migrator.registerMigration("v12: run.pidStart") { db in
            // When the process of an embedded run started: its id alone may name another
            // process by the time the run is looked at again.
            // A build from before it that continues a run writes its own pid but leaves the
            // start of the earlier process: then the start is not known.
            try db.execute(sql: """
                ALTER TABLE run ADD COLUMN pidStart INTEGER;
                CREATE TRIGGER run_pid_without_start AFTER UPDATE OF pid ON run
                WHEN NEW.pid IS NOT OLD.pid AND NEW.pidStart IS OLD.pidStart
                BEGIN UPDATE run SET pidStart = NULL WHERE id = NEW.id; END;
                """)
        }
        migrator.registerMigration("v13: run.running") { db in
            // The tasks a running run has in slots, as its coordinator last recorded them: what
            // `swell status --state` shows of a run that lives in another process.
            try db.execute(sql: "ALTER TABLE run ADD COLUMN running INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }

    // MARK: Writing

    package func write(_ batch: JournalBatch) async throws {
        guard !batch.isEmpty else { return }
        // Where each run's output file ended before this batch: a batch that does not commit
        // (a full disk, a file size limit) takes its outputs back out, so that the files hold
        // exactly what the journal records.
        let appended = Appended()
        do {
            // On a task of its own: GRDB's async writes throw CancellationError when their task
            // is cancelled, and a graceful shutdown cancels the coordinator's loop while it may
            // be writing a batch (its run's last reports, the run's end). A batch the loop has
            // begun is written whole; what comes after it waits for the next start.
            try await Task { try await write(batch, appended) }.value
        } catch {
            for (run, end) in appended.ends { outputs.cut(run: run, to: end) }
            throw error
        }
    }

    /// The first offset of what a batch appended to each run's output file.
    private final class Appended: @unchecked Sendable {
        // @unchecked: written inside the one write transaction, read after it.
        var ends: [String: Int64] = [:]
    }

    private func write(_ batch: JournalBatch, _ appended: Appended) async throws {
        try await pool.write { db in
            // Rows written once per task go through one prepared statement per table.
            var inserts: [String: Statement] = [:]
            func insert<Record: Encodable & TableRecord>(_ record: Record, onConflict conflict: String) throws {
                let row = try ColumnEncoder.row(record)
                let table = Record.databaseTableName
                let statement = try inserts[table] ?? db.cachedStatement(
                    sql: ColumnEncoder.insertSQL(into: table, columns: row.columns, onConflict: conflict))
                inserts[table] = statement
                try statement.execute(arguments: StatementArguments(row.values))
            }
            for run in batch.reopened {
                try run.update(db)
            }
            for change in batch.stageChanges {
                switch change {
                case .reportsReopened(let run, let stage):
                    try db.execute(sql: """
                        UPDATE report SET final = 0 WHERE run = ? AND stage = ? AND final = 1
                        AND ("index" = -1 OR NOT (exitCode IS 0 AND signal IS NULL AND timedOut = 0 AND error IS NULL))
                        """, arguments: [run, stage])
                case .reset(let run, let stage):
                    for table in ["report", "share", "stage", "lease"] {
                        try db.execute(sql: "DELETE FROM \(table) WHERE run = ? AND stage = ?", arguments: [run, stage])
                    }
                }
            }
            for run in batch.runs { try run.upsert(db) }
            for (run, running) in batch.running {
                try db.execute(sql: "UPDATE run SET running = ? WHERE id = ?", arguments: [running, run])
            }
            for ending in batch.runEndings {
                try RunRecord.filter(Column("id") == ending.id).updateAll(db, [
                    Column("status").set(to: ending.status), Column("endedAt").set(to: ending.endedAt),
                    Column("error").set(to: ending.error), Column("running").set(to: 0)])
            }
            for stage in batch.stages {
                // Scopes, output and start time are written once known; later writes keep them.
                // Only the key comes back: the output may be large.
                _ = try stage.upsertAndFetch(db, as: StageKey.self) { excluded in
                    ["scopes", "output", "startedAt"].map { name in
                        Column(name).set(to: excluded[Column(name)] ?? Column(name))
                    }
                }
            }
            for share in batch.shares { try share.upsert(db) }
            for change in batch.assignments {
                switch change {
                case .added(let record):
                    try insert(record, onConflict: "REPLACE")
                case .removed(let id):
                    try HeldAssignment.filter(
                        Column("run") == id.run && Column("stage") == id.stage && Column("kind") == id.kind
                            && Column("share") == id.share && Column("attempt") == id.attempt && Column("first") == id.first
                    ).deleteAll(db)
                }
            }
            for change in batch.leases {
                switch change {
                case .granted(let lease):
                    try insert(lease, onConflict: "REPLACE")
                case .released(let lease):
                    try HeldLease.filter(Column("run") == lease.run && Column("stage") == lease.stage
                        && Column("index") == lease.index && Column("attempt") == lease.attempt).deleteAll(db)
                }
            }
            for report in try self.placeOutputs(of: batch.reports, db, appended) { try insert(report, onConflict: "IGNORE") }
        }
    }

    /// `reports` with each large stdout written to its run's output file and replaced by
    /// where it is there. A report the journal already has (a duplicate, which its insert
    /// ignores) writes nothing.
    private func placeOutputs(of reports: [ReportRecord], _ db: Database, _ appended: Appended) throws -> [ReportRecord] {
        var placed = reports
        var large: [String: [Int]] = [:]
        for (i, record) in reports.enumerated() where record.report.stdout.count >= OutputFiles.threshold {
            let report = record.report
            let known = try Bool.fetchOne(db, sql: """
                SELECT 1 FROM report WHERE run = ? AND stage = ? AND "index" = ? AND attempt = ?
                """, arguments: [report.run, report.stage, report.index, report.attempt]) ?? false
            if !known { large[report.run, default: []].append(i) }
        }
        for (run, indices) in large {
            let offsets = try outputs.append(indices.map { reports[$0].report.stdout }, run: run)
            if let first = offsets.first, appended.ends[run] == nil { appended.ends[run] = first }
            for (i, offset) in zip(indices, offsets) {
                placed[i].stdoutAt = offset
                placed[i].stdoutLength = placed[i].report.stdout.count
                placed[i].report.stdout = Data()
            }
        }
        return placed
    }

    /// The report of `record`, with its stdout read back from the run's output file if it is there.
    private func report(of record: ReportRecord) throws -> Report {
        var report = record.report
        if let at = record.stdoutAt, let length = record.stdoutLength {
            report.stdout = try outputs.read(run: report.run, at: at, length: length)
        }
        return report
    }

    // MARK: Pruning

    /// Removes the runs that ended before `endedBefore` (seconds since 1970) and are not still
    /// running, with their stages, shares, reports, assignments, leases and output files, then
    /// gives the freed pages back to the file system. Returns the removed runs, oldest first;
    /// with `dryRun`, removes nothing and returns what it would remove.
    package func prune(endedBefore: Double, dryRun: Bool = false) async throws -> [RunRecord] {
        let old = try await pool.read { db in
            try RunRecord.filter(Column("status") != RunStatus.running.rawValue && Column("endedAt") != nil
                                 && Column("endedAt") < endedBefore)
                .order(Column("endedAt"), Column("id")).fetchAll(db)
        }
        guard !dryRun, !old.isEmpty else { return old }
        let ids = old.map(\.id)
        // Stages, shares, reports, assignments and leases go with their run (ON DELETE CASCADE).
        try await pool.write { db in
            try RunRecord.filter(ids.contains(Column("id"))).deleteAll(db)
        }
        for id in ids { outputs.remove(run: id) }
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        return old
    }

    // MARK: Reading

    package func runs(limit: Int = 50) throws -> [RunRecord] {
        try pool.read { db in
            try RunRecord.order(Column("createdAt").desc, Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// The newest runs, as `swell status` shows them: their counts from the stages' scopes and
    /// the final reports, and the tasks in slots as their coordinator last recorded them.
    package func runSummaries(limit: Int) throws -> [RunSummary] {
        try pool.read { db in
            let records = try RunRecord.order(Column("createdAt").desc, Column("id").desc).limit(limit).fetchAll(db)
            // Only running runs have tasks in slots (a run's end sets 0).
            var running: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, running FROM run WHERE status = ?", arguments: [RunStatus.running.rawValue]) {
                running[row["id"]] = row["running"]
            }
            var summaries: [RunSummary] = []
            for record in records {
                let tasks = try Int.fetchOne(db, sql: "SELECT sum(json_array_length(scopes)) FROM stage WHERE run = ?",
                                             arguments: [record.id]) ?? 0
                let row = try Row.fetchOne(db, sql: """
                    SELECT count(*) AS finished,
                           sum(exitCode = 0 AND signal IS NULL AND timedOut = 0 AND error IS NULL) AS succeeded
                    FROM report WHERE run = ? AND final = 1 AND "index" >= 0
                    """, arguments: [record.id])
                let finished: Int = row?["finished"] ?? 0
                let succeeded: Int = row?["succeeded"] ?? 0
                summaries.append(RunSummary(record: record, tasks: tasks, succeeded: succeeded, failed: finished - succeeded,
                                            running: running[record.id] ?? 0))
            }
            return summaries
        }
    }

    /// Runs still marked running, of one origin, oldest first.
    package func unfinishedRuns(origin: RunOrigin = .coordinator) throws -> [RunRecord] {
        try pool.read { db in
            try RunRecord.filter(Column("status") == RunStatus.running && Column("origin") == origin)
                .order(Column("createdAt"), Column("id")).fetchAll(db)
        }
    }

    /// Marks `id` running for the process `pid` if it is still `status`: of two `swell run
    /// --continue` of one run that start together, one claims it and the other finds it running.
    /// False if it is no longer `status`.
    package func claim(run id: String, from status: RunStatus, pid: Int32?, pidStart: UInt64?) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE run SET status = ?, pid = ?, pidStart = ? WHERE id = ? AND status = ?",
                           arguments: [RunStatus.running.rawValue, pid, pidStart.map { Int64(bitPattern: $0) }, id, status.rawValue])
            return db.changesCount == 1
        }
    }

    /// Gives back a ``claim(run:from:pid:pidStart:)`` that did not take the run up.
    package func unclaim(run id: String, back status: RunStatus) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE run SET status = ? WHERE id = ? AND status = ?",
                           arguments: [status.rawValue, id, RunStatus.running.rawValue])
        }
    }

    package func run(_ id: String) throws -> RunRecord? {
        try pool.read { db in try RunRecord.filter(Column("id") == id).fetchOne(db) }
    }

    package func stages(of run: String) throws -> [StageRecord] {
        try pool.read { db in try StageRecord.filter(Column("run") == run).order(Column.rowID).fetchAll(db) }
    }

    package func shares(of run: String) throws -> [ShareRecord] {
        try pool.read { db in
            try ShareRecord.filter(Column("run") == run).order(Column("stage"), Column("share")).fetchAll(db)
        }
    }

    /// Reports of a run in stage order (as the stages started), then scope order, attempts in
    /// order, a stage's reduction last; optionally filtered.
    /// A scope filter matches a scope or any path of a file group.
    /// `brief` leaves the outputs out (`stdoutBytes` still says how much there was) but keeps the
    /// stderr tail of an attempt that did not succeed: what `swell report` reads.
    package func reports(run: String, stage: String? = nil, scope: String? = nil, finalOnly: Bool = false,
                         brief: Bool = false, offset: Int = 0, limit: Int = Int.max) throws -> [Report] {
        try pool.read { db in
            let (sql, arguments) = Self.reportQuery(run: run, stage: stage, scope: scope, finalOnly: finalOnly, brief: brief,
                                                    offset: offset, limit: limit)
            return try ReportRecord.fetchAll(db, sql: sql, arguments: arguments).map(report(of:))
        }
    }

    /// Every brief report of a run, in the order of ``reports(run:stage:scope:finalOnly:brief:offset:limit:)``,
    /// one at a time: a run of a million tasks is never all in memory.
    package func eachBriefReport(run: String, _ body: (Report) throws -> Void) throws {
        try pool.read { db in
            let (sql, arguments) = Self.reportQuery(run: run, stage: nil, scope: nil, finalOnly: false, brief: true,
                                                    offset: 0, limit: Int.max)
            let cursor = try ReportRecord.fetchCursor(db, sql: sql, arguments: arguments)
            while let record = try cursor.next() { try body(record.report) }
        }
    }

    private static func reportQuery(run: String, stage: String?, scope: String?, finalOnly: Bool, brief: Bool,
                                    offset: Int, limit: Int) -> (String, StatementArguments) {
        var sql = "SELECT \(brief ? Self.briefColumns : "*") FROM report WHERE report.run = ?"
        var arguments: [any DatabaseValueConvertible] = [run]
        if let stage { sql += " AND report.stage = ?"; arguments.append(stage) }
        if let scope {
            sql += " AND (scope = ? OR scope LIKE ? ESCAPE '\\' OR scope LIKE ? ESCAPE '\\' OR scope LIKE ? ESCAPE '\\')"
            let escaped = scope.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            arguments += [scope, escaped + "\n%", "%\n" + escaped, "%\n" + escaped + "\n%"]
        }
        if finalOnly { sql += " AND final = 1" }
        sql += """
             ORDER BY (SELECT stage.rowid FROM stage WHERE stage.run = report.run AND stage.stage = report.stage),
                "index" < 0, "index", attempt LIMIT ? OFFSET ?
            """
        arguments += [limit == Int.max ? -1 : limit, offset]
        return (sql, StatementArguments(arguments))
    }

    /// A report's columns without its stdout, and with its stderr tail only if it did not succeed.
    private static let briefColumns = """
        run, stage, "index", attempt, scope, node, share, exitCode, signal, timedOut, error, startedAt, endedAt,
        stdoutBytes, stdoutTruncated, command, cost, final, X'' AS stdout,
        CASE WHEN exitCode IS 0 AND signal IS NULL AND timedOut = 0 AND error IS NULL THEN X'' ELSE stderrTail END AS stderrTail
        """

    /// The run, its stages (with their task counts, not their scopes) and its shares (without
    /// their summaries); nil if the journal has no such run.
    package func digest(of run: String) throws -> RunDigest? {
        try pool.read { db in
            guard let record = try RunRecord.filter(Column("id") == run).fetchOne(db) else { return nil }
            let stages = try Row.fetchAll(db, sql: """
                SELECT stage, status, json_array_length(scopes) AS tasks, startedAt, endedAt, error
                FROM stage WHERE run = ? ORDER BY rowid
                """, arguments: [run]).map { row in
                RunDigest.Stage(stage: row["stage"], status: StageStatus(rawValue: row["status"]) ?? .pending,
                                tasks: row["tasks"], startedAt: row["startedAt"], endedAt: row["endedAt"], error: row["error"])
            }
            let shares = try Row.fetchAll(db, sql: """
                SELECT stage, share, first, count, node, attempt, status FROM share WHERE run = ? ORDER BY stage, share
                """, arguments: [run]).map { row in
                RunDigest.Share(stage: row["stage"], share: row["share"], first: row["first"], count: row["count"],
                                node: row["node"], attempt: row["attempt"], status: ShareStatus(rawValue: row["status"]) ?? .done)
            }
            return RunDigest(id: record.id, name: record.run.name, file: record.run.file, planText: record.run.planText,
                             status: record.status, createdAt: record.run.createdAt, endedAt: record.endedAt,
                             error: record.error, stages: stages, shares: shares)
        }
    }

    /// The last moment the journal saw the run alive: its latest report's end, or its latest
    /// stage start or end, or its creation.
    package func lastActivity(of run: String) throws -> Double? {
        try pool.read { db in
            try Double.fetchOne(db, sql: """
                SELECT max(coalesce((SELECT max(endedAt) FROM report WHERE run = :run), 0),
                           coalesce((SELECT max(max(coalesce(startedAt, 0), coalesce(endedAt, 0))) FROM stage WHERE run = :run), 0),
                           createdAt)
                FROM run WHERE id = :run
                """, arguments: ["run": run])
        }
    }

    /// How long each task of a stage ran, by scope, in the latest of the last
    /// ``durationRuns`` runs of the plan named `plan` created before `before` (other than `run`)
    /// that ran that scope's task to a final report: what the scheduler orders the stage's next
    /// tasks by. A run that stopped early or was killed leaves the other scopes to earlier runs;
    /// a task that ran more than once counts its final attempt.
    package func lastDurations(plan: String, stage: String, excluding run: String, before: Double) throws -> [String: Double] {
        try pool.read { db in
            var durations: [String: Double] = [:]
            // Oldest first: a later run's duration of a scope replaces an earlier one's.
            let rows = try Row.fetchCursor(db, sql: """
                SELECT report.scope, report.endedAt - report.startedAt AS seconds
                FROM (SELECT id, createdAt FROM run WHERE name = :plan AND id != :run AND createdAt < :before
                      ORDER BY createdAt DESC LIMIT :runs) AS past
                JOIN report ON report.run = past.id
                WHERE report.stage = :stage AND report.final = 1 AND report."index" >= 0
                ORDER BY past.createdAt
                """, arguments: ["plan": plan, "stage": stage, "run": run, "before": before, "runs": Self.durationRuns])
            while let row = try rows.next() {
                durations[row["scope"]] = max(0, row["seconds"] ?? 0)
            }
            return durations
        }
    }

    /// How many of a plan's latest runs ``lastDurations(plan:stage:excluding:before:)`` reads.
    package static let durationRuns = 5

    /// The final report of one task (index -1: the stage's reduction), if there is one.
    package func finalReport(run: String, stage: String, index: Int) throws -> Report? {
        try pool.read { db in
            try ReportRecord.filter(Column("run") == run && Column("stage") == stage && Column("index") == index
                                        && Column("final") == true).fetchOne(db).map(report(of:))
        }
    }

    /// Final reports of a stage's tasks from scope index `first` on (and before `end`), in scope
    /// order: as many as fit in `bytes` of stdout, and at least one (none when there are no
    /// more). Sizes are read first, so that no more than the budget (or one report) is ever loaded.
    package func finalReports(run: String, stage: String, from first: Int, before end: Int = Int.max,
                              bytes: Int) throws -> [Report] {
        try pool.read { db in
            let sizes = try Row.fetchAll(db, sql: """
                SELECT "index", coalesce(stdoutLength, length(stdout)) AS size FROM report
                WHERE run = ? AND stage = ? AND final = 1 AND "index" >= ? AND "index" < ? ORDER BY "index" LIMIT 256
                """, arguments: [run, stage, first, end])
            guard let head = sizes.first else { return [] }
            var last: Int = head["index"]
            var total: Int = head["size"] ?? 0
            for row in sizes.dropFirst() {
                let size: Int = row["size"] ?? 0
                guard total + size <= bytes else { break }
                total += size
                last = row["index"]
            }
            let start: Int = head["index"]
            return try ReportRecord.fetchAll(db, sql: """
                SELECT * FROM report WHERE run = ? AND stage = ? AND final = 1 AND "index" BETWEEN ? AND ? ORDER BY "index"
                """, arguments: [run, stage, start, last]).map(report(of:))
        }
    }

    /// Every report of a run with whether it was final, in journal order.
    package func reportRecords(run: String) throws -> [(report: Report, final: Bool)] {
        try pool.read { db in
            try ReportRecord.filter(Column("run") == run).order(Column.rowID).fetchAll(db).map { (try report(of: $0), $0.final) }
        }
    }

    /// The tasks of a run with a final report, by stage, and whether each succeeded: what a
    /// finished run's counts are made of.
    package func finalOutcomes(run: String) throws -> [String: [(index: Int, succeeded: Bool)]] {
        try pool.read { db in
            var outcomes: [String: [(index: Int, succeeded: Bool)]] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT stage, "index", exitCode = 0 AND signal IS NULL AND timedOut = 0 AND error IS NULL AS succeeded
                FROM report WHERE run = ? AND final = 1 AND "index" >= 0
                """, arguments: [run])
            while let row = try rows.next() {
                outcomes[row["stage"], default: []].append((row["index"], row["succeeded"] ?? false))
            }
            return outcomes
        }
    }

    /// The assignments of a run that were in flight.
    package func assignments(of run: String) throws -> [HeldAssignment] {
        try pool.read { db in try HeldAssignment.filter(Column("run") == run).order(Column.rowID).fetchAll(db) }
    }

    /// The leases the run's tasks held when the journal was last written.
    package func leases(of run: String) throws -> [HeldLease] {
        try pool.read { db in try HeldLease.filter(Column("run") == run).order(Column.rowID).fetchAll(db) }
    }
}

/// What a stage's upsert reads back: its key alone, not its output.
private struct StageKey: FetchableRecord, TableRecord {
    static let databaseTableName = "stage"
    static var databaseSelection: [any SQLSelectable] { [Column("stage")] }
    init(row: Row) {}
}
