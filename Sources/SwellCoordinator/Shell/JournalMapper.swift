import SwellCore
import SwellJournal

/// Turns the scheduler's journal changes into journal rows, and the rows of an unfinished run
/// back into the snapshot the scheduler resumes it from.
struct JournalMapper: Sendable {
    /// Who runs this coordinator: an embedded run records the process it lives in.
    var origin: RunOrigin
    var processID: Int32?
    /// When that process started (``ProcessStart``).
    var processStart: UInt64?

    init(origin: RunOrigin, processID: Int32? = nil, processStart: UInt64? = nil) {
        self.origin = origin
        self.processID = processID
        self.processStart = processStart
    }

    /// One batch, written in one transaction, that holds every change.
    func batch(_ changes: [JournalChange]) -> JournalBatch {
        var batch = JournalBatch()
        for change in changes {
            switch change {
            case .runAccepted(let run):
                batch.runs.append(RunRecord(run, status: .running, origin: origin, pid: processID, pidStart: processStart))
            case .runFinished(let run, let status, let endedAt, let error):
                batch.runEndings.append(RunEnding(id: run, status: status, endedAt: endedAt, error: error))
            case .runningChanged(let run, let running):
                batch.running[run] = running
            case .stageChanged(let run, let stage):
                batch.stages.append(StageRecord(run: run, stage))
            case .shareChanged(let run, let stage, let share):
                batch.shares.append(ShareRecord(
                    run: run, stage: stage, share: share.index, first: share.first, count: share.count, node: share.node,
                    attempt: share.attempt, status: share.status, summary: share.summary?.output,
                    summaryExit: share.summary?.exitCode, summaryError: share.summary?.error))
            case .reportReceived(let report, let final):
                batch.reports.append(ReportRecord(report, final: final))
            case .assignmentAdded(let held):
                batch.assignments.append(.added(held))
            case .assignmentRemoved(let id):
                batch.assignments.append(.removed(id))
            case .runReopened(let run):
                batch.reopened.append(RunRecord(run, status: .running, origin: origin, pid: processID, pidStart: processStart))
            case .reportsReopened(let run, let stage):
                batch.stageChanges.append(.reportsReopened(run: run, stage: stage))
            case .stageReset(let run, let stage):
                batch.stageChanges.append(.reset(run: run, stage: stage))
            case .leaseGranted(let lease):
                batch.leases.append(.granted(lease))
            case .leaseReleased(let lease):
                batch.leases.append(.released(lease))
            }
        }
        return batch
    }

    /// What `journal` holds of the finished run `run`: its result, and where its outputs are.
    func finished(_ run: RunRecord, in journal: Journal) throws -> FinishedRun {
        var shares: [String: Int] = [:]
        for record in try journal.shares(of: run.id) { shares[record.stage, default: 0] += 1 }
        return FinishedRun(run: run.run, status: run.status, endedAt: run.endedAt, error: run.error,
                           stages: try journal.stages(of: run.id).map(\.stage), shares: shares,
                           outcomes: try journal.finalOutcomes(run: run.id))
    }

    /// What `journal` holds of the unfinished run `run`.
    func snapshot(of run: RunRecord, in journal: Journal) throws -> RunSnapshot {
        var shares: [String: [ShareState]] = [:]
        for record in try journal.shares(of: run.id) {
            let summary = record.summary.map { output in
                ShareSummary(run: run.id, stage: record.stage, share: record.share, first: record.first, count: record.count,
                             firstScope: "", lastScope: "", node: record.node, exitCode: record.summaryExit,
                             error: record.summaryError, output: output)
            }
            shares[record.stage, default: []].append(ShareState(
                index: record.share, first: record.first, count: record.count, node: record.node, attempt: record.attempt,
                status: record.status, summary: summary))
        }
        return RunSnapshot(
            run: run.run, stages: try journal.stages(of: run.id).map(\.stage), shares: shares,
            reports: try journal.reportRecords(run: run.id),
            assignments: try journal.assignments(of: run.id), leases: try journal.leases(of: run.id))
    }
}
