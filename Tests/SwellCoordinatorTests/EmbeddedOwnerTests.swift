import Foundation
import Testing
@testable import SwellCoordinator
@testable import SwellCore

/// How an embedded coordinator tells whether the `swell run` that held a run still runs.
@Suite struct EmbeddedOwnerTests {
    @Test func aRunsProcessIsAliveOnlyWhileItRunsAndOnlyAsTheProcessThatStarted() throws {
        #expect(CoordinatorService.isAlive(getpid()))
        #expect(!CoordinatorService.isAlive(nil))
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup("read line"), nil]
        defer { for pointer in argv { free(pointer) } }
        // Its stdin is a pipe this test holds: it runs until the pipe closes.
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        try #require(posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ) == 0)
        close(fds[0])
        var reaped = false
        defer {
            if fds[1] >= 0 { close(fds[1]) }
            if !reaped { var code: Int32 = 0; _ = waitpid(pid, &code, 0) }
        }
        let started = try #require(ProcessStart.of(pid)?.startTicks)
        #expect(CoordinatorService.isAlive(pid, started: started))
        #expect(CoordinatorService.isAlive(pid), "a journal from before start times were kept")
        // The same id with another start: the system gave the id of the run's process to this one.
        #expect(!CoordinatorService.isAlive(pid, started: started - 1))
        // Ended, not waited for yet: not alive, though `kill(pid, 0)` still succeeds.
        close(fds[1])
        fds[1] = -1
        var info = siginfo_t()
        try #require(waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0)
        #expect(kill(pid, 0) == 0)
        #expect(!CoordinatorService.isAlive(pid, started: started))
        #expect(!CoordinatorService.isAlive(pid))
        var code: Int32 = 0
        _ = waitpid(pid, &code, 0)
        reaped = true
        #expect(!CoordinatorService.isAlive(pid))
    }
}
