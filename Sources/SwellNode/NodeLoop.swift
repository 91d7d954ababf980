import Foundation
import Logging
import SwellCore
import SwellProtocol
import SwellWire
import SwellSecurity
import SwellZMQ

/// The node's state and its reactions to events. Owned by ``NodeService``'s event loop.
struct NodeLoop {
    enum State: String {
        case joining
        case up
        case leaving
    }

    let configuration: NodeConfiguration
    let incarnation: String
    let socket: ZMQSocketHandle
    let logger: Logger
    let clock = ContinuousClock()

    private(set) var state = State.joining
    /// The name the coordinator knows this node by.
    private var name: String
    private var coordinator: String?
    private var nextID: UInt64 = 0
    private var shares: [AssignmentID: SubOrchestrator] = [:]
    /// Assignments already taken in, so that a resent ASSIGN is acknowledged, not run twice.
    private var taken: Set<AssignmentID> = []
    /// Stop signals of running processes, per share and task index.
    private var stops: [AssignmentID: [Int: StopSignal]] = [:]
    /// The key under which a share's `summarize` process keeps its stop signal (task indices are
    /// 0 or more, and a reduction's task is -1).
    static let summarizeSlot = -2
    /// Tasks waiting for a free slot: recovered work the coordinator sent while the node was full.
    private var queued: [ProcessWork] = []
    private var running = 0
    private var outbox = Outbox<AssignmentID>()
    private var lastHeartbeat: ContinuousClock.Instant
    private var lastFromCoordinator: ContinuousClock.Instant
    /// How often to say it is alive: the coordinator's interval once it has said it.
    private var heartbeatInterval: Duration
    /// When to say HELLO next while joining, and the current back-off delay.
    private var nextHello: ContinuousClock.Instant
    private var helloDelay = NodeLoop.firstHelloDelay
    static let firstHelloDelay: Duration = .milliseconds(500)
    static let longestHelloDelay: Duration = .seconds(8)
    /// CANCELs to acknowledge once the processes they stopped have exited.
    private var pendingCancels: [UInt64: Set<ProcessKey>] = [:]
    /// When the node started (re-)joining, and when it last said it is still waiting.
    private var joiningSince: ContinuousClock.Instant
    private var lastJoinWarning: ContinuousClock.Instant?
    private var leaveDeadline: ContinuousClock.Instant?
    private var leaveID: UInt64?
    private var leaveAcked = false

    init(configuration: NodeConfiguration, incarnation: String, socket: ZMQSocketHandle, logger: Logger) {
        self.configuration = configuration
        self.incarnation = incarnation
        self.socket = socket
        self.logger = logger
        self.name = configuration.name
        let now = clock.now
        lastHeartbeat = now
        lastFromCoordinator = now
        joiningSince = now
        nextHello = now
        heartbeatInterval = configuration.heartbeatInterval
    }

    var isLeaving: Bool { state == .leaving }

    /// Nothing runs and, when leaving, the coordinator has the LEAVE (or stopped answering).
    var isIdle: Bool {
        guard running == 0 else { return false }
        guard state == .leaving else { return true }
        if leaveAcked { return true }
        if let leaveDeadline { return clock.now >= leaveDeadline }
        return false
    }

    // MARK: Sending

    private mutating func id() -> UInt64 {
        nextID += 1
        return nextID
    }

    private func send(_ message: Message) {
        socket.send(WireCodec.encode(message))
    }

    /// Says HELLO with what it still holds, and plans the next one with exponential back-off and
    /// ±20% jitter (0.5 s doubling to 8 s), so that many nodes do not knock in step.
    mutating func hello() {
        // Held: what runs here, and what finished here but is not acknowledged yet (its reports
        // or summary wait in the outbox and go out again after the WELCOME).
        let holding = Array(Set(shares.keys).union(outbox.keys))
        send(.hello(Hello(id: id(), role: .node, name: configuration.name, incarnation: incarnation,
                          slots: configuration.slots, labels: configuration.labels,
                          acceptsAnyLabels: configuration.acceptsAnyLabels, holding: holding)))
        let jitter = Double.random(in: 0.8...1.2)
        nextHello = clock.now + helloDelay * jitter
        helloDelay = min(helloDelay * 2, Self.longestHelloDelay)
    }

    /// Starts joining again: the coordinator went quiet, restarted, or no longer knows this node.
    private mutating func rejoin(_ why: String) {
        guard state != .leaving else { return }
        logger.warning("\(why); joining again")
        state = .joining
        joiningSince = clock.now
        lastJoinWarning = nil
        helloDelay = Self.firstHelloDelay
        hello()
    }

