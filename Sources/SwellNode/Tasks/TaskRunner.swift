import CSpawn
import Foundation
import SwellCore

/// Runs child processes, each in a process group of its own: spawned with posix_spawn and
/// watched, with every other task of this node, by the ``ProcessSupervisor`` thread.
///
/// - A timeout stops the whole process group (SIGTERM, SIGKILL after the stop grace),
///   grandchildren included.
/// - In a process that adopts orphans (``ProcessSupervisor/adoptOrphans(onProblem:)``), what leaves the
///   group (`setsid`, a daemon) is killed once its task is over, and the task groups die with
///   this process even when it is killed outright.
/// - Cancelling the calling task kills the process group too; the outcome then says `cancelled`.
/// - When the main process has exited, whatever it left running in its group is killed, so a
///   background grandchild can neither hold the task open nor outlive it; pipes held open by a
///   process that left the group end the task a second after the group was killed.
/// - stdout beyond `outputCap` is drained and counted but not kept; a marker line says how much
///   was cut. stderr keeps its last `stderrTail` bytes.
/// - A program named without a `/` is found through this node's own PATH, never the task's.
enum TaskRunner {
    /// Writing stdin to a task that has exited raises SIGPIPE, whose default action would end
    /// this process: the node ignores it (the write then fails with EPIPE, which is expected).
    /// Task processes start with every signal at its default.
    private static let brokenPipesIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Runs `execution` to its end; setting `stop` kills its process group, and the outcome then
    /// says `cancelled`.
    static func run(_ execution: TaskExecution, stop: StopSignal = StopSignal()) async -> TaskOutcome {
        precondition(brokenPipesIgnored)
        let supervisor = ProcessSupervisor.shared
        let id = supervisor.reserveID()
        // Until the supervisor watches a process for it, the id is this function's to give back.
        var watched = false
        defer { if !watched { supervisor.release(id) } }
        var execution = execution
        // What the task's descendants carry, so that the node knows them once they are its orphans.
        execution.environment[ProcessSupervisor.taskVariable] = ProcessSupervisor.taskToken(id)
        let started = Date().timeIntervalSince1970
        if let refusal = execution.refusal { return failure(.failed("refused: \(refusal)"), started: started) }
        if stop.isStopped { return failure(.cancelled, started: started) }
        guard let program = execution.argv.first, !program.isEmpty else {
            return failure(.failed("empty command"), started: started)
        }
        if let file = execution.scopeFile {
            do throws(AppendFileError) {
                unlink(file.path)
                _ = try AppendFile.append([file.contents], to: file.path)
            } catch {
                return failure(.failed("cannot write the scope file: \(error.description)"), started: started)
            }
        }
        defer { if let file = execution.scopeFile { unlink(file.path) } }
        let process: ProcessSupervisor.Started
        switch spawn(execution, program: program) {
        case .success(let spawned): process = spawned
        case .failure(let problem): return failure(.failed(problem.message), started: started)
        }
        watched = true
        stop.onStop { supervisor.kill(id) }
        var outcome = await withTaskCancellationHandler {
            await supervisor.watch(id, process)
        } onCancel: {
            supervisor.kill(id)
        }
        stop.onStop(nil)
        outcome.startedAt = started
        if outcome.stdoutTruncated {
            if let last = outcome.stdout.last, last != UInt8(ascii: "\n") { outcome.stdout.append(UInt8(ascii: "\n")) }
            let marker = Report.cutMarker(cap: execution.outputCap, wrote: outcome.stdoutBytes) + "\n"
            outcome.stdout.append(contentsOf: Array(marker.utf8))
        }
        if let rule = execution.cost, !outcome.stdout.isEmpty { outcome.cost = rule.cost(of: outcome.stdout) }
        let endedByItself = outcome.error == nil && outcome.signal == nil && !outcome.timedOut && !stop.isStopped
        if endedByItself, let rule = execution.rateLimit,
           let limited = rule.classify(exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderrTail,
                                       endedAt: Date(timeIntervalSince1970: outcome.endedAt)) {
            // What the provider's limit gives back is not the report: it waits and runs again.
            outcome.error = limited
        } else if endedByItself, outcome.exitCode == 0, let expect = execution.expect, let problem = expect.problem(outcome.stdout) {
            outcome.error = .failed("invalid report: \(problem)")
        }
        switch stop.reason {
        case .straggler(let why)?:
            // Stopped for running far longer than its stage's median: a timeout, retried as one.
            outcome.timedOut = true
            outcome.error = .failed(why)
        case .interrupted(let why)?:
            outcome.error = .interrupted(why)
        case nil:
            if (Task.isCancelled || stop.isStopped) && !outcome.timedOut { outcome.error = .cancelled }
        }
        return outcome
    }

