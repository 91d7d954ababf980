import Foundation
import SwellCore
import SwellProtocol

/// The object `swell run --json` prints: run id, status, exit code, per-stage status and
/// counts, and the sink stages' outputs in plan order.
struct RunOutput: Encodable {
    struct StageOutput: Encodable {
        var id: String
        var status: StageStatus
        var tasks: Int?
        var succeeded: Int
        var failed: Int
        var shares: Int
        var startedAt: Double?
        var endedAt: Double?
        var error: String?
    }

    struct SinkOutput: Encodable {
        var stage: String
        var output: String
    }

    var run: String
    var status: RunStatus
    var exitCode: Int32
    var error: String?
    var stages: [StageOutput]
    var outputs: [SinkOutput]

    init(_ result: RunResult, outputs received: [Data], exit: SwellExit) {
        run = result.run
        status = result.status
        exitCode = exit.rawValue
        error = result.error
        stages = result.stages.map {
            StageOutput(id: $0.id, status: $0.status, tasks: $0.counts.tasks, succeeded: $0.counts.succeeded,
                        failed: $0.counts.failed, shares: $0.counts.shares, startedAt: $0.startedAt, endedAt: $0.endedAt,
                        error: $0.error)
        }
        outputs = result.sinks.indices.map { i in
            SinkOutput(stage: result.sinks[i], output: String(decoding: received.indices.contains(i) ? received[i] : Data(), as: UTF8.self))
        }
    }

    func json() -> Data {
        (try? JSONOutput.data(Versioned(self))) ?? Data("{}\n".utf8)
    }
}
