import CMalloc
import Foundation
import Synchronization
package import Logging
import ServiceLifecycle
import UnixSignals
package import SwellCore
package import SwellJournal
import SwellSecurity
import SwellPlan
package import SwellProtocol
import SwellWire
package import SwellZMQ

/// The coordinator process's service: owns the ROUTER socket, the ``Scheduler`` and the
/// ``Journal``, and runs the loop that connects them.
///
/// Each pass takes every pending input, lets the scheduler handle it, commits the journal
/// writes in one transaction, and only then sends: a report is acknowledged only once it is
/// on disk, and an assignment leaves only once it is journaled.
package final class CoordinatorService: Service, Sendable {
    package let configuration: CoordinatorConfiguration
    let io: ZMQIOThread
    let logger: Logger
    package let journal: Journal
    let mapper: JournalMapper
    /// Nil unless `--metrics` asks for them.
    let metrics: CoordinatorMetrics?

    /// The lock a coordinator holds on its state directory (nil for the embedded one).
    private let lock: StateLock?
    /// Ids of what the shell sends itself (heartbeats, acknowledgements, answers read from the
    /// journal): a range of their own, from 2^61 up, apart from the scheduler's and the output
    /// streams' (2^62 up).
    let shellIDs = ShellIDs()

    final class ShellIDs: Sendable {
        private let last = Atomic<UInt64>(1 << 61)
        func next() -> UInt64 { last.add(1, ordering: .relaxed).newValue }
    }

    /// Opens the journal; a `swell-coordinator` also locks the state directory, which only one
    /// coordinator may use at a time (its runs are resumed from there).
    package init(configuration: CoordinatorConfiguration, io: ZMQIOThread, logger: Logger) throws {
        self.configuration = configuration
        self.io = io
        self.logger = logger
        // The lock before the journal: a second coordinator started at the same moment must be
        // told the folder is taken, not race the first through the journal's migrations.
        if !configuration.settings.embedded {
            try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        self.lock = configuration.settings.embedded ? nil : try StateLock(directory: configuration.stateDirectory)
        self.journal = try Journal(directory: configuration.stateDirectory)
        self.mapper = configuration.settings.embedded ? JournalMapper(origin: .embedded, processID: getpid(), processStart: ProcessStart.current?.startTicks) : JournalMapper(origin: .coordinator)
        self.metrics = configuration.metrics == nil ? nil : CoordinatorMetrics()
    }

    enum Input: Sendable {
        case message(ZMQMessage)
        case tick
        /// A connection failed its security handshake (unknown key, or no key).
        case refusedHandshake
        /// The authorized file was read again: the User-Ids it admits now.
        case admitted(Set<String>)
        /// A `lines-of` stage's scopes, split away from the loop.
        case scopesSplit(run: String, stage: String, Result<[String], LinesOfError>)
    }

    /// The keys the ZAP handler admits: those of the authorized file as last read.
    final class AdmittedKeys: Sendable {
        let keys: Mutex<AuthorizedKeys>
        init(_ keys: AuthorizedKeys) { self.keys = Mutex(keys) }
    }

    /// The ZAP domain the coordinator authenticates in.
    static let zapDomain = "swell"
    /// The type frame of a REPORT, which report latency is measured for.
    static let reportType = Data("REPORT".utf8)

    package func run() async throws {
        let admittedKeys = configuration.security.map { AdmittedKeys($0.authorized) }
        if let admittedKeys {
            // ZAP answers every CURVE handshake: admitted keys get `role:name key` as User-Id.
            try await io.installZAPHandler { request in
                guard request.mechanism == "CURVE", let raw = request.credentials.first, let key = ZMQCurve.z85(raw),
                      let entry = admittedKeys.keys.withLock({ $0.entry(forKey: key) }) else {
                    return .deny(reason: "key not authorized")
                }
                return .allow(userID: entry.userID)
            }
        }
        let socket: ZMQSocketHandle
        do {
            socket = try await io.open(Self.socketConfiguration(configuration))
        } catch let error as ZMQError {
            throw ListenFailure(endpoints: configuration.listen, reason: error.message)
        }
        defer { socket.close() }
        var server: MetricsServer?
        if let metrics, let address = configuration.metrics {
            server = try MetricsServer(address: address) { metrics.exposition() }
            configuration.onMetrics(server!.address)
        }
        defer { server?.stop() }
        var tuned = configuration.settings
        if tuned.endpoint.isEmpty { tuned.endpoint = socket.endpoints.joined(separator: " ") }
        let settings = tuned
        configuration.onListening(socket.endpoints)
        let queue = EventQueue<Input>()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                for await message in socket.inbound { queue.push(.message(message)) }
                queue.finish()
            }
            group.addTask {
                for await event in socket.events {
                    switch event {
                    case .succeeded: continue
                    case .turnedAway(let endpoint, let count, let held):
                        self.logger.warning("\(Self.turnedAway(endpoint: endpoint, count: count, held: held))")
                    default: queue.push(.refusedHandshake)
                    }
                }
            }
            group.addTask {
                while (try? await Task.sleep(for: .milliseconds(100))) != nil { queue.push(.tick) }
            }
            if !configuration.settings.embedded {
                let file = configuration.security?.authorizedFile
                group.addTask { await self.rereadKeys(file, into: admittedKeys, queue) }
            }
            let beat = Beat()
            group.addTask {
                await Self.heartbeats(every: settings.heartbeatInterval, beat, socket, ids: self.shellIDs)
            }
            try await cancelWhenGracefulShutdown {
                try await self.loop(queue, socket, settings, beat)
            }
            group.cancelAll()
        }
        logger.info("coordinator stopped")
    }

    /// Reads the authorized file again on every SIGHUP: new keys are admitted from then on, and
    /// peers of removed keys are disconnected. A file with problems changes nothing.
    func rereadKeys(_ file: String?, into admittedKeys: AdmittedKeys?, _ queue: EventQueue<Input>) async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            guard let file, let admittedKeys else {
                logger.info("SIGHUP: no --authorized file to read again")
                continue
            }
            do {
                let keys = try AuthorizedKeys.load(file)
                let before = admittedKeys.keys.withLock { current in
                    defer { current = keys }
                    return Set(current.entries.map { "\($0.role.rawValue) \($0.name)" })
                }
                let now = Set(keys.entries.map { "\($0.role.rawValue) \($0.name)" })
                let added = now.subtracting(before).sorted(), removed = before.subtracting(now).sorted()
                let nodes = keys.entries.filter { $0.role == .node }.count, clients = keys.entries.count - nodes
                let changes = (added.isEmpty ? "" : "; added: \(added.joined(separator: ", "))")
                    + (removed.isEmpty ? "" : "; removed: \(removed.joined(separator: ", "))")
                logger.info("SIGHUP: read \(file) again: \(nodes) node key(s) and \(clients) client key(s) admitted\(changes)")
                queue.push(.admitted(Set(keys.entries.map(\.userID))))
            } catch {
                logger.error("SIGHUP: \(file) was not taken: \(error); the keys read before stay admitted")
            }
        }
    }

    /// What the log says of connections closed for want of open files.
    static func turnedAway(endpoint: String, count: Int, held: Int) -> String {
        let limit = OpenFileLimit.current().map { " (\($0), ulimit -n)" } ?? ""
        return "turned away \(count == 1 ? "a connection" : "\(count) connections") on \(endpoint): \(held) were open, "
            + "as many as this coordinator's open-file limit\(limit) leaves room for; raise the limit (\(OpenFileLimit.howToRaise))"
    }

    /// The coordinator's ROUTER socket.
    static func socketConfiguration(_ configuration: CoordinatorConfiguration) -> ZMQSocketConfiguration {
        ZMQSocketConfiguration(
            kind: .router,
            // Room for a full report (stdout up to the cap, the stderr tail, the header).
            maxFrameSize: Int64(max(64 << 20, configuration.settings.outputCap + (1 << 20))),
            // No ZMTP pings from the coordinator's side. In libzmq 4.3.4 the ping timer calls
            // the engine's out_event unguarded, which asserts `!_io_error`
            // (stream_engine_base.cpp:331); that flag is set when a connection whose input had
            // stopped (its pipe full, or handed over to a new connection of the same peer) gets
            // a hang-up or reset, so a busy coordinator could abort on what its peers did.
            // Nodes ping (their dead paths are found from their side), the coordinator's libzmq
            // answers them whatever its own settings, and the TTL in their pings drops a
            // connection whose node went silent.
            heartbeat: nil,
            zapDomain: configuration.security == nil ? nil : zapDomain,
            curve: configuration.security.map { .server(publicKey: $0.publicKey, secretKey: $0.secretKey) },
            monitorHandshakes: configuration.security != nil,
            // Connections past what the open-file limit leaves room for are closed as they
            // come: at the limit itself libzmq retries its accept in a loop, and the Swift
            // runtime ends a process that cannot open /proc.
            connectionLimit: OpenFileLimit.connectionRoom(),
            binds: configuration.listen)
    }

    /// The event loop: it alone touches the scheduler.
    func loop(_ queue: EventQueue<Input>, _ socket: ZMQSocketHandle, _ settings: CoordinatorSettings,
              _ beat: Beat = Beat()) async throws {
        var scheduler = Scheduler(settings: settings, incarnation: UUID().uuidString.lowercased(), seed: .random(in: .min ... .max))
        func moment() -> Moment { Moment(monotonic: .now, wall: Date().timeIntervalSince1970) }
        // Runs the journal holds as unfinished are taken up again before anything else.
        var resumed = Effects()
        do {
            if settings.embedded {
                // Runs of `swell run` processes that have ended (killed outright) are over; an
                // embedded coordinator resumes nothing.
                for run in try journal.unfinishedRuns(origin: .embedded) where Self.outlivedItsProcess(run) {
                    // It ended when it was last heard of, not now; the stages it ran stop there.
                    let ended = try journal.lastActivity(of: run.id) ?? Date().timeIntervalSince1970
                    for stage in try journal.digest(of: run.id)?.stages ?? [] where !stage.status.isFinished {
                        let over = Self.interrupted(stage, endedAt: ended)
                        resumed.changes.append(.stageChanged(run: run.id, StageEntry(
                            stage: over.stage, status: over.status, endedAt: over.endedAt, error: over.error)))
                    }
                    resumed.changes.append(.runFinished(run: run.id, status: .failed, endedAt: ended,
                                                        error: Self.interruptedRun))
                }
            }
            for run in settings.embedded ? [] : try journal.unfinishedRuns(origin: .coordinator) {
                scheduler.restore(try mapper.snapshot(of: run, in: journal), at: moment(), into: &resumed)
            }
        } catch {
            logger.critical("cannot read the journal \(journal.path): \(error)")
            throw JournalFailure(path: journal.path, reason: "\(error)", reading: true)
        }
        let streams = OutputStreams(journal: journal, logger: logger) { peer, message in
            socket.send(to: peer, WireCodec.encode(message))
        }
        learnDurations(&scheduler, moment(), &resumed)
        splitLines(&resumed, into: queue)
        try await carryOut(resumed, socket, streams)
        var framesDropped = 0
        // A run ended: once nothing runs and no output streams, freed memory goes back to the
        // system, so that a coordinator between runs is as small as before them.
        var trimDue = false
        // The arrival time of the newest message handled: how far the coordinator has heard.
        var heard = ContinuousClock.now
        // With metrics: when this batch's reports arrived.
        var reportArrivals: [ContinuousClock.Instant] = []
        while let batch = await queue.next() {
            var effects = Effects()
            let moment = moment()
            var ticked = false
            for input in batch {
                switch input {
                case .message(let message):
                    guard let peer = message.peer else { continue }
                    // A message counts from when it arrived, not from when its turn came.
                    heard = max(heard, message.arrival)
                    if metrics != nil, message.frames.count > 1, message.frames[1] == Self.reportType {
                        reportArrivals.append(message.arrival)
                    }
                    let arrived = Moment(monotonic: message.arrival,
                                         wall: moment.wall - (moment.monotonic - message.arrival).inSeconds)
                    InboundFrames.deliver(message.frames, from: peer, userID: message.userID, to: &scheduler, at: arrived, into: &effects)
                case .refusedHandshake:
                    scheduler.countRefusedHandshakes(1)
                case .admitted(let userIDs):
                    scheduler.admit(userIDs, at: moment, into: &effects)
                case .scopesSplit(let run, let stage, let result):
                    scheduler.scopesSplit(run, stage: stage, result, moment, &effects)
                case .tick:
                    // After the batch's messages: a tick handled before them would judge the
                    // nodes whose messages are still in this batch as silent until now.
                    ticked = true
                }
            }
            if ticked {
                let dropped = socket.statistics.droppedTooManyFrames
                if dropped > framesDropped {
                    scheduler.countDroppedFrames(dropped - framesDropped)
                    framesDropped = dropped
                }
                streams.sweep(at: moment.monotonic)
                // Behind (messages wait to be handled): nodes are judged up to what was heard.
                let behind = socket.backlog > 0 || queue.count > 0
                scheduler.tick(at: moment, heardUntil: behind ? heard : nil, into: &effects)
                // Counts only (no pass over tasks): cheap enough for every tick.
                metrics?.update(scheduler.gauges)
                if trimDue, streams.count == 0, !scheduler.anyRunRunning {
                    trimDue = false
                    _ = malloc_trim(0)
                }
            }
            scheduler.settle(at: moment, into: &effects)
            attachFinishedRuns(&scheduler, moment, &effects)
            resumeRuns(&scheduler, moment, &effects)
            learnDurations(&scheduler, moment, &effects)
            splitLines(&effects, into: queue)
            try await carryOut(effects, socket, streams)
            if let metrics, !reportArrivals.isEmpty {
                let now = ContinuousClock.now
                for arrival in reportArrivals { metrics.reportHandled(arrivedAt: arrival, now: now) }
                reportArrivals.removeAll(keepingCapacity: true)
            }
            if effects.changes.contains(where: { if case .runFinished = $0 { true } else { false } }) { trimDue = true }
            // Every batch: a node that joined in a batch the loop then stalls on (a stage of a
            // million scopes starting) must have its heartbeats all the same.
            beat.ran(peers: scheduler.heartbeatPeers)
        }
    }

    /// What the heartbeat timer needs from the loop: whom to send to, and when the loop last
    /// finished a batch.
    final class Beat: Sendable {
        private let state: Mutex<(peers: [Data], ranAt: ContinuousClock.Instant)>

        init(peers: [Data] = [], ranAt: ContinuousClock.Instant = .now) { state = Mutex((peers, ranAt)) }

        /// The loop finished a batch, after which `peers` are live.
        func ran(peers: [Data]) {
            state.withLock { state in state = (peers, .now) }
        }

        var snapshot: (peers: [Data], ranAt: ContinuousClock.Instant) { state.withLock { $0 } }
    }

    /// A loop that has not finished a batch for this long is hung: its heartbeats stop, so that
    /// nodes and clients find out.
    static let hungAfter: Duration = .seconds(30)
    /// About the most bytes of outputs, commands and scopes in one page of a LOGS reply.
    static let pageBytes = 8 << 20

    /// Cuts a page of reports after the first whose bytes (outputs, command, scope), with those
    /// before it, pass ``pageBytes``, so that a page stays far below a frame's limit; a page keeps
    /// at least one report. Returns whether it cut any.
    static func trimPage(_ reports: inout [Report], limit: Int = pageBytes) -> Bool {
        var bytes = 0
        guard let over = reports.firstIndex(where: { report in
            bytes += report.stdout.count + report.stderrTail.count + report.command.utf8.count + report.scope.utf8.count
            return bytes > limit
        }), over + 1 < reports.count else { return false }
        reports.removeSubrange((over + 1)...)
        return true
    }

    /// Sends HEARTBEAT to every live node and client every `interval`, whatever the loop is
    /// busy with: a coordinator handling a burst of reports (or starting a stage of a million
    /// scopes) is alive, and its nodes must not think otherwise and join again.
    static func heartbeats(every interval: Duration, _ beat: Beat, _ socket: ZMQSocketHandle, ids: ShellIDs,
                           hungAfter: Duration = hungAfter) async {
        while (try? await Task.sleep(for: interval)) != nil {
            let (peers, ranAt) = beat.snapshot
            guard ContinuousClock.now - ranAt < hungAfter else { continue }
            let frames = WireCodec.encode(.heartbeat(Heartbeat(id: ids.next(), running: 0)))
            for peer in peers { socket.send(to: peer, frames) }
        }
    }

    /// Clients that attached to runs not in memory: a finished run the journal holds comes back
    /// for them (its result and outputs); the others are refused when the queries are answered.
    func attachFinishedRuns(_ scheduler: inout Scheduler, _ moment: Moment, _ effects: inout Effects) {
        guard effects.queries.contains(where: { if case .finishedRun = $0 { true } else { false } }) else { return }
        var queries: [JournalQuery] = []
        for query in effects.queries {
            guard case .finishedRun(let peer, let attach) = query else {
                queries.append(query)
                continue
            }
            do {
                if let record = try journal.run(attach.run), record.status != .running {
                    var more = Effects()
                    scheduler.attach(peer, attach, finished: try mapper.finished(record, in: journal), moment, &more)
                    effects.sends += more.sends
                    effects.logs += more.logs
                    queries += more.queries
                    continue
                }
            } catch {
                logger.error("reading run \(attach.run) from the journal failed: \(error)")
            }
            queries.append(query)
        }
        effects.queries = queries
    }

    /// Clients that asked to continue a finished run: the run as the journal holds it goes
    /// to the scheduler, which takes it up again or says why not.
    func resumeRuns(_ scheduler: inout Scheduler, _ moment: Moment, _ effects: inout Effects) {
        guard effects.queries.contains(where: { if case .resumeRun = $0 { true } else { false } }) else { return }
        var queries: [JournalQuery] = []
        for query in effects.queries {
            guard case .resumeRun(let peer, let submit) = query, let resume = submit.resume else {
                queries.append(query)
                continue
            }
            var more = Effects()
            do {
                let record = try journal.run(resume.run)
                var status = record?.status
                // Another `swell run --continue` of the same run may be starting beside this
                // one, on the same journal: the journal lets one of them claim it.
                var claimed = false
                if let record, record.status != .running, scheduler.runs[resume.run]?.status != .running {
                    claimed = try journal.claim(run: resume.run, from: record.status, pid: mapper.processID,
                                                pidStart: mapper.processStart)
                    if !claimed { status = .running }
                }
                let snapshot = try record.map { try mapper.snapshot(of: $0, in: journal) }
                scheduler.resume(peer, submit, status: status, snapshot: snapshot, moment, &more)
                if claimed, let record, scheduler.runs[resume.run]?.status != .running {
                    try journal.unclaim(run: resume.run, back: record.status)
                }
            } catch {
                logger.error("reading run \(resume.run) from the journal failed: \(error)")
                scheduler.resume(peer, submit, status: nil, snapshot: nil, moment, &more)
            }
            effects.append(more)
            queries += more.queries
        }
        effects.queries = queries
    }

    /// Fan-outs that start: how long their tasks ran in the latest earlier runs of their plan goes
    /// to the scheduler, which then hands out their shares. Without it (none, or the journal
    /// could not be read) they run in scope order.
    func learnDurations(_ scheduler: inout Scheduler, _ moment: Moment, _ effects: inout Effects) {
        var index = 0
        while index < effects.queries.count {
            guard case .durations(let run, let stage, let plan, let before) = effects.queries[index] else {
                index += 1
                continue
            }
            effects.queries.remove(at: index)
            var history: [String: Double] = [:]
            do {
                history = try journal.lastDurations(plan: plan, stage: stage, excluding: run, before: before)
            } catch {
                logger.warning("reading how long stage \(stage)'s tasks ran before failed: \(error); they start in scope order")
            }
            var more = Effects()
            scheduler.learnDurations(run, stage: stage, history, moment, &more)
            effects.append(more)
            // Their queries (more stages to look up among them) are looked at in turn.
            effects.queries += more.queries
        }
    }

    /// `lines-of` stages ready to start: their sources' outputs are split into scopes (and
    /// checked) on a task of their own, so that the loop goes on meanwhile; the scopes come
    /// back to it as an input. The work is bounded by the output, which is in memory already.
    func splitLines(_ effects: inout Effects, into queue: EventQueue<Input>) {
        effects.queries.removeAll { query in
            guard case .splitLines(let run, let stage, let source, let output, let cut) = query else { return false }
            Task.detached {
                let result = LinesOf.scopes(from: output, cut: cut, stage: stage, source: source)
                queue.push(.scopesSplit(run: run, stage: stage, result))
            }
            return true
        }
    }

    /// Journal first, then the network. A journal that cannot be written stops the
    /// coordinator: nothing unjournaled is ever acknowledged, so the nodes keep their reports
    /// and a restarted coordinator picks up from the journal.
    func carryOut(_ effects: Effects, _ socket: ZMQSocketHandle, _ streams: OutputStreams) async throws {
        for (level, message) in effects.logs { logger.log(level: level, "\(message)") }
        do {
            let batch = mapper.batch(effects.changes)
            let start = ContinuousClock.now
            try await journal.write(batch)
            if let metrics, !batch.isEmpty {
                metrics.journalWritten(in: .now - start)
                metrics.count(effects.changes)
            }
        } catch {
            logger.critical("cannot write the journal \(journal.path): \(error)")
            throw JournalFailure(path: journal.path, reason: "\(error)", reading: false)
        }
        for (peer, message) in effects.sends { socket.send(to: peer, WireCodec.encode(message)) }
        for (peer, ids) in effects.acks {
            socket.send(to: peer, WireCodec.encode(.ack(Ack(id: shellIDs.next(), acks: ids))))
        }
        for query in effects.queries { answer(query, socket, streams) }
    }

    /// Reads the journal for what the scheduler does not keep in memory.
    func answer(_ query: JournalQuery, _ socket: ZMQSocketHandle, _ streams: OutputStreams) {
        if streams.handle(query) { return }
        switch query {
        case .streamOutput, .outputAdvanced, .outputAcknowledged, .clientLeft, .resumeRun, .durations, .splitLines:
            break
        case .logs(let peer, let request):
            // Brief pages leave the outputs out, so they hold more reports.
            let brief = request.brief ?? false
            let page = brief ? 2_000 : 200
            do {
                guard let record = try journal.run(request.run) else {
                    socket.send(to: peer, WireCodec.encode(.refusal(.unknownRun(request.run, id: shellIDs.next(), replyTo: request.id))))
                    return
                }
                if let stage = request.stage,
                   let problem = Plan.noSuchStage(stage, run: request.run, planText: record.run.planText, file: record.run.file) {
                    socket.send(to: peer, WireCodec.encode(.refusal(Refusal(id: shellIDs.next(), replyTo: request.id, code: .unknownStage, message: problem))))
                    return
                }
                var reports = try journal.reports(run: request.run, stage: request.stage, scope: request.scope,
                                                  brief: brief, offset: max(0, request.offset), limit: page + 1)
                var more = reports.count > page
                if more { reports.removeLast() }
                if Self.trimPage(&reports) { more = true }
                let digest = brief && request.offset <= 0 ? try journal.digest(of: request.run) : nil
                socket.send(to: peer, WireCodec.encode(.logs(LogsReply(
                    id: shellIDs.next(), replyTo: request.id, run: request.run, reports: reports,
                    next: more ? max(0, request.offset) + reports.count : nil, digest: digest))))
            } catch {
                logger.error("reading the journal failed: \(error)")
            }
        case .cancelNotInMemory(let peer, let cancel):
            let record = try? journal.run(cancel.run)
            let refusal = record.map { Refusal.finished(cancel.run, status: $0.status, id: shellIDs.next(), replyTo: cancel.id) }
                ?? .unknownRun(cancel.run, id: shellIDs.next(), replyTo: cancel.id)
            socket.send(to: peer, WireCodec.encode(.refusal(refusal)))
        case .status(let peer, var reply):
            do {
                reply.runs = try Self.withJournalRuns(reply.runs, from: journal)
            } catch {
                logger.error("reading the journal's runs for status failed: \(error)")
            }
            socket.send(to: peer, WireCodec.encode(.status(reply)))
        case .finishedRun(let peer, let attach):
            // Not in the journal either (``attachFinishedRuns`` took those that are).
            socket.send(to: peer, WireCodec.encode(.refusal(.unknownRun(attach.run, id: shellIDs.next(), replyTo: attach.id))))
        }
    }
}

