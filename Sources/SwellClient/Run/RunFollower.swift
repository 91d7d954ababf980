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
        /// The embedded coordinator or node stopped with this error.
        case failure(String)
        /// HELLO was answered again, after a `rejoin` refusal.
        case welcomed
    }

    enum Action: Sendable {
        case submit(Submit)
        /// Cancel the run (an embedded run, on SIGINT).
        case cancel(run: String, reason: String)
        /// Follow the run again, after the coordinator was silent or lost this client.
        case attach(run: String)
        /// The run was accepted under this id.
        case started(run: String)
        /// Progress to show.
        case event(Event)
        /// A finished task for the joblog.
        case record(Report)
        /// A line for the user on stderr (`swell: ` and a newline added).
        case line(String)
        /// Text for stderr as it is (the plan's `FILE:LINE:COL` errors).
        case diagnostic(String)
        /// Progress is over: clear the live display.
        case finishProgress
        /// Bytes for stdout: the sink outputs, or the `--json` object.
        case output(Data)
        /// Say HELLO again (the coordinator no longer knows this client), then hand in `welcomed`.
        case hello
        case exit(SwellExit)
        case fail(ClientError)
    }

    /// How long the coordinator has to accept the plan.
    static let acceptWait: Duration = .seconds(30)
    /// Silence after which a remote coordinator is taken for gone, and the run is attached again every second.
    static let silenceLimit: Duration = .seconds(5)
    /// How long an interrupted embedded run waits for its cancelled result.
    static let cancelWait: Duration = .seconds(3)

    private enum Phase: Sendable {
        case submitting(deadline: ContinuousClock.Instant)
        case following(run: String)
        case cancelling(run: String, deadline: ContinuousClock.Instant)
        case over
    }

    let submit: Submit
    /// True for the embedded default: the run dies with this process, so an interrupt cancels it.
    let embedded: Bool
    let endpoint: String
    let json: Bool
    private var phase: Phase
    private var interruptedEarly = false
    private var lastHeard: ContinuousClock.Instant
    /// When the run was last attached again during a silence (nil: the coordinator is not silent).
    private var lastAttach: ContinuousClock.Instant?

    init(submit: Submit, embedded: Bool, endpoint: String, json: Bool, at now: ContinuousClock.Instant) {
        self.submit = submit
        self.embedded = embedded
        self.endpoint = endpoint
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
        case .cancelling(let run, let deadline):
            if case .message(.result(let result)) = input, result.run == run { return end(.interrupted) }
            return now >= deadline ? end(.interrupted) : []
        case .over:
            return []
        }
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
            if interruptedEarly { actions += following(accepted.run, .interrupted, now) }
            return actions
        case .message(.rejected(let rejected)) where rejected.replyTo == submit.id:
            phase = .over
            return [.diagnostic(rejected.message + "\n"), .exit(.usage)]
        case .interrupted:
            interruptedEarly = true
            return []
        default:
            guard now >= deadline else { return [] }
            phase = .over
            return [.fail(ClientError(.unreachable, "the coordinator at \(endpoint) did not accept the plan within \(Self.acceptWait.components.seconds) s"))]
        }
    }

    private mutating func following(_ run: String, _ input: Input, _ now: ContinuousClock.Instant) -> [Action] {
        switch input {
        case .interrupted:
            guard embedded else {
                phase = .over
                return [.line("interrupted: run \(run) goes on on the coordinator; `swell logs \(run) --coordinator \(endpoint)` shows its reports"),
                        .exit(.interrupted)]
            }
            // The coordinator stops the tasks and journals the run as cancelled.
            phase = .cancelling(run: run, deadline: now + Self.cancelWait)
            return [.line("interrupted: cancelling run \(run)"), .cancel(run: run, reason: "interrupted (SIGINT)")]
        case .tick:
            // A remote coordinator heartbeats every interval: long silence means it is gone.
            guard !embedded, now - lastHeard > Self.silenceLimit, lastAttach.map({ now - $0 >= .seconds(1) }) ?? true else { return [] }
            var actions: [Action] = []
            if lastAttach == nil {
                actions.append(.line("no word from the coordinator for \(Self.silenceLimit.components.seconds) s; waiting for it to come back"))
            }
            lastAttach = now
            return actions + [.attach(run: run)]
        case .welcomed:
            return [.attach(run: run)]
        case .message(let message):
            lastHeard = now
            var actions: [Action] = []
            if lastAttach != nil {
                lastAttach = nil
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
            return [.event(event)]
        case .result(let result) where result.run == run:
            phase = .over
            return finished(result)
        case .refusal(let refusal) where refusal.code == .rejoin:
            return [.hello]
        case .refusal(let refusal) where refusal.code == .unknownRun:
            phase = .over
            return [.fail(ClientError(.failed, refusal.message))]
        default:
            return []
        }
    }

    /// The run's end: its outputs on stdout (or the `--json` object), a last line, the exit status.
    private func finished(_ result: RunResult) -> [Action] {
        let exit: SwellExit = result.status == .succeeded ? .success : .failed
        var actions: [Action] = [.finishProgress]
        if json {
            actions.append(.output(RunOutput(result, exit: exit).json()))
        } else {
            actions += result.outputs.map(Action.output)
        }
        if result.status == .succeeded {
            let elapsed = result.stages.compactMap(\.endedAt).max().map { end in
                " in " + Durations.format(.seconds(end - (result.stages.compactMap(\.startedAt).min() ?? end)))
            } ?? ""
            actions.append(.line("run \(result.run) succeeded\(elapsed)"))
        } else {
            let failures = result.stages.filter { $0.counts.failed > 0 }
                .map { "\($0.counts.failed) of \($0.counts.tasks ?? 0) in \($0.id)" }
            let why = result.error ?? (failures.isEmpty ? nil : "failed tasks: " + failures.joined(separator: ", "))
            actions.append(.line("run \(result.run) \(result.status.rawValue)\(why.map { ": \($0)" } ?? "")"))
            actions.append(.line("reports: swell logs \(result.run)" + (embedded ? "" : " --coordinator \(endpoint)")))
        }
        actions.append(.exit(exit))
        return actions
    }
}