    /// Stops every task and tells the coordinator this node is leaving.
    mutating func leave() {
        guard state != .leaving else { return }
        logger.info("leaving: stopping \(running) running task(s)")
        state = .leaving
        for (_, signals) in stops { for (_, signal) in signals { signal.stop() } }
        shares.removeAll()
        queued.removeAll()
        let leaveID = id()
        self.leaveID = leaveID
        leaveDeadline = clock.now + .seconds(1)
        send(.leave(Leave(id: leaveID, reason: "node shutting down")))
    }

    private mutating func deliver(_ message: Message, share: AssignmentID) {
        let frames = WireCodec.encode(message)
        socket.send(frames)
        outbox.add(id: message.id, key: share, frames: frames, now: clock.now)
    }

    // MARK: Events

    mutating func handle(_ event: NodeService.Event) -> [ProcessWork] {
        switch event {
        case .inbound(let message):
            return inbound(message)
        case .tick:
            tick()
            return []
        case .taskEnded(let key, let task, let outcome, let command):
            running -= 1
            stops[key]?[task.index] = nil
            processEnded(ProcessKey(share: key, slot: task.index))
            var work = taskEnded(key, task, outcome, command: command)
            work += startQueued()
            return work
        case .summaryEnded(let key, let outcome):
            running -= 1
            stops[key]?[Self.summarizeSlot] = nil
            processEnded(ProcessKey(share: key, slot: Self.summarizeSlot))
            return summaryEnded(key, outcome) + startQueued()
        case .shutdown:
            return []
        }
    }

    private mutating func inbound(_ zmq: ZMQMessage) -> [ProcessWork] {
        let message: Message
        do {
            message = try WireCodec.decode(zmq.frames)
        } catch {
            logger.warning("dropped a message from the coordinator: \(error)")
            return []
        }
        lastFromCoordinator = clock.now
        switch message {
        case .welcome(let welcome):
            let restarted = coordinator != nil && coordinator != welcome.coordinator
            if state == .joining || restarted {
                logger.info("joined as \(welcome.name)\(restarted ? " (the coordinator restarted)" : "")")
            }
            coordinator = welcome.coordinator
            name = welcome.name
            if welcome.heartbeatMilliseconds > 0 { heartbeatInterval = .milliseconds(welcome.heartbeatMilliseconds) }
            if state != .leaving { state = .up }
            helloDelay = Self.firstHelloDelay
            // Say at once that the path works both ways, then send again whatever was sent
            // before this (re-)join: it may have been lost.
            lastHeartbeat = clock.now
            send(.heartbeat(Heartbeat(id: id(), incarnation: incarnation, running: running)))
            for entry in outbox.takeForResend(olderThan: nil, now: clock.now) { socket.send(entry.frames) }
            return []
        case .assign(let assign):
            return accept(assign)
        case .relay(let relay):
            send(.ack(Ack(id: id(), acks: [relay.id])))
            guard let key = shares.keys.first(where: {
                $0.run == relay.report.run && $0.stage == relay.report.stage && $0.kind == .share && $0.share == relay.share
            }), var sub = shares.removeValue(forKey: key) else { return [] }
            let actions = sub.relayed(relay.report)
            shares[key] = sub
            return perform(actions, key)
        case .ack(let ack):
            outbox.acknowledge(ack.acks)
            if let leaveID, ack.acks.contains(leaveID) { leaveAcked = true }
            return []
        case .cancel(let cancel):
            return stop(cancel)
        case .heartbeat:
            return []
        case .refusal(let refusal):
            switch refusal.code {
            case .rejoin:
                if state == .up { rejoin("the coordinator does not know this node (it restarted, or counted it down)") }
            default:
                logger.error("the coordinator refused a message: \(refusal.message)")
            }
            return []
        default:
            logger.debug("ignored \(message.type) from the coordinator")
            return []
        }
    }

    private mutating func tick() {
        let now = clock.now
        if state == .up, now - lastFromCoordinator >= heartbeatInterval * 3 {
            rejoin("no word from the coordinator for \(Self.seconds(now - lastFromCoordinator))")
        }
        if state == .joining, now >= nextHello {
            hello()
        }
        if state == .joining, now - joiningSince >= .seconds(5),
           lastJoinWarning.map({ now - $0 >= .seconds(30) }) ?? true {
            lastJoinWarning = now
            logger.warning("no answer from a coordinator at \(configuration.join) yet; still trying")
        }
        if now - lastHeartbeat >= heartbeatInterval {
            lastHeartbeat = now
            send(.heartbeat(Heartbeat(id: id(), incarnation: incarnation, running: running)))
        }
        if state == .up {
            for entry in outbox.takeForResend(olderThan: now - configuration.resendAfter, now: now) {
                socket.send(entry.frames)
            }
        }
    }

