import Foundation
import Subprocess
import SwellCore
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs child processes through swift-subprocess, each in a process group of its own.
///
/// - A timeout kills the whole process group (SIGKILL), grandchildren included.
/// - Cancelling the calling task kills the process group too; the outcome then says `cancelled`.
/// - When the main process has exited, whatever it left running in its group is killed, so a
///   background grandchild can neither hold the task open nor outlive it.
/// - stdout beyond `outputCap` is drained and counted but not kept; a marker line says how much
///   was cut. stderr keeps its last `stderrTail` bytes.
enum TaskRunner {
    /// How long descendants may keep the output pipes open after the main process exits.
    static let lingerGrace: Duration = .milliseconds(300)

    /// Writing stdin to a task that has exited raises SIGPIPE, whose default action would end
    /// this process: the runner ignores it (the write then fails with EPIPE, which is expected).
    private static let brokenPipesIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Runs `execution` to its end; setting `stop` kills its process group, and the outcome then
    /// says `cancelled`.
    static func run(_ execution: TaskExecution, stop: StopSignal = StopSignal()) async -> TaskOutcome {
        precondition(brokenPipesIgnored)
        let started = Date().timeIntervalSince1970
        if let refusal = execution.refusal { return failure(.failed("refused: \(refusal)"), started: started) }
        if stop.isStopped { return failure(.cancelled, started: started) }
        guard let program = execution.argv.first, !program.isEmpty else {
            return failure(.failed("empty command"), started: started)
        }
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        var options = PlatformOptions()
        options.processGroupID = 0
        let state = ProcessState()
        do {
            let environment = Environment.custom(NodeEnvironment.entries(adding: execution.environment))
            let arguments = Arguments(Array(execution.argv.dropFirst()))
            let directory = FilePath(execution.workingDirectory)
            let status = try await withTaskCancellationHandler {
                // No stdin: /dev/null rather than a pipe and a writer.
                if execution.stdin.isEmpty {
                    return try await Subprocess.run(
                        executable, arguments: arguments, environment: environment, workingDirectory: directory,
                        platformOptions: options, input: .none, output: .sequence, error: .sequence
                    ) { process in
                        await supervise(process, execution, stop, state, feed: nil)
                    }.terminationStatus
                }
                return try await Subprocess.run(
                    executable, arguments: arguments, environment: environment, workingDirectory: directory,
                    platformOptions: options, input: .inputWriter, output: .sequence, error: .sequence
                ) { process in
                    await supervise(process, execution, stop, state) {
                        // A child that exits without reading its stdin makes the write fail: that is fine.
                        _ = try? await process.standardInputWriter.write(Array(execution.stdin))
                        try? await process.standardInputWriter.finish()
                    }
                }.terminationStatus
            } onCancel: {
                killGroup(state.group)
            }
            // Anything the task left behind in its group goes with it.
            killGroup(state.group)
            let ended = Date().timeIntervalSince1970
            var outcome = state.outcome(started: started, ended: ended, cap: execution.outputCap)
            switch status {
            case .exited(let code):
                outcome.exitCode = code
            case .signaled(let signal):
                outcome.signal = signal
            }
            if (Task.isCancelled || stop.isStopped) && !outcome.timedOut {
                outcome.error = .cancelled
            }
            return outcome
        } catch {
            killGroup(state.group)
            if Task.isCancelled { return failure(.cancelled, started: started) }
            return failure(.failed(describe(error, program: program, workingDirectory: execution.workingDirectory)), started: started)
        }
    }

    private enum Part: Sendable {
        case feeder
        case reader
        case supervisor
    }

    /// Drives one running process: feeds stdin, drains stdout (up to the cap, counting the
    /// rest) and stderr (keeping its tail) concurrently, and watches the clock. Returns when both
    /// output streams have ended.
    private static func supervise<Input: InputProtocol>(
        _ process: Execution<Input, SequenceOutput, SequenceOutput>, _ execution: TaskExecution, _ stop: StopSignal,
        _ state: ProcessState,
        feed: (@Sendable () async -> Void)?
    ) async {
        let group = process.processIdentifier.value
        state.setGroup(group)
        let pidfd = process.processIdentifier.processDescriptor
        await withTaskGroup(of: Part.self) { parts in
            if let feed {
                parts.addTask {
                    await feed()
                    return .feeder
                }
            }
            parts.addTask {
                var kept = Data()
                var total = 0
                do {
                    for try await chunk in process.standardOutput {
                        total += chunk.count
                        let room = execution.outputCap - kept.count
                        if room > 0 {
                            chunk.withUnsafeBytes { raw in kept.append(contentsOf: raw.prefix(room)) }
                        }
                    }
                } catch {}
                state.setStdout(kept, total: total)
                return .reader
            }
            parts.addTask {
                var tail = Data()
                do {
                    for try await chunk in process.standardError {
                        chunk.withUnsafeBytes { raw in tail.append(contentsOf: raw) }
                        if tail.count > execution.stderrTail * 2 { tail = tail.suffix(execution.stderrTail) }
                    }
                } catch {}
                state.setStderr(tail.suffix(execution.stderrTail))
                return .reader
            }
            parts.addTask {
                await watch(group: group, pidfd: pidfd, timeout: execution.timeout, stop: stop, state: state)
                return .supervisor
            }
            var readers = 0
            while readers < 2, let part = await parts.next() {
                if part == .reader { readers += 1 }
            }
            parts.cancelAll()
        }
    }