extension CoordinatorService {
    /// The runs `swell status` shows: those in memory, and the newest of the journal's others,
    /// newest first, at most ``statusRuns`` in all.
    static func withJournalRuns(_ inMemory: [RunOverview], from journal: Journal) throws -> [RunOverview] {
        let known = Set(inMemory.map(\.run))
        let stored = try journal.runOverviews(limit: statusRuns).filter { !known.contains($0.run) }
        return Array((inMemory + stored).sorted { ($0.createdAt, $0.run) > ($1.createdAt, $1.run) }.prefix(max(statusRuns, inMemory.count)))
    }

    static let statusRuns = 50

    /// The error of a run whose `swell run` process ended without ending it (killed outright).
    static let interruptedRun = "interrupted: the swell run that ran it ended"

    /// An unfinished stage of such a run, once the run is over: running, it was cut short when
    /// the run was last heard of (`endedAt`), and is cancelled; not started, it is skipped.
    static func interrupted(_ stage: RunDigest.Stage, endedAt: Double) -> RunDigest.Stage {
        var stage = stage
        let running = stage.status == .running
        stage.status = running ? .cancelled : .skipped
        stage.endedAt = running ? endedAt : nil
        return stage
    }

    /// Whether `run` is an embedded run the journal still marks running whose `swell run` process
    /// has ended (killed outright): the next embedded coordinator on that journal records it failed.
    static func outlivedItsProcess(_ run: RunRecord) -> Bool {
        run.status == .running && run.origin == .embedded && !isAlive(run.pid, started: run.pidStart)
    }

