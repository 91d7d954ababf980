import Foundation
import Logging
import SwellCore
import SwellPlan
import SwellProtocol
import SwellSecurity

/// The node's logic: joining, heartbeats, the shares it runs, its outbox, cancels and leaving.
/// A value without I/O: ``NodeService`` hands it events with the time (and the jitter of the
/// next HELLO), and carries out the ``NodeAction``s it returns.
struct NodeLoop: Sendable {
    enum State: String, Sendable {
        case joining
        case up
        case leaving
    }

    let configuration: NodeConfiguration
    let incarnation: String

    private(set) var state = State.joining
    /// The name the coordinator knows this node by.
    private(set) var name: String
    private var coordinator: String?
    private var nextID: UInt64 = 0
    private var shares: [AssignmentID: SubOrchestrator] = [:]
    /// Assignments already taken in, so that a resent ASSIGN is acknowledged, not run twice.
    private var taken: Set<AssignmentID> = []
    /// Processes running, by assignment: task indices, and ``ProcessKey/summarizeSlot``.
    private var processes: [AssignmentID: Set<Int>] = [:]
    /// Tasks waiting for a free slot: recovered work the coordinator sent while the node was full.
    private var queued: [ProcessWork] = []
    private(set) var running = 0
    /// `running` as the last heartbeat said it.
    private var saidRunning = 0
    private var outbox = Outbox<AssignmentID>()
    private var lastHeartbeat: ContinuousClock.Instant
    private var lastFromCoordinator: ContinuousClock.Instant
    /// How often to say it is alive: the coordinator's interval once it has said it.
    private var heartbeatInterval: Duration
    /// How long without word from the coordinator before joining again: the silence after which
    /// the coordinator counts a node down, once it has said it.
    private var silenceAllowed: Duration
    /// When the loop last had a tick: a longer gap is this node's own stall.
    private var lastTick: ContinuousClock.Instant
    /// When to say HELLO next while joining, and the current back-off delay.
    private(set) var nextHello: ContinuousClock.Instant
    private var helloDelay = NodeLoop.firstHelloDelay
    /// When a refusal for a key the coordinator no longer admits was last logged.
    private var lastNotAdmitted: ContinuousClock.Instant?
    /// When the node last made a new connection after a refusal of its key.
    private var lastReconnect: ContinuousClock.Instant?
    static let notAdmittedReconnect: Duration = .seconds(5)
    /// Running tasks of stages with `timeout: N%`, and how long the stages' tasks that succeeded
    /// here ran (seconds).
    private var watched: [ProcessKey: Straggling] = [:]
    /// The time of the event being handled.
    private var clock = ContinuousClock.now
    private var durations: [StageKey: [Double]] = [:]
    static let firstHelloDelay: Duration = .milliseconds(500)
    /// A gap between ticks longer than this (and than the heartbeat interval) is a stall of the
    /// node itself.
    static let stallAfter: Duration = .milliseconds(300)
    static let longestHelloDelay: Duration = .seconds(8)
    /// CANCELs to acknowledge once the processes they stopped have exited.
    private var pendingCancels: [UInt64: Set<ProcessKey>] = [:]
    /// When the node started (re-)joining, and when it last said it is still waiting.
    private var joiningSince: ContinuousClock.Instant
    private var lastJoinWarning: ContinuousClock.Instant?
    private var leaveDeadline: ContinuousClock.Instant?
    private var leaveID: UInt64?
    private var leaveAcked = false
    /// Inputs fetched in pieces (``Assign/stdinBytes``), into files in `inputDirectory`.
    private var inputs: [InputKey: InputFetch] = [:]
    private let inputDirectory: String
    private var inputFiles = 0
    /// Tasks of stages with `uses` that have a slot and wait for their lease (LEASE?).
    private var leaseWaiting: [LeaseRef: ProcessWork] = [:]
    /// Running tasks started under a lease.
    private var leased: [ProcessKey: LeaseRef] = [:]
    private var lastLeaseAsk: ContinuousClock.Instant?
    /// How long tasks under leases may run without word from the coordinator (WELCOME's
    /// `leaseHoldMilliseconds`); nil: as long as they take.
    private var leaseHold: Duration?

    /// - Parameter inputDirectory: where inputs fetched in pieces are kept, a file each, while
    ///   assignments need them (the shell makes it, private to the node's user).
    init(configuration: NodeConfiguration, incarnation: String, inputDirectory: String = "/tmp", at now: ContinuousClock.Instant) {
        self.configuration = configuration
        self.incarnation = incarnation
        self.inputDirectory = inputDirectory
        self.name = configuration.name
        lastHeartbeat = now
        lastFromCoordinator = now
        joiningSince = now
        nextHello = now
        heartbeatInterval = configuration.heartbeatInterval
        silenceAllowed = configuration.heartbeatInterval * 6
        lastTick = now
    }