    // MARK: Shares

    private mutating func accept(_ assign: Assign) -> [ProcessWork] {
        let key = assign.assignment
        send(.ack(Ack(id: id(), acks: [assign.id])))
        guard state != .leaving, !taken.contains(key) else { return [] }
        taken.insert(key)
        var sub = SubOrchestrator(assign: assign, slots: configuration.slots)
        let actions = sub.start()
        shares[key] = sub
        logger.debug("share \(assign.stage)#\(assign.share + 1) of run \(assign.run): \(assign.tasks.count) task(s)")
        return perform(actions, key)
    }

    /// Stops what the CANCEL covers; acknowledges it once those processes have exited.
    private mutating func stop(_ cancel: Cancel) -> [ProcessWork] {
        func covered(_ key: AssignmentID) -> Bool { cancel.covers(key) }
        var stopped: Set<ProcessKey> = []
        for (key, signals) in stops where covered(key) {
            for (slot, signal) in signals {
                signal.stop()
                stopped.insert(ProcessKey(share: key, slot: slot))
            }
        }
        for key in Array(shares.keys) where covered(key) {
            shares[key] = nil
        }
        queued.removeAll { covered($0.share) }
        if !cancel.reason.isEmpty, !stopped.isEmpty {
            logger.info("stopping \(stopped.count) process(es) of run \(cancel.run): \(cancel.reason)")
        }
        if stopped.isEmpty {
            send(.ack(Ack(id: id(), acks: [cancel.id])))
        } else {
            pendingCancels[cancel.id] = stopped
        }
        return []
    }

    /// A process ended: acknowledges the CANCELs that were waiting for it.
    private mutating func processEnded(_ key: ProcessKey) {
        guard !pendingCancels.isEmpty else { return }
        var done: [UInt64] = []
        for (id, var waiting) in pendingCancels where waiting.remove(key) != nil {
            if waiting.isEmpty { done.append(id) } else { pendingCancels[id] = waiting }
        }
        for id in done { pendingCancels[id] = nil }
        if !done.isEmpty { send(.ack(Ack(id: id(), acks: done))) }
    }

