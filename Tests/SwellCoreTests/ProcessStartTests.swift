import Foundation
import Testing
@testable import SwellCore

@Suite struct ProcessStartTests {
    /// The command name may hold spaces and parentheses: the fields are counted from its end.
    @Test func readsTheStateAndStartAfterAnAwkwardCommandName() {
        let line = "4242 (a) b (c d) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615\n"
        #expect(ProcessStart.parse(Array(line.utf8)) == ProcessStart(state: "S", startTicks: 987654))
        #expect(ProcessStart.parse(Array("4242 (x) S 1 2".utf8)) == nil)
        #expect(ProcessStart.parse(Array("no name here".utf8)) == nil)
    }

    /// A child that has ended but was not waited for still has its id: it has ended all the same.
    @Test func aChildNotYetWaitedForHasEnded() throws {
        let current = try #require(ProcessStart.current)
        #expect(!current.hasEnded)
        var pid: pid_t = 0
        let status = ["/bin/sh", "-c", "exit 0"].withCStrings { argv in posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) }
        try #require(status == 0)
        defer { var code: Int32 = 0; _ = waitpid(pid, &code, 0) }
        let started = try #require(ProcessStart.of(pid))
        #expect(started.startTicks >= current.startTicks)
        // Without waiting for it: /proc shows it as a zombie once it has exited.
        var info = siginfo_t()
        try #require(waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0)
        #expect(ProcessStart.of(pid)?.hasEnded == true)
    }
}

extension Array where Element == String {
    /// The strings as a NULL-terminated C array, for `posix_spawn`.
    func withCStrings<R>(_ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}