    var isLeaving: Bool { state == .leaving }

    /// Nothing runs and, when leaving, the coordinator has the LEAVE (or stopped answering).
    func isIdle(at now: ContinuousClock.Instant) -> Bool {
        guard running == 0 else { return false }
        guard state == .leaving else { return true }
        if leaveAcked { return true }
        if let leaveDeadline { return now >= leaveDeadline }
        return false
    }

    /// What the loop wants done, collected while it handles one event.
    private var actions: [NodeAction] = []

    private mutating func id() -> UInt64 {
        nextID += 1
        return nextID
    }

    private mutating func send(_ message: Message) { actions.append(.send(message)) }
    private mutating func log(_ level: Logger.Level, _ text: String) { actions.append(.log(level, text)) }

    // MARK: Events

    /// The first HELLO.
    mutating func start(at now: ContinuousClock.Instant, jitter: Double) -> [NodeAction] {
        hello(now, jitter: jitter)
        return takeActions()
    }

    /// Handles one event at `now`. `jitter` (0.8 to 1.2) spreads the next HELLO, should one be
    /// planned, so that many nodes do not knock in step.
    mutating func handle(_ event: NodeEvent, at now: ContinuousClock.Instant, jitter: Double) -> [NodeAction] {
        clock = now
        switch event {
        case .message(let message):
            inbound(message, now, jitter: jitter)
        case .undecodable(let error):
            log(.warning, "dropped a message from the coordinator: \(error)")
        case .tick:
            tick(now, jitter: jitter)
        case .ended(let work, let outcome):
            // The report goes before the acknowledgement of a CANCEL that waited for it.
            switch work.purpose {
            case .task(let task): taskEnded(work.key.assignment, task, outcome, command: work.command, now)
            case .summarize: summaryEnded(work.key.assignment, outcome, now)
            }
            processEnded(work.key)
            startQueued()
            // Idle now: said at once, after the last report, so that `swell status` does not
            // show the tasks of a finished run as running until the next heartbeat.
            if running == 0, saidRunning > 0, state == .up { heartbeat(now) }
        case .inputStored(let key, let bytes):
            inputStored(key, bytes, now)
        case .inputFailed(let key, let why):
            inputFailed(key, why, now)
        case .shutdown:
            leave(now)
        }
        return takeActions()
    }

    private mutating func takeActions() -> [NodeAction] {
        defer { actions = [] }
        return actions
    }

    // MARK: Joining and leaving

    /// Says HELLO with what it still holds, and plans the next one with exponential back-off
    /// (0.5 s doubling to 8 s) times `jitter`.
    private mutating func hello(_ now: ContinuousClock.Instant, jitter: Double) {
        // Held: what runs here, what waits for its input, and what finished here but is not
        // acknowledged yet (its reports or summary wait in the outbox and go out again after
        // the WELCOME).
        let waiting = inputs.values.flatMap { $0.waiting.map(\.assignment) }
        let holding = Array(Set(shares.keys).union(outbox.keys).union(waiting)).sorted()
        send(.hello(Hello(id: id(), role: .node, name: configuration.name, incarnation: incarnation,
                          slots: configuration.slots, labels: configuration.labels,
                          acceptsAnyLabels: configuration.acceptsAnyLabels, holding: holding, fetchesInput: true)))
        nextHello = now + helloDelay * jitter
        helloDelay = min(helloDelay * 2, Self.longestHelloDelay)
    }

    /// Starts joining again: the coordinator went quiet, restarted, or no longer knows this node.
    private mutating func rejoin(_ why: String, _ now: ContinuousClock.Instant, jitter: Double) {
        guard state != .leaving else { return }
        log(.warning, "\(why); joining again")
        state = .joining
        joiningSince = now
        lastJoinWarning = nil
        helloDelay = Self.firstHelloDelay
        hello(now, jitter: jitter)
    }

    /// Stops every task and forgets every assignment and unacknowledged report: the coordinator
    /// no longer counts on this node for them.
    private mutating func abandonWork() {
        if running > 0 { log(.warning, "stopping \(running) running task(s): the coordinator has handed them to other nodes") }
        stopEverything()
        outbox = Outbox<AssignmentID>()
    }

    /// Stops every running task and forgets every assignment, queued task and fetched input.
    private mutating func stopEverything() {
        for (assignment, slots) in processes.sorted(by: { $0.key < $1.key }) {
            for slot in slots.sorted() { actions.append(.stop(ProcessKey(assignment: assignment, slot: slot))) }
        }
        shares.removeAll()
        queued.removeAll()
        leaseWaiting.removeAll()
        for fetch in inputs.values { actions.append(.removeInput(path: fetch.path)) }
        inputs.removeAll()
    }

