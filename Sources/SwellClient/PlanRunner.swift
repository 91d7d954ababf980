import Foundation
package import Logging
package import SwellCore
import SwellPlan
import SwellProtocol
package import SwellZMQ
import UnixSignals

/// What `swell run` was asked to do.
package struct RunOptions: Sendable {
    package var planPath: String
    /// Nil for the embedded default.
    package var coordinator: String?
    package var slots: Int
    package var stateDirectory: String
    package var overrides: [VarOverride]
    package var json: Bool
    package var joblog: String?
    package var progress: ProgressReporter.Mode
    /// How long to wait for the coordinator to answer at first.
    package var connectTimeout: Duration
    /// The client's key pair and the coordinator's public key, for a coordinator that admits by key.
    package var curve: ZMQSocketConfiguration.Curve?

    package init(planPath: String, coordinator: String? = nil, slots: Int = 10, stateDirectory: String = StateDirectory.default,
                overrides: [VarOverride] = [], json: Bool = false, joblog: String? = nil,
                progress: ProgressReporter.Mode = ProgressReporter.automatic, connectTimeout: Duration = .seconds(5),
                curve: ZMQSocketConfiguration.Curve? = nil) {
        self.curve = curve
        self.planPath = planPath
        self.coordinator = coordinator
        self.slots = slots
        self.stateDirectory = stateDirectory
        self.overrides = overrides
        self.json = json
        self.joblog = joblog
        self.progress = progress
        self.connectTimeout = connectTimeout
    }
}

