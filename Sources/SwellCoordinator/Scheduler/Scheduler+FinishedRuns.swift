import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

extension Scheduler {
    /// A client attaches to a run that ended before this coordinator started: the run comes
    /// back into memory from the journal, finished, and the client gets its outputs and its
    /// RESULT as if it had never been away.
    mutating func attach(_ peer: Data, _ attach: Attach, finished: FinishedRun, _ now: Moment, _ effects: inout Effects) {
        let plan: Plan
        do {
            plan = try PlanParser.parse(finished.run.planText, file: finished.run.file, overrides: finished.run.overrides)
        } catch {
            effects.send(peer, .refusal(Refusal(id: messageID(), replyTo: attach.id, code: .unknownRun,
                                                message: "run \(attach.run) is in the journal, but its plan no longer parses: \(error)")))
            return
        }
        var run = runs[attach.run] ?? RunState(id: finished.run.id, plan: plan, createdAt: finished.run.createdAt,
                                                 staticScopes: finished.run.scopes)
        if runs[attach.run] == nil {
            run.status = finished.status
            run.endedAt = finished.endedAt
            run.error = finished.error
            for entry in finished.stages {
                if let s = run.stageIndex(entry.stage) { run.stages[s].restore(entry) }
            }
            for s in run.stages.indices {
                run.stages[s].output = nil
                run.stages[s].countFinished(finished.outcomes[run.stages[s].id] ?? [])
                let shares = finished.shares[run.stages[s].id] ?? 0
                run.stages[s].shares = (0..<shares).map { ShareState(index: $0, first: 0, count: 0, node: "", attempt: 1, status: .done) }
            }
            run.result = run.currentResult
            run.toldSinks = run.sinkProgress()
            runs[run.id] = run
            if !runOrder.contains(run.id) { runOrder.append(run.id) }
            effects.log(.info, "run \(run.id) (\(run.status.rawValue)) read back from the journal for a client")
        }
        runs[run.id]!.clients[peer] = attach.taskEvents
        effects.send(peer, .accepted(Accepted(id: messageID(), replyTo: attach.id, run: run.id)))
        effects.queries.append(.streamOutput(peer: peer, run: run.id, sinks: runs[run.id]!.toldSinks, result: runs[run.id]!.result,
                                             from: attach.outputFrom))
        pruneFinishedRuns()
    }
}