    /// Stops every task and tells the coordinator this node is leaving.
    private mutating func leave(_ now: ContinuousClock.Instant) {
        guard state != .leaving else { return }
        log(.info, "leaving: stopping \(running) running task(s)")
        state = .leaving
        stopEverything()
        let leaveID = id()
        self.leaveID = leaveID
        leaveDeadline = now + .seconds(1)
        send(.leave(Leave(id: leaveID, reason: "node shutting down")))
    }

    /// Sends a message that must arrive, and keeps it until the coordinator acknowledges it.
    private mutating func deliver(_ message: Message, for assignment: AssignmentID, _ now: ContinuousClock.Instant) {
        announce(message)
        send(message)
        outbox.add(message, key: assignment, now: now)
    }

    private mutating func inbound(_ message: Message, _ now: ContinuousClock.Instant, jitter: Double) {
        lastFromCoordinator = now
        switch message {
        case .welcome(let welcome):
            let restarted = coordinator != nil && coordinator != welcome.coordinator
            if state == .joining || restarted {
                log(.info, "joined as \(welcome.name)\(restarted ? " (the coordinator restarted)" : "")")
                if welcome.name.hasPrefix(name + "#") {
                    log(.warning, "another live node is called \(name), so the coordinator knows this one as \(welcome.name); give each node its own --name (or key)")
                }
            }
            coordinator = welcome.coordinator
            name = welcome.name
            lastNotAdmitted = nil
            if welcome.heartbeatMilliseconds > 0 { heartbeatInterval = .milliseconds(welcome.heartbeatMilliseconds) }
            silenceAllowed = welcome.silenceMilliseconds.flatMap { $0 > 0 ? .milliseconds($0) : nil } ?? heartbeatInterval * 6
            leaseHold = welcome.leaseHoldMilliseconds.flatMap { $0 > 0 ? .milliseconds($0) : nil }
            if state != .leaving { state = .up }
            helloDelay = Self.firstHelloDelay
            // Say at once that the path works both ways, then send again whatever was sent
            // before this (re-)join: it may have been lost.
            heartbeat(now)
            for entry in outbox.takeAll(now: now) {
                announce(entry.message)
                actions.append(.resend(entry.message))
            }
            for (key, fetch) in inputs where fetch.askedAt != nil { askInput(key, now) }
            askLeases(Array(leaseWaiting.keys), now)
        case .lease(let grant):
            for ref in grant.tasks {
                guard let work = leaseWaiting.removeValue(forKey: ref) else { continue }
                leased[work.key] = ref
                begin(work)
            }
        case .assign(let assign):
            accept(assign, now)
        case .relay(let relay):
            send(.ack(Ack(id: id(), acks: [relay.id])))
            let report = relay.report
            guard let key = shares.keys.first(where: {
                $0.run == report.run && $0.stage == report.stage && $0.kind == .share && $0.share == report.share
            }), var sub = shares.removeValue(forKey: key) else { return }
            let steps = sub.relayed(report)
            shares[key] = sub
            perform(steps, key, now)
        case .ack(let ack):
            outbox.acknowledge(ack.acks)
            startQueued()
            if let leaveID, ack.acks.contains(leaveID) { leaveAcked = true }
        case .cancel(let cancel):
            stop(cancel)
        case .input(let piece):
            inputArrived(piece, now)
        case .heartbeat:
            break
        case .refusal(let refusal):
            switch refusal.code {
            case .rejoin:
                if state == .up { rejoin("the coordinator does not know this node (it restarted, or counted it down)", now, jitter: jitter) }
            case .notAdmitted:
                // Said once, then every 30 s while it lasts: each HELLO meanwhile is refused too.
                if lastNotAdmitted.map({ now - $0 >= .seconds(30) }) ?? true {
                    lastNotAdmitted = now
                    log(.error, "the coordinator does not admit this node: \(refusal.message)")
                }
                // The connection keeps the name its handshake was admitted under: a new one is
                // admitted as the authorized file says now (a renamed key, a key put back).
                if lastReconnect.map({ now - $0 >= Self.notAdmittedReconnect }) ?? true {
                    lastReconnect = now
                    actions.append(.reconnect)
                }
                // The coordinator counted this node gone and handed its work out again: the tasks
                // it still runs are stopped rather than run twice. Until the key is admitted
                // again, it asks to join, as a node never admitted does.
                if state == .up {
                    abandonWork()
                    rejoin("not admitted", now, jitter: jitter)
                }
            default:
                log(.error, "the coordinator refused a message: \(refusal.message)")
            }
        default:
            log(.debug, "ignored \(message.type) from the coordinator")
        }
    }

    /// A task of a stage with `timeout: N%`, while it runs.
    struct Straggling {
        var startedAt: ContinuousClock.Instant
        var stage: StageKey
        var percent: Int
        var coordinatorMedian: Int?
        var index: Int
        var stopped = false
    }

