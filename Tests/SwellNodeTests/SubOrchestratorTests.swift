import Foundation
import Testing
@testable import SwellCore
@testable import SwellNode
@testable import SwellPlan
@testable import SwellProtocol

func makeAssign(tasks: Int, width: Int, pacing: Pacing, summarize: Command? = nil, done: [Report] = [],
                elsewhere: [Int] = [], kind: AssignmentKind = .share) -> Assign {
    let spec = TaskSpec(run: .shell("true"), summarize: summarize, env: [:], timeoutMilliseconds: nil, width: width,
                        pacing: pacing, input: .concat, vars: [:], outputCap: 1 << 20)
    let refs = (0..<tasks).filter { i in !done.contains { $0.index == i } && !elsewhere.contains(i) }
        .map { TaskRef(index: $0, scope: "s\($0)", attempt: 1, retriesLeft: 0) }
    return Assign(id: 1, run: "r", stage: "st", kind: kind, share: 0, attempt: 1, first: 0, count: tasks,
                  firstScope: "s0", lastScope: "s\(tasks - 1)", tasks: refs, done: done, elsewhere: elsewhere,
                  spec: spec, stdin: Data())
}

func ended(_ index: Int, exit: Int32 = 0) -> Report {
    Report(run: "r", stage: "st", index: index, scope: "s\(index)", attempt: 1, node: "n", exitCode: exit, signal: nil,
           timedOut: false, error: nil, startedAt: 0, endedAt: 0, stdoutBytes: 0, stdoutTruncated: false, command: "true",
           stdout: Data("\(index)\n".utf8), stderrTail: Data())
}

extension [SubOrchestrator.Action] {
    var started: [Int] { compactMap { if case .start(let t) = $0 { t.index } else { nil } } }
}

@Suite struct SubOrchestratorTests {
    @Test func tasksStartInTheOrderTheCoordinatorSentThem() {
        for pacing in [Pacing.rolling, .barrier] {
            var assign = makeAssign(tasks: 5, width: 2, pacing: pacing)
            assign.tasks = [3, 1, 4, 0, 2].map { assign.tasks[$0] }
            var sub = SubOrchestrator(assign: assign, slots: 10)
            var started = sub.start().started
            #expect(started == [3, 1])
            for index in [3, 1, 4, 0, 2] { started += sub.taskEnded(ended(index), isFinal: true).started }
            #expect(started == [3, 1, 4, 0, 2], "\(pacing)")
            #expect(sub.isFinished)
        }
    }

    @Test func barrierWaitsForTheWholeWave() {
        var sub = SubOrchestrator(assign: makeAssign(tasks: 7, width: 3, pacing: .barrier), slots: 10)
        #expect(sub.start().started == [0, 1, 2])
        #expect(sub.taskEnded(ended(1), isFinal: true).started == [])
        #expect(sub.taskEnded(ended(0), isFinal: true).started == [])
        #expect(sub.taskEnded(ended(2), isFinal: true).started == [3, 4, 5])
        #expect(sub.taskEnded(ended(5), isFinal: true).isEmpty)
        #expect(sub.taskEnded(ended(3), isFinal: true).isEmpty)
        #expect(sub.taskEnded(ended(4), isFinal: true).started == [6])
        #expect(sub.taskEnded(ended(6), isFinal: true) == [.finished])
        #expect(sub.isFinished)
    }

    @Test func rollingStartsTheNextAsSoonAsOneEnds() {
        var sub = SubOrchestrator(assign: makeAssign(tasks: 5, width: 2, pacing: .rolling), slots: 10)
        #expect(sub.start().started == [0, 1])
        #expect(sub.taskEnded(ended(1), isFinal: true).started == [2])
        #expect(sub.taskEnded(ended(2), isFinal: true).started == [3])
        #expect(sub.taskEnded(ended(0), isFinal: true).started == [4])
        #expect(sub.runningCount == 2)
        #expect(sub.taskEnded(ended(3), isFinal: true).isEmpty)
        #expect(sub.taskEnded(ended(4), isFinal: true) == [.finished])
    }

