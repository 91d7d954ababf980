import Foundation
import Testing
@testable import SwellCore
@testable import SwellProtocol

@Suite struct MessagesTests {
    let share = AssignmentID.share(run: "r", stage: "s", share: 2, first: 20, attempt: 1)

    @Test func aCancelCoversItsWholeRunOrOneAssignment() {
        #expect(Cancel(id: 1, run: "r", reason: "").covers(share))
        #expect(Cancel(id: 1, run: "r", assignment: share, reason: "").covers(share))
        var other = share
        other.attempt = 2
        #expect(!Cancel(id: 1, run: "r", assignment: share, reason: "").covers(other))
        #expect(!Cancel(id: 1, run: "q", reason: "").covers(share))
    }

    @Test func anAttemptIsFinalWhenItSucceedsHasNoRetryLeftOrWasCancelled() {
        func report(exit: Int32?, error: TaskError? = nil) -> Report {
            Report(run: "r", stage: "s", index: 0, scope: "a", attempt: 1, node: "n", exitCode: exit, signal: nil,
                   timedOut: false, error: error, startedAt: 0, endedAt: 0, stdoutBytes: 0, stdoutTruncated: false,
                   command: "c", stdout: Data(), stderrTail: Data())
        }
        let oneRetryLeft = TaskRef(index: 0, scope: "a", attempt: 1, retriesLeft: 1)
        #expect(oneRetryLeft.isFinal(report(exit: 0)))
        #expect(!oneRetryLeft.isFinal(report(exit: 1)))
        #expect(oneRetryLeft.isFinal(report(exit: nil, error: .cancelled)))
        #expect(!oneRetryLeft.isFinal(report(exit: nil, error: .failed("cannot start 'x': no such program"))))
        #expect(TaskRef(index: 0, scope: "a", attempt: 3, retriesLeft: 0).isFinal(report(exit: 1)))
    }

    @Test func anAssignNamesItsAssignment() {
        let spec = TaskSpec(run: .shell("true"), summarize: nil, env: [:], timeoutMilliseconds: 1_500, width: 1,
                            pacing: .barrier, input: .concat, vars: [:], outputCap: 1)
        let assign = Assign(id: 9, run: "r", stage: "s", kind: .share, share: 2, attempt: 1, first: 20, count: 5,
                            firstScope: "a", lastScope: "e", tasks: [], done: [], elsewhere: [], spec: spec, stdin: Data())
        #expect(assign.assignment == share)
        #expect(assign.spec.timeout == .milliseconds(1_500))
    }
}