    struct StageKey: Hashable {
        var run: String
        var stage: String
    }

    /// Stops the tasks that run longer than their stage's `timeout: N%` allows: N% of the median
    /// of the stage's tasks that succeeded here, or of the coordinator's median while fewer
    /// than 3 have here.
    private mutating func stopStragglers(_ now: ContinuousClock.Instant) {
        // Each stage's median here, sorted once per tick however many of its tasks run.
        var localMedians: [StageKey: Duration?] = [:]
        for (key, task) in watched where !task.stopped {
            let local = localMedians[task.stage] ?? {
                let known = durations[task.stage] ?? []
                let median: Duration? = known.count >= 3 ? .seconds(known.sorted()[known.count / 2]) : nil
                localMedians[task.stage] = median
                return median
            }()
            guard let median = local ?? task.coordinatorMedian.map({ .milliseconds($0) }) else { continue }
            let limit = median * task.percent / 100
            guard now - task.startedAt > limit, limit > .zero else { continue }
            watched[key]!.stopped = true
            let why = "straggler: stopped after \(Durations.format(now - task.startedAt)), over \(task.percent)% of the stage's median task (\(Durations.format(median)))"
            log(.info, "task \(task.stage.stage)[\(task.index)] of run \(task.stage.run): \(why)")
            actions.append(.stopFor(key, .straggler(why)))
        }
    }

    /// A report from this size on is announced by a heartbeat that says how large it is.
    static let announcedFrom = 4 << 20

    /// Before a large report: a heartbeat that says its size, so that the coordinator does not
    /// take the seconds it takes to arrive (behind which no heartbeat passes) for silence.
    private mutating func announce(_ message: Message) {
        guard case .report(let sent) = message else { return }
        let bytes = sent.report.stdout.count + sent.report.stderrTail.count + sent.report.command.utf8.count
        guard bytes >= Self.announcedFrom else { return }
        send(.heartbeat(Heartbeat(id: id(), running: running, sending: bytes)))
    }

    private mutating func heartbeat(_ now: ContinuousClock.Instant) {
        lastHeartbeat = now
        saidRunning = running
        send(.heartbeat(Heartbeat(id: id(), running: running)))
    }

    private mutating func tick(_ now: ContinuousClock.Instant, jitter: Double) {
        // A node that did not run for a while (stopped, starved of CPU) heard nothing in that
        // time through no fault of the coordinator.
        let gap = now - lastTick
        lastTick = now
        if !watched.isEmpty { stopStragglers(now) }
        if !leased.isEmpty { stopUnheldLeases(now) }
        if gap > max(heartbeatInterval, Self.stallAfter) {
            lastFromCoordinator = min(now, lastFromCoordinator + gap)
            outbox.postpone(by: gap)
        }
        if state == .up, now - lastFromCoordinator >= silenceAllowed {
            rejoin("no word from the coordinator for \(Durations.format(now - lastFromCoordinator))", now, jitter: jitter)
        }
        if state == .joining, now >= nextHello {
            hello(now, jitter: jitter)
        }
        if state == .joining, now - joiningSince >= .seconds(5),
           lastJoinWarning.map({ now - $0 >= .seconds(30) }) ?? true {
            lastJoinWarning = now
            log(.warning, "no answer from a coordinator at \(configuration.join) yet; still trying")
        }
        if now - lastHeartbeat >= heartbeatInterval { heartbeat(now) }
        if state == .up {
            for entry in outbox.takeDue(now: now, first: configuration.resendAfter) {
                announce(entry.message)
                actions.append(.resend(entry.message))
            }
            if !leaseWaiting.isEmpty, lastLeaseAsk.map({ now - $0 >= configuration.resendAfter }) ?? true {
                askLeases(Array(leaseWaiting.keys), now)
            }
            // An INPUT? (or its answer) lost on the way is asked again.
            for (key, fetch) in inputs {
                if let asked = fetch.askedAt, now - asked >= configuration.resendAfter { askInput(key, now) }
            }
        }
    }

    // MARK: Shares

    private mutating func accept(_ assign: Assign, _ now: ContinuousClock.Instant) {
        let key = assign.assignment
        send(.ack(Ack(id: id(), acks: [assign.id])))
        guard state != .leaving, !taken.contains(key) else { return }
        taken.insert(key)
        if let bytes = assign.stdinBytes {
            // Its input comes in pieces; its tasks wait for all of it.
            let input = InputKey(assign)
            var fetch = inputs[input] ?? {
                inputFiles += 1
                return InputFetch(path: "\(inputDirectory)/input-\(inputFiles)", bytes: bytes)
            }()
            fetch.users.insert(key)
            let ready = fetch.complete
            if !ready { fetch.waiting.append(assign) }
            inputs[input] = fetch
            if ready {
                startShare(assign, now)
            } else if fetch.askedAt == nil && !fetch.storing {
                askInput(input, now)
            }
            return
        }
        startShare(assign, now)
    }