    /// Starts the process: stdin through a pipe from the execution's bytes or file (or /dev/null), stdout and stderr
    /// into pipes, in a new process group, in the working directory, with every signal at its
    /// default and no other descriptor open.
    static func spawn(_ execution: TaskExecution, program: String) -> Result<ProcessSupervisor.Started, SpawnFailure> {
        guard let path = ProgramSearch.resolve(program) else { return .failure(SpawnFailure("cannot start '\(program)': no such program")) }
        // A fetched input is read from its file's pages, through a pipe like any stdin: a task
        // given the file itself could write to it (`> /dev/stdin`) and change the input of the
        // tasks after it.
        var input = execution.stdin
        if let file = execution.stdinFile {
            switch mapped(file) {
            case .success(let bytes): input = bytes
            case .failure(let problem): return .failure(problem)
            }
        }
        if !execution.stdinSuffix.isEmpty {
            var joined = Data(capacity: input.count + execution.stdinSuffix.count)
            joined.append(input)
            joined.append(execution.stdinSuffix)
            input = joined
        }
        var stdout: [Int32] = [-1, -1]
        var stderr: [Int32] = [-1, -1]
        var stdin: [Int32] = [-1, -1]
        func closeAll() { for fd in stdout + stderr + stdin where fd >= 0 { close(fd) } }
        let hasInput = !input.isEmpty
        guard pipe2(&stdout, O_CLOEXEC) == 0, pipe2(&stderr, O_CLOEXEC) == 0, !hasInput || pipe2(&stdin, O_CLOEXEC) == 0 else {
            let problem = String(cString: strerror(errno))
            closeAll()
            return .failure(SpawnFailure("cannot start '\(program)': \(problem)"))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if hasInput {
            posix_spawn_file_actions_adddup2(&actions, stdin[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdout[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderr[1], 2)
        posix_spawn_file_actions_addchdir_np(&actions, execution.workingDirectory)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        var pid: pid_t = 0
        let entries = NodeEnvironment.entries(adding: execution.environment)
        // Spawned and listed as a task leader at once, so that the supervisor never takes it
        // for an orphan (before its exec a child still shows this process's environment).
        let result = withSpawnAttributes(.processGroup) { attributes in
            ProcessSupervisor.shared.spawningLeader(&pid) { pid in
                CStrings.with(execution.argv) { argv in
                    CStrings.withEnvironment(entries) { envp in
                        posix_spawn(&pid, path, &actions, attributes, argv, envp)
                    }
                }
            }
        }
        // The child's ends are the child's alone now.
        for fd in [stdout[1], stderr[1], stdin[0]] where fd >= 0 { close(fd) }
        guard result == 0 else {
            for fd in [stdout[0], stderr[0], stdin[1]] where fd >= 0 { close(fd) }
            return .failure(SpawnFailure(describe(result, program: program, workingDirectory: execution.workingDirectory)))
        }
        for fd in [stdout[0], stderr[0], stdin[1]] where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        // Room for 1 MiB of output (the most an unprivileged process may ask for, and the
        // kernel takes pages only as they fill): a task writing a lot runs on while the
        // supervisor is busy elsewhere, and the supervisor reads it in few, large reads.
        _ = fcntl(stdout[0], pipeSize, 1 << 20)
        let pidfd = swell_pidfd_open(pid)
        guard pidfd >= 0 else {
            // Out of descriptors: a process that cannot be watched is not run.
            let problem = String(cString: strerror(errno))
            _ = kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            ProcessSupervisor.shared.forgetLeader(pid)
            for fd in [stdout[0], stderr[0], stdin[1]] where fd >= 0 { close(fd) }
            return .failure(SpawnFailure("cannot watch '\(program)': \(problem)"))
        }
        return .success(ProcessSupervisor.Started(
            pid: pid, pidfd: pidfd, stdout: stdout[0], stderr: stderr[0], stdin: stdin[1], input: input,
            deadline: execution.timeout.map { .now + $0 }, stopGrace: execution.stopGrace, outputCap: execution.outputCap,
            stderrTail: execution.stderrTail))
    }

    /// The bytes of `file`, mapped read-only (the kernel's page cache, not this node's heap).
    static func mapped(_ file: String) -> Result<Data, SpawnFailure> {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(SpawnFailure("cannot read the task's input \(file): \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(SpawnFailure("cannot read the task's input \(file): \(String(cString: strerror(errno)))")) }
        let size = Int(info.st_size)
        guard size > 0 else { return .success(Data()) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            return .failure(SpawnFailure("cannot read the task's input \(file): \(String(cString: strerror(errno)))"))
        }
        return .success(Data(bytesNoCopy: base, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) }))
    }

    /// Where a child of this process starts apart from it.
    enum Detachment {
        /// A process group of its own (a task: its whole group is stopped together).
        case processGroup
        /// A session of its own (the watchdog: a Ctrl-C in the terminal does not reach it).
        case session
    }

    /// Runs `body` with posix_spawn attributes for a child: every signal at its default, none
    /// blocked, detached as `detachment` says.
    static func withSpawnAttributes<R>(_ detachment: Detachment, _ body: (UnsafePointer<posix_spawnattr_t>) -> R) -> R {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        var none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        switch detachment {
        case .processGroup:
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        case .session:
            flags |= Int32(SWELL_POSIX_SPAWN_SETSID)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        return withUnsafePointer(to: &attributes) { body($0) }
    }

    /// `F_SETPIPE_SZ` (Linux), which the Glibc module does not export.
    static let pipeSize: Int32 = 1031

    static func failure(_ error: TaskError, started: Double) -> TaskOutcome {
        TaskOutcome(exitCode: nil, signal: nil, timedOut: false, error: error, stdout: Data(), stdoutBytes: 0,
                    stdoutTruncated: false, stderrTail: Data(), startedAt: started, endedAt: Date().timeIntervalSince1970)
    }

    static func describe(_ error: Int32, program: String, workingDirectory: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: workingDirectory, isDirectory: &isDirectory) || !isDirectory.boolValue {
            return "cannot start '\(program)': working directory \(workingDirectory) does not exist"
        }
        if error == ENOENT { return "cannot start '\(program)': no such program" }
        if error == E2BIG {
            return "cannot start '\(program)': its arguments and environment are too long (one may be at most 128 KiB, all together about 2 MiB): "
                + "write `run` as a list so that each path of a file group is its own argument, or give fewer files to a task"
        }
        return "cannot start '\(program)': \(String(cString: strerror(error)))"
    }
}

/// Why a task process could not be started.
struct SpawnFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