    static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds) s"
    }

    private mutating func perform(_ actions: [SubOrchestrator.Action], _ key: AssignmentID) -> [ProcessWork] {
        guard let sub = shares[key] else { return [] }
        var work: [ProcessWork] = []
        for action in actions {
            switch action {
            case .start(let task):
                work += schedule(processWork(for: task, sub.assign, key))
            case .summarize(let reports):
                let assign = sub.assign
                guard let summarize = assign.spec.summarize else { continue }
                let values = PlaceholderValues(scope: "", index: assign.share, stage: assign.stage, run: assign.run, vars: assign.spec.vars)
                let command = summarize.substituted(values)
                var environment = environment(for: assign, values: values, attempt: 1)
                environment["SWELL_SHARE"] = String(assign.share)
                let (runnable, refusal) = policy(command, scope: "")
                var execution = TaskExecution(
                    argv: runnable.argv, environment: environment, workingDirectory: configuration.workingDirectory,
                    stdin: assign.spec.input.render(reports: reports), timeout: assign.spec.timeout,
                    outputCap: assign.spec.outputCap)
                execution.refusal = refusal
                stops[key, default: [:]][Self.summarizeSlot] = execution.stop
                work += schedule(ProcessWork(share: key, purpose: .summarize, execution: execution, command: command.display))
            case .finished:
                finish(key, summary: nil)
            }
        }
        return work
    }

    /// Starts `work` if a slot is free and nothing waits before it; else queues it. First come,
    /// first served: work the coordinator recovered from a lost node, queued while this node was
    /// full, starts before this node's own next wave.
    private mutating func schedule(_ work: ProcessWork) -> [ProcessWork] {
        if running < configuration.slots && queued.isEmpty {
            running += 1
            return [work]
        }
        queued.append(work)
        return []
    }

    private mutating func startQueued() -> [ProcessWork] {
        var work: [ProcessWork] = []
        while running < configuration.slots, !queued.isEmpty {
            running += 1
            work.append(queued.removeFirst())
        }
        return work
    }

    private func environment(for assign: Assign, values: PlaceholderValues, attempt: Int) -> [String: String] {
        var environment: [String: String] = [:]
        for (key, value) in assign.spec.env {
            environment[key] = Placeholders.substitute(value, values, quote: false)
        }
        environment["SWELL_SCOPE"] = values.scope
        environment["SWELL_INDEX"] = String(values.index)
        environment["SWELL_STAGE"] = assign.stage
        environment["SWELL_RUN"] = assign.run
        environment["SWELL_ATTEMPT"] = String(attempt)
        environment["SWELL_NODE"] = name
        return environment
    }

    private mutating func processWork(for task: TaskRef, _ assign: Assign, _ key: AssignmentID) -> ProcessWork {
        let values = PlaceholderValues(scope: task.scope, index: task.index, stage: assign.stage, run: assign.run, vars: assign.spec.vars)
        let command = assign.spec.run.substituted(values)
        let (runnable, refusal) = policy(command, scope: task.scope)
        var execution = TaskExecution(
            argv: runnable.argv, environment: environment(for: assign, values: values, attempt: task.attempt),
            workingDirectory: configuration.workingDirectory, stdin: assign.stdin,
            timeout: assign.spec.timeout, outputCap: assign.spec.outputCap)
        execution.refusal = refusal
        stops[key, default: [:]][task.index] = execution.stop
        return ProcessWork(share: key, purpose: .task(task), execution: execution, command: command.display)
    }

    /// What this node will run of `command`: its `--allow` list and `--workdir` confinement.
    /// Returns the command to run (a simple string command becomes argv under `--allow`) and,
    /// if refused, why.
    private func policy(_ command: Command, scope: String) -> (Command, String?) {
        if configuration.confined, let problem = WorkdirConfinement.problem(scope: scope) {
            logger.warning("refused a task: \(problem)")
            return (command, problem)
        }
        guard let allow = configuration.allow else { return (command, nil) }
        switch allow.check(command) {
        case .success(let runnable):
            return (runnable, nil)
        case .failure(let refusal):
            logger.warning("refused a task: \(refusal.reason)")
            return (command, refusal.reason)
        }
    }

    private mutating func taskEnded(_ key: AssignmentID, _ task: TaskRef, _ outcome: TaskOutcome, command: String) -> [ProcessWork] {
        // Taken out and put back, so that the sub-orchestrator is mutated in place, not copied.
        guard var sub = shares.removeValue(forKey: key) else { return [] }  // cancelled meanwhile
        let report = Report(
            run: key.run, stage: key.stage, index: task.index, scope: task.scope, attempt: task.attempt, node: name,
            exitCode: outcome.exitCode, signal: outcome.signal, timedOut: outcome.timedOut, error: outcome.error,
            startedAt: outcome.startedAt, endedAt: outcome.endedAt, stdoutBytes: outcome.stdoutBytes,
            stdoutTruncated: outcome.stdoutTruncated, command: command, stdout: outcome.stdout,
            stderrTail: outcome.stderrTail, share: key.kind == .reduce ? -1 : key.share)
        deliver(.report(ReportMessage(id: id(), share: key.share, report: report)), share: key)
        let actions = sub.taskEnded(report, isFinal: task.isFinal(report))
        shares[key] = sub
        return perform(actions, key)
    }

    private mutating func summaryEnded(_ key: AssignmentID, _ outcome: TaskOutcome) -> [ProcessWork] {
        guard var sub = shares.removeValue(forKey: key) else { return [] }
        _ = sub.summarized()
        shares[key] = sub
        finish(key, summary: outcome)
        return []
    }

    private mutating func finish(_ key: AssignmentID, summary outcome: TaskOutcome?) {
        guard let sub = shares.removeValue(forKey: key) else { return }
        stops[key] = nil
        guard key.kind == .share else { return }
        let assign = sub.assign
        var error = outcome?.error
        if error == nil, let outcome {
            if outcome.timedOut {
                error = "summarize timed out"
            } else if let signal = outcome.signal {
                error = "summarize ended by signal \(signal)"
            }
        }
        let summary = ShareSummary(
            run: assign.run, stage: assign.stage, share: assign.share, first: assign.first, count: assign.count,
            firstScope: assign.firstScope, lastScope: assign.lastScope, node: name,
            exitCode: outcome == nil ? 0 : outcome?.exitCode, error: error, output: outcome?.stdout ?? Data())
        deliver(.summary(SummaryMessage(id: id(), attempt: key.attempt, summary: summary, summarized: outcome != nil)), share: key)
    }
}
