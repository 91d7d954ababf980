import CSpawn
import Foundation
import SwellCore
import Synchronization

/// Watches every running task process of this node from one thread, with one epoll set: their
/// output pipes, their stdin, their exit (a pidfd each), their deadlines and stop requests.
///
/// One thread for all tasks, instead of threads and async tasks per process: a node running
/// thousands of short tasks spends its CPU on them, not on watching them.
///
/// A task's group leader is reaped only when the task is over. Until then its id stays taken,
/// so killing the group (`kill(-pgid)`) can never reach another task's group that reused it.
final class ProcessSupervisor: @unchecked Sendable {
    static let shared = ProcessSupervisor()

    /// How long descendants may keep the output pipes open after the main process exits,
    /// before the group is killed.
    static let lingerGrace: Duration = .milliseconds(300)
    /// How long pipes may stay open after the group was killed (held by a process that left
    /// the group with setsid) before the task is ended without them.
    static let abandonGrace: Duration = .seconds(1)

    /// A started process, handed to the supervisor thread.
    struct Started {
        var pid: pid_t
        var pidfd: Int32
        var stdout: Int32
        var stderr: Int32
        /// -1 when the task has no stdin (it reads /dev/null).
        var stdin: Int32
        var input: Data
        var deadline: ContinuousClock.Instant?
        /// A stop or timeout sends the group SIGTERM, then SIGKILL this long after; zero: SIGKILL at once.
        var stopGrace: Duration = .zero
        var outputCap: Int
        var stderrTail: Int
    }

    private enum Command {
        case watch(Int, Started, CheckedContinuation<TaskOutcome, Never>)
        case kill(Int)
        case settle(CheckedContinuation<Void, Never>)
        /// Start the watchdog (see ``adoptOrphans(onProblem:)``); what goes wrong goes to the closure.
        case startWatchdog(@Sendable (String) -> Void)
    }

    private let epoll: Int32
    private let wake: Int32
    /// Commands for the thread, and the ids of processes not yet over (with those that were
    /// asked to die, perhaps before the thread has even seen them).
    private struct Inbox {
        var commands: [Command] = []
        var nextID = 1
        var live: Set<Int> = []
        var killed: Set<Int> = []
        /// Set by ``adoptOrphans(onProblem:)``.
        var adopting = false
    }
    private let inbox = Mutex(Inbox())
    /// The pids of task leaders not yet reaped, from the moment their spawn returns.
    private let leaders = Mutex(Set<pid_t>())
    /// Spawns started, and those not yet listed in `leaders`: a sweep acts only on what it saw
    /// while no spawn was under way, since a child seen before its exec still has this
    /// process's environment and would pass for an orphan. Spawns never wait for a sweep.
    private let spawnsStarted = Atomic<Int>(0)
    private let spawnsUnderWay = Atomic<Int>(0)

    /// A leader reaped without being watched (it could not be).
    func forgetLeader(_ pid: pid_t) {
        _ = leaders.withLock { $0.remove(pid) }
    }