    /// Starts the share's sub-orchestrator: its first tasks run, or wait for slots.
    private mutating func startShare(_ assign: Assign, _ now: ContinuousClock.Instant) {
        let key = assign.assignment
        var sub = SubOrchestrator(assign: assign, slots: configuration.slots)
        let steps = sub.start()
        shares[key] = sub
        log(.debug, "share \(assign.stage)#\(assign.share + 1) of run \(assign.run): \(assign.tasks.count) task(s)")
        perform(steps, key, now)
    }

    /// Stops what the CANCEL covers; acknowledges it once those processes have exited.
    private mutating func stop(_ cancel: Cancel) {
        if cancel.drain == true {
            drain(cancel)
            return
        }
        let stopped = processes(coveredBy: cancel, summaries: true)
        for key in stopped.sorted(by: { ($0.assignment, $0.slot) < ($1.assignment, $1.slot) }) { actions.append(.stop(key)) }
        for key in Array(shares.keys) where cancel.covers(key) {
            shares[key] = nil
        }
        forgetUnstarted(cancel)
        if !cancel.reason.isEmpty, !stopped.isEmpty {
            log(.info, "stopping \(stopped.count) process(es) of run \(cancel.run): \(cancel.reason)")
        }
        acknowledge(cancel, once: stopped)
    }

    /// Starts nothing more of what the CANCEL covers and lets what runs finish and report;
    /// acknowledges it once those processes have ended (after their reports).
    private mutating func drain(_ cancel: Cancel) {
        let running = processes(coveredBy: cancel, summaries: false)
        for key in Array(shares.keys) where cancel.covers(key) { shares[key]!.drain() }
        forgetUnstarted(cancel)
        if !running.isEmpty { log(.info, "starting no more tasks of run \(cancel.run): \(cancel.reason); \(running.count) running finish") }
        acknowledge(cancel, once: running)
    }

    /// The running processes of the assignments `cancel` covers; their summaries' too when asked.
    private func processes(coveredBy cancel: Cancel, summaries: Bool) -> Set<ProcessKey> {
        var covered: Set<ProcessKey> = []
        for (assignment, slots) in processes where cancel.covers(assignment) {
            for slot in slots where summaries || slot != ProcessKey.summarizeSlot {
                covered.insert(ProcessKey(assignment: assignment, slot: slot))
            }
        }
        return covered
    }

    /// Forgets what of the assignments `cancel` covers has not started: work queued for a slot
    /// or a lease, and assignments waiting for their input.
    private mutating func forgetUnstarted(_ cancel: Cancel) {
        for input in Array(inputs.keys) {
            inputs[input]!.waiting.removeAll { cancel.covers($0.assignment) }
            for key in inputs[input]!.users where cancel.covers(key) {
                guard var fetch = inputs[input] else { break }
                release(key, from: input, &fetch)
            }
        }
        queued.removeAll { cancel.covers($0.key.assignment) }
        leaseWaiting = leaseWaiting.filter { !cancel.covers($0.value.key.assignment) }
    }

    /// Acknowledges `cancel` now, or once `processes` have ended.
    private mutating func acknowledge(_ cancel: Cancel, once processes: Set<ProcessKey>) {
        if processes.isEmpty {
            send(.ack(Ack(id: id(), acks: [cancel.id])))
        } else {
            pendingCancels[cancel.id] = processes
        }
    }

    /// A process ended: its slot is free, and the CANCELs that were waiting for it are acknowledged.
    private mutating func processEnded(_ key: ProcessKey) {
        running -= 1
        watched[key] = nil
        leased[key] = nil
        processes[key.assignment]?.remove(key.slot)
        if processes[key.assignment]?.isEmpty == true { processes[key.assignment] = nil }
        guard !pendingCancels.isEmpty else { return }
        var done: [UInt64] = []
        for (id, var waiting) in pendingCancels where waiting.remove(key) != nil {
            if waiting.isEmpty { done.append(id) } else { pendingCancels[id] = waiting }
        }
        for id in done { pendingCancels[id] = nil }
        if !done.isEmpty { send(.ack(Ack(id: id(), acks: done.sorted()))) }
    }

