import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

/// `swell run`'s side of the conversation with a coordinator, from SUBMIT to RESULT, as a value:
/// messages, clock ticks, an interrupt and an embedded failure go in; what to send, show, print
/// and how to end come out. ``PlanRunner`` does the I/O.
struct RunFollower: Sendable {
    enum Input: Sendable {
        case message(Message)
        /// Time passed without a message.
        case tick
        /// SIGINT.
        case interrupted
        /// SIGTERM: as SIGINT, with its own exit status.
        case terminated
        /// The embedded coordinator or node stopped with this error.
        case failure(String)
        /// HELLO was answered again, after a `rejoin` refusal.
        case welcomed
        /// stdout's reader has gone (`swell run plan.yaml | head`).
        case outputClosed
        /// stdout cannot be written (a full disk): why, as `strerror` says it.
        case outputFailed(String)
    }

    enum Action: Sendable {
        case submit(Submit)
        /// Cancel the run (an embedded run, on SIGINT).
        case cancel(run: String, reason: String)
        /// Follow the run again, after the coordinator was silent or lost this client; its sink
        /// outputs from these bytes on (the ones already received), when some came.
        case attach(run: String, outputFrom: [Int]?)
        /// Acknowledge messages (output pieces) to the coordinator.
        case acknowledge([UInt64])
        /// The run was accepted under this id.
        case started(run: String)
        /// Progress to show.
        case event(Event)
        /// A finished task for the joblog.
        case record(Report)
        /// A line for the user on stderr (`swell: ` and a newline added).
        case line(String)
        /// A line of progress, which `--progress none` leaves out.
        case progressLine(String)
        /// Text for stderr as it is (the plan's `FILE:LINE:COL` errors).
        case diagnostic(String)
        /// Progress is over: clear the live display.
        case finishProgress
        /// Bytes for stdout: the sink outputs, or the `--json` object.
        case output(Data)
        /// Say HELLO again (the coordinator no longer knows this client), then hand in `welcomed`.
        case hello
        /// Drop the connection to the coordinator and make a new one (see ``reconnectAfter``).
        case reconnect
        case exit(SwellExit)
        case fail(ClientError)
    }

    /// How long the coordinator has to accept the plan.
    static let acceptWait: Duration = .seconds(30)
    /// Silence after which a remote coordinator is taken for gone, and the run is attached again every second.
    static let silenceLimit: Duration = .seconds(5)
    /// Silence after which each re-attach every ``reconnectEvery`` also makes a new connection.
    /// libzmq reconnects by itself, but a coordinator paused for longer than its handshake time
    /// (30 s) can come back with the connection this client then holds unknown to it: the
    /// re-attaches would go nowhere for ever.
    static let reconnectAfter: Duration = .seconds(10)
    static let reconnectEvery: Duration = .seconds(5)
    /// How long an interrupted embedded run waits for its cancelled result.
    static let cancelWait: Duration = .seconds(3)

    private enum Phase: Sendable {
        case submitting(deadline: ContinuousClock.Instant)
        case following(run: String)
        case cancelling(run: String, deadline: ContinuousClock.Instant, exit: SwellExit)
        case over
    }

    let submit: Submit
    /// True for the embedded default: the run dies with this process, so an interrupt cancels it.
    let embedded: Bool
    let endpoint: String
    let json: Bool
    private var phase: Phase
    /// SIGINT or SIGTERM that came before the run was accepted.
    private var interruptedEarly: Input?
    private var lastHeard: ContinuousClock.Instant
    /// When the run was last attached again during a silence (nil: the coordinator is not silent).
    private var lastAttach: ContinuousClock.Instant?
    /// When the connection was last made again during a silence.
    private var lastReconnect: ContinuousClock.Instant?
    /// Bytes of each sink output received so far.
    private var received: [Int] = []
    /// The sink outputs, for `--json` (plain output goes to stdout piece by piece).
    private var outputs: [Data] = []
    /// Sinks whose last piece came.
    private var complete: Set<Int> = []
    /// Where the output was last asked for again after a gap.
    private var gapAskedFrom: [Int]?
    /// Stages whose end this client was told of: one that ended while it was away (the
    /// coordinator restarting) gets its line from the RESULT.
    private var endsShown: Set<String> = []

    /// Where the run's journal is, as options of the commands it suggests: ` --coordinator
    /// ENDPOINT`, ` --state DIR` or nothing (the default state folder).
    let source: String

