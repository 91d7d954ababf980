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

    /// Opens (creating if needed) the journal in `directory`. A directory it creates is private
    /// to the user (mode 0700): the journal holds plans, their environment, and task output.
    package init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        path = directory + "/journal.sqlite"
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
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
        return migrator
    }

    // MARK: Writing

    /// Everything one pass of the coordinator's loop changed, committed in one transaction.
    package struct Batch: Sendable {
        package var runs: [RunRecord] = []
        package var runStatus: [(id: String, status: String, endedAt: Double?, error: String?)] = []
        package var stages: [StageRecord] = []
        package var shares: [ShareRecord] = []
        package var reports: [(report: Report, final: Bool)] = []
        package var assignments: [AssignmentChange] = []

        package init() {}

        package var isEmpty: Bool {
            runs.isEmpty && runStatus.isEmpty && stages.isEmpty && shares.isEmpty && reports.isEmpty && assignments.isEmpty
        }
    }

    package func write(_ batch: Batch) async throws {
        guard !batch.isEmpty else { return }
        try await pool.write { db in
            for run in batch.runs {
                try db.cachedStatement(sql: """
                    INSERT INTO run (id, name, file, baseDirectory, planText, overrides, scopes, status, createdAt, endedAt, error,
                        origin, pid)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET status = excluded.status, endedAt = excluded.endedAt, error = excluded.error
                    """).execute(arguments: [run.id, run.name, run.file, run.baseDirectory, run.planText, run.overrides,
                                             run.scopes, run.status, run.createdAt, run.endedAt, run.error, run.origin, run.pid])
            }
            for update in batch.runStatus {
                try db.cachedStatement(sql: "UPDATE run SET status = ?, endedAt = ?, error = ? WHERE id = ?")
                    .execute(arguments: [update.status, update.endedAt, update.error, update.id])
            }
            for stage in batch.stages {
                try db.cachedStatement(sql: """
                    INSERT INTO stage (run, stage, status, scopes, output, startedAt, endedAt, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(run, stage) DO UPDATE SET status = excluded.status,
                        scopes = coalesce(excluded.scopes, stage.scopes), output = coalesce(excluded.output, stage.output),
                        startedAt = coalesce(excluded.startedAt, stage.startedAt), endedAt = excluded.endedAt, error = excluded.error
                    """).execute(arguments: [stage.run, stage.stage, stage.status, stage.scopes, stage.output,
                                             stage.startedAt, stage.endedAt, stage.error])
            }
            for share in batch.shares {
                try db.cachedStatement(sql: """
                    INSERT INTO share (run, stage, share, first, count, node, attempt, status, summary, summaryExit, summaryError)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(run, stage, share) DO UPDATE SET node = excluded.node, attempt = excluded.attempt,
                        status = excluded.status, summary = excluded.summary, summaryExit = excluded.summaryExit,
                        summaryError = excluded.summaryError
                    """).execute(arguments: [share.run, share.stage, share.share, share.first, share.count, share.node,
                                             share.attempt, share.status, share.summary, share.summaryExit, share.summaryError])
            }
            for change in batch.assignments {
                switch change {
                case .added(let a):
                    let tasks = String(decoding: (try? JSONEncoder().encode(a.tasks)) ?? Data("[]".utf8), as: UTF8.self)
                    try db.cachedStatement(sql: """
                        INSERT OR REPLACE INTO assignment (run, stage, kind, share, attempt, first, node, slots, tasks)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [a.run, a.stage, a.kind, a.share, a.attempt, a.first, a.node, a.slots, tasks])
                case .removed(let run, let stage, let kind, let share, let attempt, let first):
                    try db.cachedStatement(sql: """
                        DELETE FROM assignment WHERE run = ? AND stage = ? AND kind = ? AND share = ? AND attempt = ? AND first = ?
                        """).execute(arguments: [run, stage, kind, share, attempt, first])
                }
            }
            for (r, final) in batch.reports {
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO report (run, stage, idx, attempt, scope, node, share, exitCode, signal, timedOut, error,
                        startedAt, endedAt, stdoutBytes, stdoutTruncated, command, stdout, stderrTail, final)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [r.run, r.stage, r.index, r.attempt, r.scope, r.node, r.share, r.exitCode, r.signal,
                                             r.timedOut, r.error, r.startedAt, r.endedAt, r.stdoutBytes, r.stdoutTruncated,
                                             r.command, r.stdout, r.stderrTail, final])
            }
        }
    }

    // MARK: Reading

    package func runs(limit: Int = 50) throws -> [RunRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY createdAt DESC, id DESC LIMIT ?", arguments: [limit])
                .map(Self.run)
        }
    }

    /// Runs still marked running, of one origin (`coordinator` or `embedded`), oldest first.
    package func unfinishedRuns(origin: String = "coordinator") throws -> [RunRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run WHERE status = 'running' AND origin = ? ORDER BY createdAt, id",
                             arguments: [origin]).map(Self.run)
        }
    }

    package func run(_ id: String) throws -> RunRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]).map(Self.run)
        }
    }

    package func stages(of run: String) throws -> [StageRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM stage WHERE run = ?", arguments: [run]).map { row in
                StageRecord(run: row["run"], stage: row["stage"], status: row["status"], scopes: row["scopes"],
                            output: row["output"], startedAt: row["startedAt"], endedAt: row["endedAt"], error: row["error"])
            }
        }
    }

    package func shares(of run: String) throws -> [ShareRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM share WHERE run = ? ORDER BY stage, share", arguments: [run]).map { row in
                ShareRecord(run: row["run"], stage: row["stage"], share: row["share"], first: row["first"], count: row["count"],
                            node: row["node"], attempt: row["attempt"], status: row["status"], summary: row["summary"],
                            summaryExit: row["summaryExit"], summaryError: row["summaryError"])
            }
        }
    }

    /// Reports of a run in stage order (as the stages started), then scope order, attempts in
    /// order, a stage's reduction last; optionally filtered.
    /// A scope filter matches a scope or any path of a file group.
    package func reports(run: String, stage: String? = nil, scope: String? = nil, finalOnly: Bool = false,
                        offset: Int = 0, limit: Int = Int.max) throws -> [Report] {
        try pool.read { db in
            var sql = "SELECT * FROM report WHERE report.run = ?"
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
                    idx < 0, idx, attempt LIMIT ? OFFSET ?
                """
            arguments += [limit == Int.max ? -1 : limit, offset]
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.report)
        }
    }

    /// Every report of a run with whether it was final, in journal order.
    package func reportsWithFinality(run: String) throws -> [(report: Report, final: Bool)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM report WHERE run = ? ORDER BY rowid", arguments: [run]).map { row in
                (Self.report(row), row["final"] as Bool)
            }
        }
    }

    /// The assignments of a run that were in flight.
    package func assignments(of run: String) throws -> [AssignmentRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM assignment WHERE run = ? ORDER BY rowid", arguments: [run]).map { row in
                let text: String = row["tasks"]
                let tasks = (try? JSONDecoder().decode([[Int]].self, from: Data(text.utf8))) ?? []
                return AssignmentRecord(run: row["run"], stage: row["stage"], kind: row["kind"], share: row["share"],
                                        attempt: row["attempt"], first: row["first"], node: row["node"], slots: row["slots"],
                                        tasks: tasks)
            }
        }
    }

    static func run(_ row: Row) -> RunRecord {
        RunRecord(id: row["id"], name: row["name"], file: row["file"], baseDirectory: row["baseDirectory"],
                  planText: row["planText"], overrides: row["overrides"], scopes: row["scopes"], status: row["status"],
                  createdAt: row["createdAt"], endedAt: row["endedAt"], error: row["error"],
                  origin: row["origin"], pid: row["pid"])
    }

    static func report(_ row: Row) -> Report {
        Report(run: row["run"], stage: row["stage"], index: row["idx"], scope: row["scope"], attempt: row["attempt"],
               node: row["node"], exitCode: row["exitCode"], signal: row["signal"], timedOut: row["timedOut"],
               error: row["error"], startedAt: row["startedAt"], endedAt: row["endedAt"], stdoutBytes: row["stdoutBytes"],
               stdoutTruncated: row["stdoutTruncated"], command: row["command"], stdout: row["stdout"] ?? Data(),
               stderrTail: row["stderrTail"] ?? Data(), share: row["share"])
    }
}