    private mutating func perform(_ steps: [SubOrchestrator.Action], _ key: AssignmentID, _ now: ContinuousClock.Instant) {
        guard let sub = shares[key] else { return }
        for step in steps {
            switch step {
            case .start(let task):
                schedule(processWork(for: task, sub.assign, key))
            case .summarize(let reports):
                let assign = sub.assign
                guard let summarize = assign.spec.summarize else { continue }
                let values = PlaceholderValues(scope: "", index: assign.share, stage: assign.stage, run: assign.run, vars: assign.spec.vars)
                let command = summarize.substituted(values)
                var environment = environment(for: assign, values: values, attempt: 1)
                environment["SWELL_SHARE"] = String(assign.share)
                let (runnable, refusal) = policy(command, scope: "", assign.spec)
                var execution = TaskExecution(
                    argv: runnable.argv(shell: assign.spec.shell), environment: environment,
                    workingDirectory: directory(of: assign.spec),
                    stdin: assign.spec.input.render(reports: reports), timeout: assign.spec.timeout,
                    outputCap: assign.spec.outputCap)
                execution.refusal = refusal
                execution.stopGrace = assign.spec.stopGrace
                schedule(ProcessWork(key: ProcessKey(assignment: key, slot: ProcessKey.summarizeSlot), purpose: .summarize,
                                     execution: execution, command: command.display))
            case .finished:
                finish(key, summary: nil, now)
            }
        }
    }

    /// Starts `work` if a slot is free and nothing waits before it; else queues it. First come,
    /// first served: work the coordinator recovered from a lost node, queued while this node was
    /// full, starts before this node's own next wave.
    /// Also holds new work back while more than ``unacknowledgedOutputLimit`` bytes of output,
    /// or more than ``unacknowledgedReportLimit`` reports, wait for the coordinator's
    /// acknowledgement: a coordinator slower than its nodes' tasks slows them down instead of
    /// letting their reports pile up in memory on both sides.
    private mutating func schedule(_ work: ProcessWork) {
        if slotsTaken < configuration.slots && queued.isEmpty && outboxHasRoom {
            occupy(work)
        } else {
            queued.append(work)
        }
    }

    private mutating func startQueued() {
        while slotsTaken < configuration.slots, !queued.isEmpty, outboxHasRoom {
            occupy(queued.removeFirst())
        }
    }

    /// Slots of running tasks and of tasks waiting for their lease.
    private var slotsTaken: Int { running + leaseWaiting.count }

    /// `work` has a slot: it starts, or, under a lease of its stage's limits, asks for one first.
    private mutating func occupy(_ work: ProcessWork) {
        guard case .task(let task) = work.purpose, shares[work.key.assignment]?.assign.spec.leased == true else {
            begin(work)
            return
        }
        let assignment = work.key.assignment
        let ref = LeaseRef(run: assignment.run, stage: assignment.stage, index: task.index, attempt: task.attempt)
        leaseWaiting[ref] = work
        askLeases([ref], clock)
    }

    /// Asks the coordinator for leases of these waiting tasks (once up: a WELCOME asks again for all).
    private mutating func askLeases(_ refs: [LeaseRef], _ now: ContinuousClock.Instant) {
        guard state == .up, !refs.isEmpty else { return }
        lastLeaseAsk = now
        send(.leaseRequest(LeaseList(id: id(), tasks: refs.sorted())))
    }

    /// Tasks under leases stop once the coordinator has been silent for the lease hold: by
    /// then it may have counted this node down and be about to hand the leases on.
    private mutating func stopUnheldLeases(_ now: ContinuousClock.Instant) {
        guard let leaseHold, now - lastFromCoordinator >= leaseHold else { return }
        let why = "no word from the coordinator for \(Durations.format(now - lastFromCoordinator)), so its lease may be handed on"
        for key in leased.keys.sorted(by: { ($0.assignment, $0.slot) < ($1.assignment, $1.slot) }) {
            log(.warning, "stopping task \(key.assignment.stage)[\(key.slot)] of run \(key.assignment.run): \(why)")
            actions.append(.stopFor(key, .interrupted(why)))
        }
        leased.removeAll()
    }

    private var outboxHasRoom: Bool {
        outbox.bytes <= Self.unacknowledgedOutputLimit
            && outbox.count < max(Self.unacknowledgedReportLimit, 4 * configuration.slots)
    }

    /// Reports and summaries a node lets wait for acknowledgement before it starts no more tasks
    /// (at least 4 per slot).
    static let unacknowledgedReportLimit = 1_000

    /// Output (reports' stdout and stderr, summaries) a node lets wait for acknowledgement
    /// before it starts no more tasks.
    static let unacknowledgedOutputLimit = 32 << 20

    private mutating func begin(_ work: ProcessWork) {
        running += 1
        if case .task(let task) = work.purpose, let percent = shares[work.key.assignment]?.assign.spec.timeoutPercent {
            let assign = shares[work.key.assignment]!.assign
            watched[work.key] = Straggling(startedAt: clock, stage: StageKey(run: assign.run, stage: assign.stage),
                                           percent: percent, coordinatorMedian: assign.spec.medianMilliseconds, index: task.index)
        }
        processes[work.key.assignment, default: []].insert(work.key.slot)
        actions.append(.start(work))
    }