    /// `swell run PLAN` with the options a command that takes this run up again needs: the
    /// same --set values (a run goes on only with what it started with) and ``source``.
    var rerun: String {
        "swell run \(submit.file)" + submit.overrides.map { " --set " + ShellQuote.quote("\($0.name)=\($0.value)") }.joined() + source
    }

    /// `stateDirectory`: the embedded journal's folder, named in the commands it suggests when
    /// it is not the default one.
    init(submit: Submit, embedded: Bool, endpoint: String, json: Bool, stateDirectory: String? = nil,
         at now: ContinuousClock.Instant) {
        self.submit = submit
        self.embedded = embedded
        self.endpoint = endpoint
        self.source = embedded
            ? stateDirectory.map { StateDirectory.option($0) } ?? ""
            : " --coordinator \(endpoint)"
        self.json = json
        phase = .submitting(deadline: now + Self.acceptWait)
        lastHeard = now
    }

    /// The SUBMIT.
    func start() -> [Action] { [.submit(submit)] }

    mutating func handle(_ input: Input, at now: ContinuousClock.Instant) -> [Action] {
        if case .failure(let reason) = input {
            phase = .over
            return [.fail(ClientError(.failed, "the embedded coordinator stopped: \(reason)"))]
        }
        switch phase {
        case .submitting(let deadline):
            return submitting(input, deadline, now)
        case .following(let run):
            return following(run, input, now)
        case .cancelling(let run, let deadline, let exit):
            // A stdout that could not be written says what became of the run only once the
            // coordinator has answered: a run whose last outputs were printed had ended before
            // anything could be stopped, and is not said to stop.
            let stdoutFailed = exit == .failed
            if case .message(.result(let result)) = input, result.run == run {
                guard result.status != .cancelled else {
                    // Stopped with work left: how each stage ended, the `--json` object, and how
                    // to go on with it, as a budget that ran out says (not when the reader went
                    // away: that ends quietly).
                    guard exit != .outputClosed else { return end(exit) }
                    var actions = stageEnds(result)
                    if json, !stdoutFailed { actions.append(.output(RunOutput(result, outputs: outputs, exit: exit).json())) }
                    return actions + stoppedLines(run, stdoutFailed ? "stopped" : "cancelled") + end(exit)
                }
                // It had finished before the cancel reached it: it is not to be continued.
                return [.line("run \(run) \(result.status.rawValue) before it could be stopped; its outputs: swell logs \(run)" + source)] + end(exit)
            }
            guard now >= deadline else { return [] }
            // No answer in time: the run ends with this process (the journal then says it was
            // interrupted), and goes on as well with --continue.
            guard exit != .outputClosed else { return end(exit) }
            return stoppedLines(run, "stops") + end(exit)
        case .over:
            return []
        }
    }

    /// The last lines of a run that was stopped (`how`: stopped, cancelled, stops): where its
    /// reports are, and how to go on with it.
    private func stoppedLines(_ run: String, _ how: String) -> [Action] {
        [.line("run \(run) \(how); its reports so far: swell logs \(run)" + source),
         .line("to go on with it: \(rerun) --continue \(run)")]
    }

    private mutating func end(_ exit: SwellExit) -> [Action] {
        phase = .over
        return [.exit(exit)]
    }

    private mutating func submitting(_ input: Input, _ deadline: ContinuousClock.Instant, _ now: ContinuousClock.Instant) -> [Action] {
        switch input {
        case .message(.accepted(let accepted)) where accepted.replyTo == submit.id:
            phase = .following(run: accepted.run)
            lastHeard = now
            var actions: [Action] = [.started(run: accepted.run)]
            if let signal = interruptedEarly { actions += following(accepted.run, signal, now) }
            return actions
        case .message(.rejected(let rejected)) where rejected.replyTo == submit.id:
            phase = .over
            // Where the plan is wrong, its FILE:LINE:COL comes first, as for errors found here;
            // any other refusal says who refuses, as every other message does.
            let located = rejected.message.hasPrefix(submit.file + ":")
            return [.diagnostic((located ? "" : "swell: ") + rejected.message + "\n"), .exit(.usage)]
        case .interrupted, .terminated:
            interruptedEarly = input
            return []
        default:
            guard now >= deadline else { return [] }
            phase = .over
            return [.fail(ClientError(.unreachable, "the coordinator at \(endpoint) did not accept the plan within \(Self.acceptWait.components.seconds) s"))]
        }
    }

