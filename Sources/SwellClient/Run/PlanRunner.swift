import Foundation
package import Logging
import SwellCore
import SwellPlan
import SwellProtocol
import SwellZMQ
import UnixSignals

/// `swell run`: checks the plan, lists its static scopes, submits it (to the embedded
/// coordinator or a remote one), shows progress on stderr and prints the sink outputs on
/// stdout in plan order.
package enum PlanRunner {
    package static func run(_ options: RunOptions, logger: Logger) async -> SwellExit {
        await SwellExit.reporting { try await execute(options, logger: logger) }
    }

    static func execute(_ options: RunOptions, logger: Logger) async throws -> SwellExit {
        let plan = try PlanParser.load(path: options.planPath, overrides: options.overrides)
        // The run to take up is in a journal that exists: a wrong --state makes none.
        if let resume = options.resume, options.coordinator == nil {
            let path = options.stateDirectory + "/journal.sqlite"
            if !FileManager.default.fileExists(atPath: path) {
                throw ClientError(.usage, "no run \(resume.run): there is no journal at \(path) (give the --state the run used)")
            }
        }
        for warning in plan.warnings { StandardStreams.err("swell: \(warning)\n") }
        if options.budget?.cost != nil, !plan.stages.contains(where: { $0.cost != nil }) {
            throw ClientError(.usage, "--budget cost=...: no stage of \(options.planPath) says how to read a task's cost (`cost: {json: FIELD}` or `{match: REGEX}`)")
        }
        let planURL = URL(fileURLWithPath: options.planPath).standardizedFileURL
        let baseDirectory = planURL.deletingLastPathComponent().path
        let root = try root(of: baseDirectory, options.root)
        let scopes = try PartitionResolver.staticScopes(of: plan, baseDirectory: baseDirectory)
        let prompts = try PromptFiles.load(plan, baseDirectory: baseDirectory)
        let joblog = try options.joblog.map(Joblog.init(path:))
        let io = try ZMQIOThread(context: ZMQContext(), name: "swell-zmq")
        do {
            let outcome = try await execute(plan, scopes: scopes, prompts: prompts, root: root, joblog: joblog,
                                            options, io: io, logger: logger)
            await io.shutdown()
            return outcome
        } catch {
            await io.shutdown()
            throw error
        }
    }

    /// The root the plan's folder is read against, and the folder below it: `--root`, or the
    /// top of the checkout that holds the plan.
    package static func root(of planFolder: String, _ given: String?) throws -> (path: String, folder: String) {
        let root = given.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? PlanRoot.find(from: planFolder)
        if let given {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ClientError(.usage, "--root \(given) is not a folder")
            }
        }
        guard let folder = RunFolder.relative(planFolder, to: root), RunFolder.problem(folder) == nil else {
            throw ClientError(.usage, "--root \(given ?? root) does not hold the plan's folder \(planFolder)")
        }
        return (root, folder)
    }

    /// Runs the checked plan over `io`: embedded cluster (if any), connection, signals, follow.
    static func execute(_ plan: Plan, scopes: [String: [String]], prompts: [String: String], root: (path: String, folder: String),
                        joblog: Joblog?,
                        _ options: RunOptions, io: ZMQIOThread, logger: Logger) async throws -> SwellExit {
        let embedded = options.coordinator == nil
            ? try EmbeddedCluster(io: io, stateDirectory: options.stateDirectory, slots: options.slots,
                                  workingDirectory: root.path, logger: logger)
            : nil
        let endpoint = embedded?.endpoint ?? options.coordinator!
        let connection = try await ClientConnection.open(io: io, endpoint: endpoint, curve: embedded == nil ? options.curve : nil)
        var submit = Submit(
            id: connection.nextID(), plan: plan.text, file: options.planPath,
            overrides: options.overrides, scopes: scopes, taskEvents: joblog != nil,
            folder: root.folder.isEmpty ? nil : root.folder, prompts: prompts.isEmpty ? nil : prompts)
        submit.budget = options.budget
        submit.resume = options.resume
        let outcome = try await withThrowingTaskGroup(of: Void.self) { services -> SwellExit in
            if let embedded {
                services.addTask {
                    do {
                        try await embedded.run()
                    } catch {
                        connection.inbox.push(.failure("\(error)"))
                    }
                }
            }
            let exit = try await withThrowingTaskGroup(of: Void.self) { group -> SwellExit in
                group.addTask { await connection.run() }
                let interrupted = InterruptFlag()
                group.addTask {
                    // SIGTERM (a service manager, `kill`, a container's stop) as SIGINT: the
                    // run is cancelled and journaled so, not left for the next start to find.
                    for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                        interrupted.set(signal == .sigterm ? .terminated : .interrupted)
                        connection.inbox.push(.tick)
                    }
                }
                defer { group.cancelAll() }
                return try await follow(submit, connection: connection, options: options, joblog: joblog,
                                        interrupted: interrupted, embedded: embedded != nil)
            }
            // The embedded node leaves and the coordinator stops, as the daemons do on SIGTERM.
            await embedded?.stop()
            try await services.waitForAll()
            return exit
        }
        connection.close()
        return outcome
    }

    /// Submits the run and follows it to its result: a ``RunFollower`` decides, this does the I/O.
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
        var follower = RunFollower(submit: submit, embedded: embedded, endpoint: connection.endpoint, json: options.json,
                                   stateDirectory: options.stateDirectory,
                                   at: .now)
        var actions = follower.start()
        var interruptHandled = false
        var stdoutOpen = true
        // What went wrong writing stdout or the joblog: a run that succeeded then ends 141
        // (the reader left) or 1 (an output was lost).
        var stdoutFailure: StandardStreams.Written?
        var joblogFailed = false
        while true {
            while !actions.isEmpty {
                switch actions.removeFirst() {
                case .submit(let submit):
                    connection.send(.submit(submit))
                case .cancel(let run, let reason):
                    connection.send(.cancel(Cancel(id: connection.nextID(), run: run, reason: reason)))
                case .attach(let run, let outputFrom):
                    connection.send(.attach(Attach(id: connection.nextID(), run: run, taskEvents: submit.taskEvents,
                                                   outputFrom: outputFrom)))
                case .acknowledge(let ids):
                    connection.send(.ack(Ack(id: connection.nextID(), acks: ids)))
                case .started(let run):
                    progress.runStarted(run, plan: submit.file)
                case .event(let event):
                    progress.handle(event)
                case .record(let report):
                    if let joblog, let reason = joblog.record(report) {
                        joblogFailed = true
                        StandardStreams.err("swell: cannot write the joblog \(joblog.path): \(reason); it ends here (`swell logs` shows every report)\n")
                    }
                case .line(let text):
                    progress.line(text)
                case .progressLine(let text):
                    progress.line(text, progress: true)
                case .diagnostic(let text):
                    StandardStreams.err(text)
                case .finishProgress:
                    progress.finish()
                case .output(let data):
                    guard stdoutOpen else { continue }
                    let written = StandardStreams.tryOut(data)
                    switch written {
                    case .written:
                        continue
                    case .readerGone:
                        actions += follower.handle(.outputClosed, at: .now)
                    case .failed(let reason):
                        StandardStreams.err("swell: cannot write to stdout: \(reason)\n")
                        actions += follower.handle(.outputFailed(reason), at: .now)
                    }
                    stdoutOpen = false
                    stdoutFailure = written
                case .reconnect:
                    connection.reconnect()
                case .hello:
                    var again = ClientReader(connection)
                    try await again.hello(timeout: options.connectTimeout)
                    actions += follower.handle(.welcomed, at: .now)
                case .exit(let exit):
                    guard exit == .success else { return exit }
                    if stdoutFailure == .readerGone { return .outputClosed }
                    return stdoutFailure != nil || joblogFailed ? .failed : exit
                case .fail(let error):
                    throw error
                }
            }
            progress.tick()
            let input: RunFollower.Input
            if let signal = interrupted.input, !interruptHandled {
                interruptHandled = true
                input = signal
            } else if let message = await reader.next(until: .now + .milliseconds(100)) {
                input = .message(message)
            } else if let failure = reader.failure {
                input = .failure(failure)
            } else {
                input = .tick
            }
            actions = follower.handle(input, at: .now)
        }
    }
}
