import SwellProtocol

/// Which input a node fetches: a stage's stdin, or its reduction's input.
struct InputKey: Hashable, Sendable {
    var run: String
    var stage: String
    var reduce: Bool

    init(run: String, stage: String, reduce: Bool) {
        self.run = run
        self.stage = stage
        self.reduce = reduce
    }

    init(_ assign: Assign) {
        self.init(run: assign.run, stage: assign.stage, reduce: assign.kind == .reduce)
    }
}
