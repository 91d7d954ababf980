import DequeModule
import SwellCore
import SwellProtocol

/// Runs one share in task waves: a value that takes events and returns actions, no I/O.
///
/// Invariants: at most `width` tasks run at once; with `barrier` pacing a wave starts only when
/// the previous wave has ended; the share is summarized only when every task has a final
/// report, and reports are handed to `summarize` in scope order.
struct SubOrchestrator: Sendable {
    enum Action: Sendable, Equatable {
        /// Start this task.
        case start(TaskRef)
        /// Run `summarize` over these final reports (scope order).
        case summarize([Report])
        /// The share is done (its summarize, if any, has ended).
        case finished
    }

    let assign: Assign
    let width: Int
    private var waiting: Deque<TaskRef>
    private var running: Set<Int> = []
    /// Tasks of the current barrier wave that have not ended yet.
    private var waveLeft = 0
    /// Tasks with a final report.
    private var finalTasks: Set<Int> = []
    /// Their reports, kept only for the share's `summarize`: a share that does not summarize
    /// holds no task's output once its report is sent.
    private var finals: [Int: Report] = [:]
    /// Tasks whose final report is expected from elsewhere (a retry on another node).
    private var elsewhere: Set<Int>
    private var summarizing = false
    private(set) var isFinished = false
    /// Starts nothing more, summarizes nothing: its running tasks end and report (``drain()``).
    private(set) var isDraining = false

    /// - Parameter slots: the node's slots; the share never runs more tasks than that at once.
    init(assign: Assign, slots: Int) {
        self.assign = assign
        self.width = max(1, min(assign.spec.width, slots))
        // In the order the coordinator sent them: scope order, or longest first when it knows
        // how long they ran before.
        self.waiting = Deque(assign.tasks)
        self.elsewhere = Set(assign.elsewhere)
        for report in assign.done { markFinal(report) }
    }

    private var summarizes: Bool { assign.spec.summarize != nil && assign.kind == .share }

    private mutating func markFinal(_ report: Report) {
        finalTasks.insert(report.index)
        if summarizes { finals[report.index] = report }
    }

    /// Bytes of output the share holds for its summarize.
    var heldOutputBytes: Int { finals.values.reduce(0) { $0 + $1.stdout.count } }

    /// Tasks running now.
    var runningCount: Int { running.count }

    /// The first actions: the first wave.
    mutating func start() -> [Action] {
        nextActions()
    }

    /// A task of this share ended here. `isFinal` is false when it failed and will be retried
    /// (the coordinator decides where, and relays the final report).
    mutating func taskEnded(_ report: Report, isFinal: Bool) -> [Action] {
        guard running.remove(report.index) != nil else { return [] }
        if assign.spec.pacing == .barrier { waveLeft -= 1 }
        if isFinal {
            markFinal(report)
        } else {
            elsewhere.insert(report.index)
        }
        return nextActions()
    }

    /// The final report of a task that was retried elsewhere.
    mutating func relayed(_ report: Report) -> [Action] {
        guard elsewhere.remove(report.index) != nil || !finalTasks.contains(report.index) else { return [] }
        markFinal(report)
        return nextActions()
    }

    /// Nothing more starts; the tasks that run end and report.
    mutating func drain() {
        isDraining = true
        waiting.removeAll()
    }

    /// The summarize command ended.
    mutating func summarized() -> [Action] {
        guard summarizing, !isFinished else { return [] }
        isFinished = true
        return [.finished]
    }

    private mutating func nextActions() -> [Action] {
        guard !isFinished, !summarizing, !isDraining else { return [] }
        var actions: [Action] = []
        switch assign.spec.pacing {
        case .rolling:
            while running.count < width, let task = waiting.popFirst() {
                running.insert(task.index)
                actions.append(.start(task))
            }
        case .barrier:
            if waveLeft == 0 {
                while waveLeft < width, let task = waiting.popFirst() {
                    running.insert(task.index)
                    waveLeft += 1
                    actions.append(.start(task))
                }
            }
        }
        if waiting.isEmpty, running.isEmpty, elsewhere.isEmpty {
            if summarizes {
                summarizing = true
                let reports = finals.keys.sorted().compactMap { finals[$0] }
                actions.append(.summarize(reports))
            } else {
                isFinished = true
                actions.append(.finished)
            }
        }
        return actions
    }
}