    /// A scope larger than this is not put in SWELL_SCOPE but in a file named by SWELL_SCOPE_FILE.
    static let largestScopeInEnvironment = 64 << 10

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
        let (runnable, refusal) = policy(command, scope: task.scope, assign.spec)
        var execution = TaskExecution(
            argv: runnable.argv(shell: assign.spec.shell), environment: environment(for: assign, values: values, attempt: task.attempt),
            workingDirectory: directory(of: assign.spec), stdin: assign.stdin,
            timeout: assign.spec.timeout, outputCap: assign.spec.outputCap)
        execution.refusal = refusal
        execution.stopGrace = assign.spec.stopGrace
        // Checked where the task ran, not in this loop: a costly `match` holds up no one else.
        execution.expect = task.index >= 0 ? assign.spec.expect : nil
        execution.rateLimit = task.index >= 0 ? assign.spec.rateLimit : nil
        execution.cost = assign.spec.cost
        if let prompt = assign.spec.prompt {
            execution.stdinSuffix = Data(Placeholders.substitute(prompt, values, quote: false).utf8)
        }
        if task.scope.utf8.count > Self.largestScopeInEnvironment {
            // One environment string may be at most 128 KiB: a large file group goes in a file.
            let path = inputDirectory + "/scope-\(assign.run)-\(assign.stage)-\(task.index)-\(task.attempt)"
            execution.environment["SWELL_SCOPE"] = nil
            execution.environment["SWELL_SCOPE_FILE"] = path
            execution.scopeFile = TaskExecution.ScopeFile(path: path, contents: Data((task.scope + "\n").utf8))
        }
        if assign.stdinBytes != nil, let fetch = inputs[InputKey(assign)] {
            if let bytes = fetch.inMemory { execution.stdin = bytes } else { execution.stdinFile = fetch.path }
        }
        return ProcessWork(key: ProcessKey(assignment: key, slot: task.index), purpose: .task(task), execution: execution,
                           command: command.display)
    }

    /// Where the tasks of `spec` run: the run's folder below the node's workdir.
    private func directory(of spec: TaskSpec) -> String {
        RunFolder.directory(spec.folder ?? "", in: configuration.workingDirectory)
    }

    /// What this node will run of `command`: its `--allow` list and `--workdir` confinement.
    /// Returns the command to run (a simple string command becomes argv under `--allow`) and,
    /// if refused, why.
    private mutating func policy(_ command: Command, scope: String, _ spec: TaskSpec) -> (Command, String?) {
        let folder = spec.folder ?? ""
        if let problem = RunFolder.problem(folder) ?? (configuration.confined ? WorkdirConfinement.problem(scope: scope, folder: folder) : nil) {
            log(.warning, "refused a task: \(problem)")
            return (command, problem)
        }
        if !folder.isEmpty {
            var isDirectory: ObjCBool = false
            let directory = directory(of: spec)
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory.boolValue {
                let problem = "the plan's folder '\(folder)' is not in this node's workdir \(configuration.workingDirectory) "
                    + "(the workdir stands for the root of the checkout that holds the plan: \(directory) must exist)"
                log(.warning, "refused a task: \(problem)")
                return (command, problem)
            }
        }
        guard let allow = configuration.allow else { return (command, nil) }
        if let name = AllowList.runChangingVariable(in: spec.env) {
            let problem = "the plan's env sets \(name), which a node with --allow does not take from a plan: it changes what runs"
            log(.warning, "refused a task: \(problem)")
            return (command, problem)
        }
        switch allow.check(command, shell: spec.shell) {
        case .success(let runnable):
            return (runnable, nil)
        case .failure(let refusal):
            log(.warning, "refused a task: \(refusal.reason)")
            return (command, refusal.reason)
        }
    }

    private mutating func taskEnded(_ key: AssignmentID, _ task: TaskRef, _ outcome: TaskOutcome, command: String,
                                    _ now: ContinuousClock.Instant) {
        // Taken out and put back, so that the sub-orchestrator is mutated in place, not copied.
        guard var sub = shares.removeValue(forKey: key) else { return }  // cancelled meanwhile
        let error = outcome.error
        var report = Report(
            run: key.run, stage: key.stage, index: task.index, scope: task.scope, attempt: task.attempt, node: name,
            exitCode: outcome.exitCode, signal: outcome.signal, timedOut: outcome.timedOut, error: error,
            startedAt: outcome.startedAt, endedAt: outcome.endedAt, stdoutBytes: outcome.stdoutBytes,
            stdoutTruncated: outcome.stdoutTruncated, command: command, stdout: outcome.stdout,
            stderrTail: outcome.stderrTail, share: key.kind == .reduce ? -1 : key.share)
        report.cost = outcome.cost
        if report.succeeded, sub.assign.spec.timeoutPercent != nil {
            let stage = StageKey(run: key.run, stage: key.stage)
            durations[stage, default: []].append(max(0, report.endedAt - report.startedAt))
            // The latest thousand or so are enough for a median.
            if durations[stage]!.count > 1_001 { durations[stage]!.removeFirst(durations[stage]!.count - 1_001) }
        }
        deliver(.report(ReportMessage(id: id(), report: report)), for: key, now)
        let steps = sub.taskEnded(report, isFinal: task.isFinal(report))
        shares[key] = sub
        perform(steps, key, now)
    }

    private mutating func summaryEnded(_ key: AssignmentID, _ outcome: TaskOutcome, _ now: ContinuousClock.Instant) {
        guard var sub = shares.removeValue(forKey: key) else { return }
        _ = sub.summarized()
        shares[key] = sub
        finish(key, summary: outcome, now)
    }

    private mutating func finish(_ key: AssignmentID, summary outcome: TaskOutcome?, _ now: ContinuousClock.Instant) {
        guard let sub = shares.removeValue(forKey: key) else { return }
        if sub.assign.stdinBytes != nil, var fetch = inputs[InputKey(sub.assign)] {
            release(key, from: InputKey(sub.assign), &fetch)
        }
        guard key.kind == .share else { return }
        let assign = sub.assign
        var error = outcome?.error?.description
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
        deliver(.summary(SummaryMessage(id: id(), attempt: key.attempt, summary: summary, summarized: outcome != nil)),
                for: key, now)
    }

    // MARK: Inputs fetched in pieces

    /// Asks the coordinator for the next piece of `key`'s input.
    private mutating func askInput(_ key: InputKey, _ now: ContinuousClock.Instant) {
        guard let fetch = inputs[key], !fetch.complete else { return }
        inputs[key]!.askedAt = now
        send(.inputRequest(InputRequest(id: id(), run: key.run, stage: key.stage, reduce: key.reduce, offset: fetch.stored)))
    }

    /// A piece came: the shell stores it if it is the next one (a late copy of one already
    /// stored, or one for an input no longer needed, is dropped).
    private mutating func inputArrived(_ piece: InputChunk, _ now: ContinuousClock.Instant) {
        let key = InputKey(run: piece.run, stage: piece.stage, reduce: piece.reduce)
        guard var fetch = inputs[key], !fetch.complete, !fetch.storing, piece.offset == fetch.stored else { return }
        fetch.askedAt = nil
        if piece.last, piece.offset + piece.data.count != fetch.bytes {
            log(.warning, "the input of \(key.stage) in run \(key.run) is \(piece.offset + piece.data.count) bytes, not the \(fetch.bytes) its assignment said")
        }
        fetch.complete = piece.last || piece.offset + piece.data.count >= fetch.bytes
        if fetch.inMemory != nil || piece.data.isEmpty {
            fetch.inMemory?.append(piece.data)
            fetch.stored += piece.data.count
            inputs[key] = fetch
            goOn(key, now)
            return
        }
        fetch.storing = true
        inputs[key] = fetch
        actions.append(.storeInput(key, path: fetch.path, piece.data))
    }

    private mutating func inputStored(_ key: InputKey, _ bytes: Int, _ now: ContinuousClock.Instant) {
        guard var fetch = inputs[key] else { return }
        fetch.storing = false
        fetch.stored += bytes
        inputs[key] = fetch
        goOn(key, now)
    }

    /// After a piece: the tasks start if that was the last, else the next piece is asked for.
    private mutating func goOn(_ key: InputKey, _ now: ContinuousClock.Instant) {
        if inputs[key]?.complete == true { inputReady(key, now) } else { askInput(key, now) }
    }

    /// The input's file cannot be written (a full disk): it is fetched again, into memory.
    private mutating func inputFailed(_ key: InputKey, _ why: String, _ now: ContinuousClock.Instant) {
        guard var fetch = inputs[key] else { return }
        log(.warning, "cannot store the input of \(key.stage) in run \(key.run) (\(why)); keeping it in memory instead")
        actions.append(.removeInput(path: fetch.path))
        fetch.storing = false
        fetch.complete = false
        fetch.stored = 0
        fetch.inMemory = Data()
        inputs[key] = fetch
        askInput(key, now)
    }

    /// All of the input is here: the assignments that waited for it start.
    private mutating func inputReady(_ key: InputKey, _ now: ContinuousClock.Instant) {
        guard let waiting = inputs[key]?.waiting else { return }
        inputs[key]!.waiting = []
        for assign in waiting { startShare(assign, now) }
    }

    /// `assignment` no longer needs the input; its file goes when nothing else does.
    private mutating func release(_ assignment: AssignmentID, from key: InputKey, _ fetch: inout InputFetch) {
        fetch.users.remove(assignment)
        if fetch.users.isEmpty {
            actions.append(.removeInput(path: fetch.path))
            inputs[key] = nil
        } else {
            inputs[key] = fetch
        }
    }
}