/// `swell run`: checks the plan, lists its static scopes, submits it (to the embedded
/// coordinator or a remote one), shows progress on stderr and prints the sink outputs on
/// stdout in plan order.
package enum PlanRunner {
    package static func run(_ options: RunOptions, logger: Logger) async -> SwellExit {
        await SwellExit.reporting { try await execute(options, logger: logger) }
    }

    static func execute(_ options: RunOptions, logger: Logger) async throws -> SwellExit {
        let plan = try PlanParser.load(path: options.planPath, overrides: options.overrides.map { ($0.name, $0.value) })
        let planURL = URL(fileURLWithPath: options.planPath).standardizedFileURL
        let baseDirectory = planURL.deletingLastPathComponent().path
        let scopes = try PartitionResolver.staticScopes(of: plan, baseDirectory: baseDirectory)
        let joblog = try options.joblog.map(Joblog.init(path:))
        let io = try ZMQIOThread(context: ZMQContext(), name: "swell-zmq")
        do {
            let outcome = try await execute(plan, scopes: scopes, baseDirectory: baseDirectory, joblog: joblog,
                                            options, io: io, logger: logger)
            await io.shutdown()
            return outcome
        } catch {
            await io.shutdown()
            throw error
        }
    }

    /// Runs the checked plan over `io`: embedded cluster (if any), connection, signals, follow.
    static func execute(_ plan: Plan, scopes: [String: [String]], baseDirectory: String, joblog: Joblog?,
                        _ options: RunOptions, io: ZMQIOThread, logger: Logger) async throws -> SwellExit {
        let embedded = options.coordinator == nil
            ? try EmbeddedCluster(io: io, stateDirectory: options.stateDirectory, slots: options.slots,
                                  workingDirectory: baseDirectory, logger: logger)
            : nil
        let endpoint = embedded?.endpoint ?? options.coordinator!
        let connection = try await ClientConnection.open(io: io, endpoint: endpoint, curve: embedded == nil ? options.curve : nil)
        let submit = Submit(
            id: connection.nextID(), plan: plan.text, file: options.planPath,
            overrides: options.overrides, scopes: scopes, taskEvents: joblog != nil)
        let outcome = try await withThrowingTaskGroup(of: Void.self) { group -> SwellExit in
            if let embedded {
                group.addTask {
                    do {
                        try await embedded.run()
                    } catch {
                        connection.inbox.push(.failure("\(error)"))
                    }
                }
            }
            group.addTask { await connection.run() }
            let interrupted = InterruptFlag()
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sigint) {
                    interrupted.set()
                    connection.inbox.push(.tick)
                }
            }
            defer { group.cancelAll() }
            return try await follow(submit, connection: connection, options: options, joblog: joblog,
                                    interrupted: interrupted, embedded: embedded != nil)
        }
        connection.close()
        return outcome
    }

    /// Submits and follows the run to its result.
    static func follow(_ submit: Submit, connection: ClientConnection, options: RunOptions, joblog: Joblog?,
                       interrupted: InterruptFlag, embedded: Bool) async throws -> SwellExit {
        var reader = ClientReader(connection)
        do {
            try await reader.hello(timeout: embedded ? .seconds(30) : options.connectTimeout)
        } catch {
            if let failure = reader.failure { throw ClientError(.failed, "the embedded coordinator stopped: \(failure)") }
            throw error
        }
        let progress = ProgressReporter(mode: options.progress)
        defer { progress.finish() }
        connection.send(.submit(submit))
        let accepted = await reader.expect(within: .seconds(30)) { message in
            switch message {
            case .accepted(let a): return a.replyTo == submit.id
            case .rejected(let r): return r.replyTo == submit.id
            default: return false
            }
        }
        let run: String
        switch accepted {
        case .accepted(let a)?:
            run = a.run
        case .rejected(let r)?:
            FileHandle.standardError.write(Data((r.message + "\n").utf8))
            return .usage
        default:
            if let failure = reader.failure { throw ClientError(.failed, "the embedded coordinator stopped: \(failure)") }
            throw ClientError(.unreachable, "the coordinator at \(connection.endpoint) did not accept the plan within 30 s")
        }
        progress.runStarted(run, plan: submit.file)
        var warnedSilence = false
        while true {
            if interrupted.isSet {
                if embedded {
                    progress.line("interrupted: cancelling run \(run)")
                    // The coordinator stops the tasks and journals the run as cancelled.
                    connection.send(.cancel(Cancel(id: connection.nextID(), run: run, reason: "interrupted (SIGINT)")))
                    _ = await reader.expect(within: .seconds(3)) {
                        if case .result(let result) = $0 { return result.run == run }
                        return false
                    }
                } else {
                    progress.line("interrupted: run \(run) goes on on the coordinator; `swell logs \(run) --coordinator \(connection.endpoint)` shows its reports")
                }
                return .interrupted
            }
            let message = await reader.next(until: ContinuousClock.now + .seconds(1))
            if let failure = reader.failure {
                throw ClientError(.failed, "the embedded coordinator stopped: \(failure)")
            }
            guard let message else {
                // Quiet: the coordinator heartbeats every second, so long silence means it is gone.
                if !embedded, ContinuousClock.now - reader.lastHeard > .seconds(5) {
                    if !warnedSilence {
                        progress.line("no word from the coordinator for 5 s; waiting for it to come back")
                        warnedSilence = true
                    }
                    connection.send(.attach(Attach(id: connection.nextID(), run: run, taskEvents: joblog != nil)))
                }
                continue
            }
            if warnedSilence {
                warnedSilence = false
                progress.line("the coordinator is back")
            }
            switch message {
            case .event(let event) where event.run == run:
                if event.kind == .taskFinished, let report = event.report { joblog?.record(report) }
                progress.handle(event)
            case .result(let result) where result.run == run:
                progress.finish()
                let exit: SwellExit = result.status == .succeeded ? .success : .failed
                if options.json {
                    FileHandle.standardOutput.write(RunOutput(result, exit: exit).json())
                } else {
                    for output in result.outputs { FileHandle.standardOutput.write(output) }
                }
                let elapsed = result.stages.compactMap(\.endedAt).max().map { end in
                    " in " + Durations.format(.milliseconds(Int((end - (result.stages.compactMap(\.startedAt).min() ?? end)) * 1000)))
                } ?? ""
                if result.status == .succeeded {
                    progress.line("run \(run) succeeded\(elapsed)")
                } else {
                    let failures = result.stages.filter { $0.counts.failed > 0 }
                        .map { "\($0.counts.failed) of \($0.counts.tasks ?? 0) in \($0.id)" }
                    let why = result.error ?? (failures.isEmpty ? nil : "failed tasks: " + failures.joined(separator: ", "))
                    progress.line("run \(run) \(result.status.rawValue)\(why.map { ": \($0)" } ?? "")")
                    progress.line("reports: swell logs \(run)" + (embedded ? "" : " --coordinator \(connection.endpoint)"))
                }
                return exit
            case .refusal(let refusal) where refusal.code == .rejoin:
                var again = ClientReader(connection)
                try await again.hello(timeout: options.connectTimeout)
                connection.send(.attach(Attach(id: connection.nextID(), run: run, taskEvents: joblog != nil)))
            case .refusal(let refusal) where refusal.code == .unknownRun:
                throw ClientError(.failed, refusal.message)
            default:
                continue
            }
        }
    }
}

/// Set once SIGINT arrives.
final class InterruptFlag: Sendable {
    private let flag = MutexFlag()
    func set() { flag.set() }
    var isSet: Bool { flag.value }
}