    private mutating func following(_ run: String, _ input: Input, _ now: ContinuousClock.Instant) -> [Action] {
        switch input {
        case .interrupted, .terminated:
            let (exit, what, reason): (SwellExit, String, String) = if case .terminated = input {
                (.terminated, "terminated (SIGTERM)", "terminated (SIGTERM)")
            } else {
                (.interrupted, "interrupted", "interrupted (SIGINT)")
            }
            guard embedded else {
                phase = .over
                return [.line("\(what): run \(run) goes on on the coordinator; `swell logs \(run) --coordinator \(endpoint)` shows its reports"),
                        .exit(exit)]
            }
            // The coordinator stops the tasks and journals the run as cancelled.
            phase = .cancelling(run: run, deadline: now + Self.cancelWait, exit: exit)
            return [.line("\(what): cancelling run \(run)"), .cancel(run: run, reason: reason)]
        case .outputClosed:
            // Nobody reads the outputs any more: an embedded run stops (its tasks with it), as
            // on Ctrl-C; a coordinator's run goes on for `swell logs`.
            guard embedded else {
                phase = .over
                return [.line("stdout was closed: run \(run) goes on on the coordinator; `swell logs \(run) --coordinator \(endpoint)` shows its reports"),
                        .exit(.outputClosed)]
            }
            phase = .cancelling(run: run, deadline: now + Self.cancelWait, exit: .outputClosed)
            return [.cancel(run: run, reason: "stdout was closed")]
        case .outputFailed(let reason):
            // As a closed stdout, but the run failed: its outputs did not all get out.
            guard embedded else {
                phase = .over
                return [.line("run \(run) goes on on the coordinator; `swell logs \(run) --coordinator \(endpoint)` shows its reports"),
                        .exit(.failed)]
            }
            phase = .cancelling(run: run, deadline: now + Self.cancelWait, exit: .failed)
            return [.cancel(run: run, reason: "stdout could not be written: \(reason)")]
        case .tick:
            // A remote coordinator heartbeats every interval: long silence means it is gone.
            guard !embedded, now - lastHeard > Self.silenceLimit, lastAttach.map({ now - $0 >= .seconds(1) }) ?? true else { return [] }
            var actions: [Action] = []
            if lastAttach == nil {
                actions.append(.line("no word from the coordinator for \(Self.silenceLimit.components.seconds) s; waiting for it to come back"))
            }
            lastAttach = now
            if now - lastHeard > Self.reconnectAfter, lastReconnect.map({ now - $0 >= Self.reconnectEvery }) ?? true {
                lastReconnect = now
                actions.append(.reconnect)
            }
            return actions + [attach(run)]
        case .welcomed:
            return [attach(run)]
        case .message(let message):
            lastHeard = now
            var actions: [Action] = []
            if lastAttach != nil {
                lastAttach = nil
                lastReconnect = nil
                actions.append(.line("the coordinator is back"))
            }
            return actions + received(message, run)
        case .failure:
            return []
        }
    }

    private mutating func received(_ message: Message, _ run: String) -> [Action] {
        switch message {
        case .event(let event) where event.run == run:
            if event.kind == .taskFinished, let report = event.report { return [.record(report), .event(event)] }
            if event.kind == .stageFinished, let stage = event.stage { endsShown.insert(stage) }
            return [.event(event)]
        case .output(let piece) where piece.run == run:
            // Acknowledged once written: the coordinator sends no more than a few pieces ahead
            // of what reached stdout.
            return take(piece, run) + [.acknowledge([piece.id])]
        case .result(let result) where result.run == run:
            // Pieces lost on the way (a connection that broke): ask for the rest.
            if result.outputBytes.indices.contains(where: { !complete.contains($0) || received[$0] != result.outputBytes[$0] }) {
                return [.line("the run's output came incomplete; asking for the rest"), attach(run)]
            }
            phase = .over
            return finished(result)
        case .refusal(let refusal) where refusal.code == .rejoin:
            return [.hello]
        case .refusal(let refusal) where refusal.code == .unknownRun:
            phase = .over
            return [.fail(ClientError(.failed, refusal.message))]
        case .refusal(let refusal) where refusal.code == .notAdmitted:
            // The coordinator no longer admits this client's key: waiting cannot help.
            phase = .over
            return [.fail(ClientError(.unreachable, "the coordinator no longer admits this client: \(refusal.message)"))]
        default:
            return []
        }
    }

    private func attach(_ run: String) -> Action {
        .attach(run: run, outputFrom: received.isEmpty ? nil : received)
    }