    @Test func widthIsCappedByTheNodesSlots() {
        var sub = SubOrchestrator(assign: makeAssign(tasks: 10, width: 10, pacing: .rolling), slots: 4)
        #expect(sub.start().started == [0, 1, 2, 3])
    }

    @Test func summarizeGetsFinalReportsInScopeOrder() {
        var sub = SubOrchestrator(assign: makeAssign(tasks: 3, width: 3, pacing: .barrier, summarize: .shell("sort")), slots: 10)
        _ = sub.start()
        _ = sub.taskEnded(ended(2), isFinal: true)
        _ = sub.taskEnded(ended(0), isFinal: true)
        let actions = sub.taskEnded(ended(1), isFinal: true)
        #expect(actions == [.summarize([ended(0), ended(1), ended(2)])])
        #expect(!sub.isFinished)
        #expect(sub.summarized() == [.finished])
    }

    @Test func aTaskRetriedElsewhereHoldsTheSummaryUntilItsReportIsRelayed() {
        var sub = SubOrchestrator(assign: makeAssign(tasks: 2, width: 2, pacing: .rolling, summarize: .shell("cat")), slots: 10)
        _ = sub.start()
        #expect(sub.taskEnded(ended(0, exit: 1), isFinal: false).isEmpty)
        #expect(sub.taskEnded(ended(1), isFinal: true).isEmpty)
        let actions = sub.relayed(ended(0))
        #expect(actions == [.summarize([ended(0), ended(1)])])
    }

    @Test func aReassignedShareStartsFromWhatIsDone() {
        let assign = makeAssign(tasks: 4, width: 4, pacing: .rolling, summarize: .shell("cat"), done: [ended(0), ended(2)], elsewhere: [3])
        var sub = SubOrchestrator(assign: assign, slots: 10)
        #expect(sub.start().started == [1])
        #expect(sub.taskEnded(ended(1), isFinal: true).isEmpty)
        #expect(sub.relayed(ended(3)) == [.summarize([ended(0), ended(1), ended(2), ended(3)])])
    }

    @Test func onlyAShareThatSummarizesHoldsItsReportsOutput() {
        for summarize in [nil, Command.shell("sort")] {
            var sub = SubOrchestrator(assign: makeAssign(tasks: 3, width: 3, pacing: .rolling, summarize: summarize), slots: 10)
            _ = sub.start()
            _ = sub.taskEnded(ended(1), isFinal: true)
            _ = sub.taskEnded(ended(0), isFinal: true)
            #expect(sub.heldOutputBytes == (summarize == nil ? 0 : 4))
            // A report relayed for a task that already has one is still ignored.
            #expect(sub.relayed(ended(0)).isEmpty)
            #expect(sub.taskEnded(ended(2), isFinal: true) == (summarize == nil ? [.finished] : [.summarize([ended(0), ended(1), ended(2)])]))
        }
    }

    @Test func reduceAssignmentsNeverSummarize() {
        var sub = SubOrchestrator(assign: makeAssign(tasks: 1, width: 1, pacing: .barrier, summarize: .shell("x"), kind: .reduce), slots: 1)
        #expect(sub.start().started == [0])
        #expect(sub.taskEnded(ended(0), isFinal: true) == [.finished])
    }

    @Test func unknownOrRepeatedEndsAreIgnored() {
        var sub = SubOrchestrator(assign: makeAssign(tasks: 2, width: 1, pacing: .barrier), slots: 10)
        _ = sub.start()
        #expect(sub.taskEnded(ended(1), isFinal: true).isEmpty)
        #expect(sub.taskEnded(ended(0), isFinal: true).started == [1])
        #expect(sub.taskEnded(ended(0), isFinal: true).isEmpty)
    }
}