    /// Whether the process of that id (and, if known, that start) still runs on this host: one
    /// that ended but was not waited for yet (a zombie) does not, nor does a later process that
    /// was given the same id.
    static func isAlive(_ pid: Int32?, started: UInt64? = nil) -> Bool {
        guard let pid, pid > 0 else { return false }
        if pid == getpid() { return true }
        guard let process = ProcessStart.of(pid) else {
            // No /proc entry: gone, unless /proc hides other users' processes.
            return kill(pid, 0) == 0 || errno == EPERM
        }
        if process.hasEnded { return false }
        if let started, process.startTicks != started { return false }
        return true
    }
}

extension Journal {
    /// The newest `limit` runs of the journal as `swell status` lists them, with the tasks in
    /// slots as their coordinator last recorded them. A run of a `swell run` process that has
    /// ended (killed outright) shows as what that journal's next embedded run will record it as:
    /// failed, nothing running.
    package func runOverviews(limit: Int) throws -> [RunOverview] {
        try runSummaries(limit: limit).map { run in
            var status = run.record.status
            var running = run.running
            if CoordinatorService.outlivedItsProcess(run.record) {
                status = .failed
                running = 0
            }
            return RunOverview(run: run.record.id, name: run.record.run.name, status: status, createdAt: run.record.run.createdAt,
                               endedAt: run.record.endedAt, tasks: run.tasks, succeeded: run.succeeded, failed: run.failed,
                               running: running)
        }
    }

    /// The digest of run `id` as `swell report` shows it. A run of a `swell run` process that
    /// has ended (killed outright) shows as what the journal's next embedded run will record:
    /// failed (interrupted), ended when it was last heard of, its running stages cancelled and
    /// those that had not started skipped.
    package func shownDigest(of id: String) throws -> RunDigest? {
        guard var digest = try digest(of: id) else { return nil }
        guard let record = try run(id), CoordinatorService.outlivedItsProcess(record) else { return digest }
        let ended = try lastActivity(of: id) ?? Date().timeIntervalSince1970
        digest.status = .failed
        digest.endedAt = ended
        digest.error = CoordinatorService.interruptedRun
        for s in digest.stages.indices where !digest.stages[s].status.isFinished {
            digest.stages[s] = CoordinatorService.interrupted(digest.stages[s], endedAt: ended)
        }
        return digest
    }
}