    /// Runs `spawn` (a posix_spawn that sets `pid`, returning its result) and lists the new leader.
    func spawningLeader(_ pid: inout pid_t, _ spawn: (inout pid_t) -> Int32) -> Int32 {
        spawnsStarted.add(1, ordering: .sequentiallyConsistent)
        spawnsUnderWay.add(1, ordering: .sequentiallyConsistent)
        defer { spawnsUnderWay.subtract(1, ordering: .sequentiallyConsistent) }
        let result = spawn(&pid)
        if result == 0 { let new = pid; leaders.withLock { _ = $0.insert(new) } }
        return result
    }

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epoll >= 0 && wake >= 0, "cannot create the task supervisor's epoll set: errno \(errno)")
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: 0))
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event)
        let thread = Thread { [self] in loop() }
        thread.name = "swell-tasks"
        thread.start()
    }

    /// The variable that carries a task's id into its processes: SWELL_TASK=NODEPID.ID.
    static let taskVariable = "SWELL_TASK"
    static func taskToken(_ id: Int) -> String { "\(getpid()).\(id)" }

    /// Makes this process the keeper of everything its tasks start (call it once, before the
    /// first task, in a process whose only children are tasks: `swell-node`, `swell run`).
    ///
    /// - It becomes a child subreaper: a process that leaves its task's group (`setsid`, a
    ///   daemon) becomes this process's child when its parent ends. Such a process is killed
    ///   once its task is over (it carries the task's id in SWELL_TASK; one that carries none,
    ///   or the id of a task that is over, is killed at once), and reaped.
    /// - It starts a watchdog, in a session of its own, that holds the read end of a pipe and
    ///   hears which task groups run: when this process ends in any way, even `kill -9`, the
    ///   pipe closes and the watchdog kills the groups still listed.
    ///
    /// The watchdog starts on the supervisor thread, before it watches any task, while the
    /// caller goes on (reading its plan, opening its journal): a `swell run` does not wait for
    /// awk to start. Returns what could not be set up at once, if anything; what goes wrong
    /// starting the watchdog goes to `onProblem`, from the supervisor thread.
    package func adoptOrphans(onProblem: @escaping @Sendable (String) -> Void) -> String? {
        guard swell_become_subreaper() == 0 else { return "cannot become a child subreaper: \(String(cString: strerror(errno)))" }
        inbox.withLock { inbox in
            inbox.adopting = true
            inbox.commands.append(.startWatchdog(onProblem))
        }
        wakeUp()
        return nil
    }

    /// The watchdog: awk reading `+PID` and `-PID` lines (`=` when this process ends in good
    /// order). At end of input it kills the process groups (and processes) still listed, and,
    /// unless this process said `=`, every process that carries one of its task ids.
    static let watchdogProgram = #"""
        $1 == "=" { clean = 1; next }
        { if (substr($1, 1, 1) == "+") g[substr($1, 2)] = 1; else delete g[substr($1, 2)] }
        END {
            s = ""; for (p in g) s = s " -" p " " p
            if (s != "") system("kill -KILL --" s " 2>/dev/null")
            if (!clean) system("for f in $(grep -laz '^SWELL_TASK=" node "[.]' /proc/[0-9]*/environ 2>/dev/null); do p=${f#/proc/}; kill -KILL ${p%/environ} 2>/dev/null; done")
        }
        """#

    /// Before this process ends in good order: what its tasks left is ended now, and the
    /// watchdog is told that nothing else needs it.
    func settle() async {
        await withCheckedContinuation { continuation in post(.settle(continuation)) }
    }

    private static func startWatchdog() -> Result<(fd: Int32, pid: pid_t), SpawnFailure> {
        guard let awk = ProgramSearch.resolve("awk") else { return .failure(SpawnFailure("no awk on PATH for the task watchdog")) }
        var fds: [Int32] = [-1, -1]
        guard pipe2(&fds, O_CLOEXEC) == 0 else { return .failure(SpawnFailure("cannot make the watchdog's pipe: \(String(cString: strerror(errno)))")) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        var pid: pid_t = 0
        // Its own session: a Ctrl-C in the terminal does not end it with the rest.
        let result = TaskRunner.withSpawnAttributes(.session) { attributes in
            CStrings.with(["awk", "-v", "node=\(getpid())", watchdogProgram]) { argv in
                CStrings.withEnvironment(NodeEnvironment.entries(adding: [:])) { envp in
                    posix_spawn(&pid, awk, &actions, attributes, argv, envp)
                }
            }
        }
        close(fds[0])
        guard result == 0 else {
            close(fds[1])
            return .failure(SpawnFailure("cannot start the task watchdog: \(String(cString: strerror(result)))"))
        }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        return .success((fds[1], pid))
    }

    /// Gives back an id from ``reserveID()`` whose process never started.
    func release(_ id: Int) {
        inbox.withLock { inbox in
            inbox.live.remove(id)
            inbox.killed.remove(id)
        }
    }

    /// A fresh id for a process about to be watched (so that a stop can name it at once).
    func reserveID() -> Int {
        inbox.withLock { inbox in
            defer { inbox.nextID += 1 }
            inbox.live.insert(inbox.nextID)
            return inbox.nextID
        }
    }

    /// Watches `started` until it is over: exited, its pipes closed, the rest of its group
    /// killed. The outcome is what the process did; when it started, and whether it was
    /// cancelled, are the caller's to say.
    func watch(_ id: Int, _ started: Started) async -> TaskOutcome {
        await withCheckedContinuation { continuation in post(.watch(id, started, continuation)) }
    }

    /// Stops the process group of `id` (a cancel, the node stopping): SIGTERM, then SIGKILL after
    /// its stop grace; harmless once it is over.
    func kill(_ id: Int) {
        let live = inbox.withLock { inbox in
            guard inbox.live.contains(id) else { return false }
            inbox.killed.insert(id)
            inbox.commands.append(.kill(id))
            return true
        }
        if live { wakeUp() }
    }

    private func post(_ command: Command) {
        inbox.withLock { $0.commands.append(command) }
        wakeUp()
    }

    private func wakeUp() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    // MARK: The supervisor thread

    private final class Child {
        let id: Int
        let started: Started
        let continuation: CheckedContinuation<TaskOutcome, Never>
        var stdoutOpen = true
        var stderrOpen = true
        var stdinOpen: Bool
        var written = 0
        var kept = Data()
        var total = 0
        var tail: [UInt8] = []
        var exitedAt: ContinuousClock.Instant?
        var killedAt: ContinuousClock.Instant?
        /// When the group was sent SIGTERM (a stop with a grace).
        var termSentAt: ContinuousClock.Instant?
        var timedOut = false

        init(id: Int, started: Started, continuation: CheckedContinuation<TaskOutcome, Never>) {
            self.id = id
            self.started = started
            self.continuation = continuation
            stdinOpen = started.stdin >= 0
        }

        var over: Bool { exitedAt != nil && !stdoutOpen && !stderrOpen }

        /// What the clock does next to this process, and when: stop its group at the deadline
        /// (while it runs), kill it when the stop grace after SIGTERM is over, kill the rest of
        /// its group a grace after it exited (not before the stop grace is over), then end the
        /// task without pipes held open from outside the group.
        var nextTimer: (at: ContinuousClock.Instant, action: TimerAction)? {
            guard let exitedAt else {
                if killedAt != nil { return nil }
                if let termSentAt { return (termSentAt + started.stopGrace, .kill) }
                guard !timedOut, let deadline = started.deadline else { return nil }
                return (deadline, .timeOut)
            }
            guard let killedAt else {
                let linger = exitedAt + ProcessSupervisor.lingerGrace
                return (termSentAt.map { max(linger, $0 + started.stopGrace) } ?? linger, .kill)
            }
            return (max(exitedAt, killedAt) + ProcessSupervisor.abandonGrace, .abandonPipes)
        }
    }

    private enum TimerAction {
        case timeOut, kill, abandonPipes
    }

    /// What an epoll event is about: the low two bits of its data, above them the process's id
    /// (ids start at 1; data 0 is the wake-up).
    private enum Source: UInt64 {
        case stdout = 0, stderr, stdin, exit
    }

    private var children: [Int: Child] = [:]
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    // Orphans (see ``adoptOrphans(onProblem:)``), on this thread only.
    private var adopting = false
    private var watchdog: (fd: Int32, pid: pid_t)?
    /// Adopted processes this thread knows: kept while their task runs (its id), or killed and
    /// waiting to be reaped (nil).
    private var orphans: [pid_t: Int?] = [:]
    private var sweepDue = false
    private var lastSweep = ContinuousClock.now
    /// How soon after a task ends its orphans are looked for, and how often while some are known.
    static let sweepDelay: Duration = .milliseconds(100)
    static let orphanRecheck: Duration = .seconds(1)

    private func loop() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), timeoutMilliseconds())
            if count < 0 && errno != EINTR { fatalError("the task supervisor's epoll_wait failed: errno \(errno)") }
            for event in events.prefix(max(0, Int(count))) {
                let data = event.data.u64
                if data == 0 {
                    takeCommands()
                    continue
                }
                guard let child = children[Int(data >> 2)], let source = Source(rawValue: data & 3) else {
                    continue
                }
                switch source {
                case .stdout: drain(child, stdout: true)
                case .stderr: drain(child, stdout: false)
                case .stdin: feed(child)
                case .exit: exited(child)
                }
            }
            checkClocks()
            for id in children.compactMap({ $0.value.over ? $0.key : nil }) { finish(children[id]!) }
            if adopting, let due = sweepAt, ContinuousClock.now >= due { sweep() }
        }
    }

    private func key(_ id: Int, _ source: Source) -> UInt64 { UInt64(id) << 2 | source.rawValue }

    private func add(_ fd: Int32, _ events: UInt32, _ id: Int, _ source: Source) {
        var event = epoll_event(events: events, data: epoll_data_t(u64: key(id, source)))
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }

    private func remove(_ fd: Int32) {
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
        close(fd)
    }

    private func takeCommands() {
        var drained: UInt64 = 0
        _ = read(wake, &drained, 8)
        let (commands, killed, adopting) = inbox.withLock { inbox in
            defer { inbox.commands.removeAll(keepingCapacity: true) }
            return (inbox.commands, inbox.killed, inbox.adopting)
        }
        self.adopting = adopting
        for command in commands {
            switch command {
            case .startWatchdog(let onProblem):
                switch Self.startWatchdog() {
                case .success(let started): watchdog = started
                case .failure(let problem): onProblem(problem.message)
                }
            case .watch(let id, let started, let continuation):
                let child = Child(id: id, started: started, continuation: continuation)
                children[id] = child
                add(started.stdout, EPOLLIN.rawValue, id, .stdout)
                add(started.stderr, EPOLLIN.rawValue, id, .stderr)
                if child.stdinOpen {
                    if started.input.isEmpty {
                        close(started.stdin)
                        child.stdinOpen = false
                    } else {
                        add(started.stdin, EPOLLOUT.rawValue, id, .stdin)
                    }
                }
                add(started.pidfd, EPOLLIN.rawValue, id, .exit)
                tellWatchdog("+", started.pid)
                // Stopped before the thread saw it.
                if killed.contains(id) { stop(child) }
            case .kill(let id):
                if let child = children[id] { stop(child) }
            case .settle(let done):
                // Each sweep can only end what has become this process's child: an escapee of
                // an escapee comes once its parent is killed. Swept until none is left (2 s at most).
                if adopting {
                    for _ in 0..<100 {
                        sweep()
                        if orphans.isEmpty && !sweepDue { break }
                        usleep(20_000)
                    }
                }
                if let fd = watchdog?.fd {
                    var line = Array("=\n".utf8)
                    _ = write(fd, &line, line.count)
                }
                done.resume()
            }
        }
    }

    private func drain(_ child: Child, stdout: Bool) {
        let fd = stdout ? child.started.stdout : child.started.stderr
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { raw in
                    let chunk = UnsafeRawBufferPointer(rebasing: raw[..<n])
                    if stdout {
                        child.total += n
                        let room = child.started.outputCap - child.kept.count
                        if room > 0 { child.kept.append(contentsOf: chunk.prefix(room)) }
                    } else {
                        child.tail.append(contentsOf: chunk)
                        // Dropped from the front, in place, in an array whose capacity stays
                        // about twice the tail (a `Data` grew with everything written).
                        let excess = child.tail.count - child.started.stderrTail
                        if excess > child.started.stderrTail { child.tail.removeFirst(excess) }
                    }
                }
                // A full buffer may mean more is waiting; anything less, and epoll says when.
                if n < buffer.count { return }
                continue
            }
            if n < 0 && (errno == EINTR) { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            // End of file (or an error, which ends the stream the same way).
            remove(fd)
            if stdout { child.stdoutOpen = false } else { child.stderrOpen = false }
            return
        }
    }

    private func feed(_ child: Child) {
        let input = child.started.input
        while child.written < input.count {
            let n = input.withUnsafeBytes { raw in
                write(child.started.stdin, raw.baseAddress! + child.written, raw.count - child.written)
            }
            if n > 0 {
                child.written += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            break  // EPIPE: the task does not read its stdin; that is fine
        }
        remove(child.started.stdin)
        child.stdinOpen = false
    }

    private func exited(_ child: Child) {
        // Not reaped yet (see the type's comment): only noted, and no longer watched.
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, child.started.pidfd, nil)
        child.exitedAt = .now
    }

    /// A stop or a timeout: SIGTERM to a running group with a stop grace (SIGKILL follows when
    /// the grace is over, see `nextTimer`), else SIGKILL.
    private func stop(_ child: Child) {
        guard child.killedAt == nil else { return }
        if child.exitedAt == nil, child.started.stopGrace > .zero {
            if child.termSentAt == nil {
                _ = Glibc.kill(-child.started.pid, SIGTERM)
                child.termSentAt = .now
            }
            return
        }
        killGroup(child)
    }

    private func killGroup(_ child: Child) {
        _ = Glibc.kill(-child.started.pid, SIGKILL)
        if child.killedAt == nil { child.killedAt = .now }
    }

    /// Deadlines, lingering descendants, and pipes held open from outside the group.
    private func checkClocks() {
        let now = ContinuousClock.now
        for child in children.values {
            guard let timer = child.nextTimer, now >= timer.at else { continue }
            switch timer.action {
            case .timeOut:
                child.timedOut = true
                stop(child)
            case .kill:
                killGroup(child)
            case .abandonPipes:
                // Whoever still holds the pipes left the group: the task ends without them.
                if child.stdoutOpen { remove(child.started.stdout); child.stdoutOpen = false }
                if child.stderrOpen { remove(child.started.stderr); child.stderrOpen = false }
            }
        }
    }

    /// When to look for orphans next, if at all.
    private var sweepAt: ContinuousClock.Instant? {
        guard adopting else { return nil }
        if sweepDue { return lastSweep + Self.sweepDelay }
        return orphans.isEmpty ? nil : lastSweep + Self.orphanRecheck
    }

    /// Kills the adopted processes whose task is over and reaps those that have ended.
    private func sweep() {
        sweepDue = false
        lastSweep = .now
        let started = spawnsStarted.load(ordering: .sequentiallyConsistent)
        guard spawnsUnderWay.load(ordering: .sequentiallyConsistent) == 0 else {
            sweepDue = true
            return
        }
        let leaders = leaders.withLock { $0 }
        let live = inbox.withLock { $0.live }
        // What to do with each adopted process, decided first and done only if no spawn began meanwhile.
        var keep: [(pid_t, Int)] = []
        var end: [pid_t] = []
        var reaped: [pid_t] = []
        var seen: Set<pid_t> = []
        for pid in Self.childProcesses() where pid != watchdog?.pid && !leaders.contains(pid) {
            seen.insert(pid)
            if orphans[pid] != nil, case .some(nil) = orphans[pid] {
                // Killed by an earlier sweep: reaped once it has ended.
                reaped.append(pid)
            } else if let task = Self.taskID(of: pid), live.contains(task) {
                keep.append((pid, task))
            } else {
                end.append(pid)
            }
        }
        guard spawnsStarted.load(ordering: .sequentiallyConsistent) == started else {
            sweepDue = true
            return
        }
        for (pid, task) in keep {
            if orphans[pid] == nil { tellWatchdog("+", pid) }
            orphans[pid] = task
        }
        for pid in end {
            // Its task is over (or it hid which it was): it goes, with its group.
            _ = Glibc.kill(-pid, SIGKILL)
            _ = Glibc.kill(pid, SIGKILL)
            if orphans[pid] == nil { tellWatchdog("+", pid) }
            orphans[pid] = .some(nil)
            sweepDue = true
        }
        for pid in reaped + end {
            var info = siginfo_t()
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG) == 0, info._sifields._sigchld.si_pid == pid {
                orphans[pid] = nil
                tellWatchdog("-", pid)
            } else {
                sweepDue = true
            }
        }
        for pid in orphans.keys where !seen.contains(pid) {
            orphans[pid] = nil
            tellWatchdog("-", pid)
        }
    }

    /// This process's children, from every thread's `children` list.
    static func childProcesses() -> [pid_t] {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return [] }
        var pids: [pid_t] = []
        for thread in threads {
            guard let data = readAll("/proc/self/task/\(thread)/children") else { continue }
            pids += String(decoding: data, as: UTF8.self).split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return pids
    }

    /// A file's bytes, read to its end (files in /proc say they are empty).
    static func readAll(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[..<n]
        }
        return bytes
    }

    /// The task id a process carries in its environment (SWELL_TASK), if any.
    static func taskID(of pid: pid_t) -> Int? {
        guard let environ = readAll("/proc/\(pid)/environ") else { return nil }
        let key = Array((taskVariable + "=\(getpid()).").utf8)
        for entry in environ.split(separator: 0) where entry.starts(with: key) {
            return Int(String(decoding: entry.dropFirst(key.count), as: UTF8.self))
        }
        return nil
    }

    /// `+PID` when a task group starts, `-PID` when it is over (see ``adoptOrphans(onProblem:)``). A full
    /// pipe drops the line rather than wait.
    private func tellWatchdog(_ sign: String, _ pid: pid_t) {
        guard let fd = watchdog?.fd else { return }
        var line = Array("\(sign)\(pid)\n".utf8)
        _ = write(fd, &line, line.count)
    }

    /// How long epoll may wait: until the nearest timer of a process, or for ever.
    private func timeoutMilliseconds() -> Int32 {
        let nearest = (children.values.compactMap { $0.nextTimer?.at } + [sweepAt].compactMap { $0 }).min()
        guard let nearest else { return -1 }
        let wait = nearest - .now
        if wait <= .zero { return 0 }
        return Int32(min(wait.wholeMilliseconds + 1, 60_000))
    }

    private func finish(_ child: Child) {
        children[child.id] = nil
        inbox.withLock { inbox in
            inbox.live.remove(child.id)
            inbox.killed.remove(child.id)
        }
        if child.stdinOpen { remove(child.started.stdin) }
        // Whatever the task left running in its group goes with it; the leader, not yet
        // reaped, still holds the group's id.
        _ = Glibc.kill(-child.started.pid, SIGKILL)
        var info = siginfo_t()
        var status: (Int32?, Int32?) = (nil, nil)
        while waitid(P_PID, id_t(child.started.pid), &info, WEXITED) < 0 && errno == EINTR {}
        switch info.si_code {
        case Int32(CLD_EXITED): status = (info._sifields._sigchld.si_status, nil)
        case Int32(CLD_KILLED), Int32(CLD_DUMPED): status = (nil, info._sifields._sigchld.si_status)
        default: break
        }
        close(child.started.pidfd)
        _ = leaders.withLock { $0.remove(child.started.pid) }
        tellWatchdog("-", child.started.pid)
        if adopting { sweepDue = true }
        child.continuation.resume(returning: TaskOutcome(
            exitCode: status.0, signal: status.1, timedOut: child.timedOut, error: nil, stdout: child.kept,
            stdoutBytes: child.total, stdoutTruncated: child.total > child.started.outputCap,
            stderrTail: Data(child.tail.suffix(child.started.stderrTail)), startedAt: 0, endedAt: Date().timeIntervalSince1970))
    }
}