    /// A piece of a sink's output: printed (or kept for `--json`) when it is the next one; a
    /// copy of what came already is dropped; a gap (pieces lost when a connection broke) asks
    /// for the rest again.
    private mutating func take(_ piece: OutputChunk, _ run: String) -> [Action] {
        guard piece.sink >= 0, piece.sink < 10_000 else { return [] }
        while received.count <= piece.sink {
            received.append(0)
            outputs.append(Data())
        }
        if complete.contains(piece.sink) { return [] }
        if piece.offset > received[piece.sink] || (piece.sink > 0 && !complete.contains(piece.sink - 1)) {
            // Once per gap: the pieces still on their way from the broken stream say the same.
            guard gapAskedFrom != received else { return [] }
            gapAskedFrom = received
            return [attach(run)]
        }
        let fresh = piece.data.dropFirst(received[piece.sink] - piece.offset)
        received[piece.sink] += fresh.count
        if piece.last { complete.insert(piece.sink) }
        guard !fresh.isEmpty else { return [] }
        if json {
            outputs[piece.sink].append(fresh)
            return []
        }
        return [.output(Data(fresh))]
    }

    /// When a time that began at `start` counts from: a run that went on counts from then, the
    /// time between its two runs is not its own.
    private static func countedFrom(_ start: Double, _ result: RunResult) -> Double { max(start, result.continuedAt ?? start) }

    /// The end of each stage whose end the client has not shown, from the run's result, then
    /// the end of the progress block.
    private func stageEnds(_ result: RunResult) -> [Action] {
        var actions: [Action] = []
        // A stage that had ended before the run went on ended in an earlier `swell run`: the
        // notice that the run continues counted its tasks as done.
        func endedBefore(_ stage: StageResult) -> Bool {
            guard let end = stage.endedAt, let continued = result.continuedAt else { return false }
            return end <= continued
        }
        // Stages that never started are named too, as not run (what they need failed, or the
        // run ended first).
        for stage in result.stages where stage.status.isFinished && (stage.startedAt != nil || stage.status == .skipped)
            && !endsShown.contains(stage.id) && !endedBefore(stage) {
            let seconds = stage.endedAt.flatMap { end in stage.startedAt.map { end - Self.countedFrom($0, result) } }
            actions.append(.event(Event(id: 0, run: result.run, kind: .stageFinished, stage: stage.id, counts: stage.counts,
                                        seconds: seconds, status: stage.status)))
        }
        actions.append(.finishProgress)
        return actions
    }

    /// The run's end: its outputs on stdout (or the `--json` object), a last line, the exit status.
    private func finished(_ result: RunResult) -> [Action] {
        let exit: SwellExit = result.status == .succeeded ? .success : .failed
        var actions = stageEnds(result)
        func from(_ start: Double) -> Double { Self.countedFrom(start, result) }
        if json {
            actions.append(.output(RunOutput(result, outputs: outputs, exit: exit).json()))
        }
        if result.status == .succeeded {
            let firstStart = result.stages.compactMap(\.startedAt).min()
            var elapsed = result.stages.compactMap(\.endedAt).max().map { end in
                " in " + Durations.format(.seconds(end - from(firstStart ?? end)))
            } ?? ""
            if let continued = result.continuedAt, let firstStart, continued > firstStart {
                elapsed += " (continued: it first started \(Durations.format(.seconds(continued - firstStart))) before)"
            }
            actions.append(.progressLine("run \(result.run) succeeded\(elapsed)"))
        } else {
            let failures = result.stages.filter { $0.counts.failed > 0 }
                .map { "\($0.counts.failed) of \($0.counts.tasks ?? 0) in \($0.id)" }
            let why = result.error ?? (failures.isEmpty ? nil : "failed tasks: " + failures.joined(separator: ", "))
            actions.append(.line("run \(result.run) \(result.status.rawValue)\(why.map { ": \($0)" } ?? "")"))
            actions.append(.line("reports: swell logs \(result.run)" + source))
            switch result.status {
            case .budgetExhausted:
                let budget = [result.error?.contains("cost") == true ? "cost=N" : nil,
                              result.error?.contains("task-seconds") == true ? "task-seconds=N" : nil].compactMap { $0 }.joined(separator: ",")
                actions.append(.line("to go on with a larger budget: \(rerun) --continue \(result.run) --budget \(budget.isEmpty ? "cost=N" : budget)"))
            case .failed where result.stages.contains(where: { $0.counts.failed > 0 }):
                actions.append(.line("to run the failed tasks again: \(rerun) --retry-failed \(result.run)"))
            default:
                break
            }
        }
        actions.append(.exit(exit))
        return actions
    }
}