    /// Kills the group on timeout, on a stop request, and when the main process has exited but
    /// descendants still hold the output pipes open (after ``lingerGrace``). Returns when
    /// cancelled (the outputs ended) or once it has killed the group.
    ///
    /// A stop request runs the kill at once, and the timeout is waited for, not polled; only
    /// whether the main process has exited is looked at, 100 ms after the start and then twice
    /// as long after each look, up to once a second, so that a long task costs its node next
    /// to nothing while it runs.
    static func watch(group: pid_t, pidfd: Int32, timeout: Duration?, stop: StopSignal, state: ProcessState) async {
        // Kills only while the watch lasts: once it is over, the group's leader may be reaped
        // and its id reused by another task's group.
        let live = Mutex(true)
        let kill: @Sendable () -> Void = { live.withLock { if $0 { killGroup(group) } } }
        defer { live.withLock { $0 = false } }
        stop.onStop(kill)
        defer { stop.onStop(nil) }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var look = firstLook
        var exitedAt: ContinuousClock.Instant?
        while true {
            var wake = clock.now + (exitedAt.map { _ in lingerGrace } ?? look)
            if let deadline { wake = min(wake, deadline) }
            do {
                try await Task.sleep(until: wake, clock: clock)
            } catch {
                return  // the output streams ended
            }
            if let deadline, clock.now >= deadline {
                state.markTimedOut()
                kill()
                return
            }
            if let exitedAt, clock.now - exitedAt >= lingerGrace {
                kill()
                return
            }
            if exitedAt == nil, pidfd >= 0, hasExited(pidfd) { exitedAt = clock.now }
            look = min(look * 2, lastLook)
        }
    }

    /// When the watch first looks whether the main process has exited, and the longest wait
    /// between two looks.
    static let firstLook: Duration = .milliseconds(100)
    static let lastLook: Duration = .seconds(1)

    static func hasExited(_ pidfd: Int32) -> Bool {
        var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLIN) != 0
    }

    static func killGroup(_ group: pid_t?) {
        guard let group, group > 1 else { return }
        _ = kill(-group, SIGKILL)
    }

    static func failure(_ error: TaskError, started: Double) -> TaskOutcome {
        TaskOutcome(exitCode: nil, signal: nil, timedOut: false, error: error, stdout: Data(), stdoutBytes: 0,
                    stdoutTruncated: false, stderrTail: Data(), startedAt: started, endedAt: Date().timeIntervalSince1970)
    }

    static func describe(_ error: any Error, program: String, workingDirectory: String) -> String {
        if let error = error as? SubprocessError {
            let text = "\(error)"
            if text.contains("executableNotFound") || text.contains("not found") {
                return "cannot start '\(program)': no such program"
            }
            if !FileManager.default.fileExists(atPath: workingDirectory) {
                return "cannot start '\(program)': working directory \(workingDirectory) does not exist"
            }
            return "cannot start '\(program)': \(text)"
        }
        return "cannot start '\(program)': \(error)"
    }

    /// What the concurrent parts of one running process share.
    final class ProcessState: Sendable {
        private struct Fields {
            var group: pid_t?
            var stdout = Data()
            var stdoutTotal = 0
            var stderr = Data()
            var timedOut = false
            var done = false
        }
        private let fields = Mutex(Fields())

        var group: pid_t? { fields.withLock { $0.group } }
        func setGroup(_ group: pid_t) { fields.withLock { $0.group = group } }
        func setStdout(_ data: Data, total: Int) { fields.withLock { $0.stdout = data; $0.stdoutTotal = total } }
        func setStderr(_ data: Data) { fields.withLock { $0.stderr = data } }
        func markTimedOut() { fields.withLock { $0.timedOut = true } }

        func outcome(started: Double, ended: Double, cap: Int) -> TaskOutcome {
            fields.withLock { f in
                f.done = true
                var stdout = f.stdout
                let truncated = f.stdoutTotal > cap
                if truncated {
                    if let last = stdout.last, last != UInt8(ascii: "\n") { stdout.append(UInt8(ascii: "\n")) }
                    let marker = "[swell: output cut at \(cap) bytes; the task wrote \(f.stdoutTotal) bytes]\n"
                    stdout.append(contentsOf: Array(marker.utf8))
                }
                return TaskOutcome(
                    exitCode: nil, signal: nil, timedOut: f.timedOut, error: nil, stdout: stdout,
                    stdoutBytes: f.stdoutTotal, stdoutTruncated: truncated, stderrTail: f.stderr,
                    startedAt: started, endedAt: ended)
            }
        }
    }
}

