/// The tasks of one stage: a ``TaskState`` per scope, stored compactly and made only when a
/// task is first touched (a stage of a million scopes costs nothing until its shares are made),
/// with counts by status kept as tasks change, so that progress never scans the stage.
struct TaskTable: Sendable {
    /// One task in 24 bytes; node names are indices into `names`.
    private struct Packed: Sendable {
        var status: UInt8 = 0
        /// Rate-limited attempts (waits), which are not failures.
        var waits: UInt16 = 0
        var attempt: Int32 = 0
        var failures: Int32 = 0
        var share: Int32 = -1
        var node: Int32 = -1
        var failedOn: Int32 = -1
    }

    private static let statuses: [TaskState.Status] = [.waiting, .assigned, .retryPending, .succeeded, .failed]

    /// How many tasks the stage has (its scopes).
    private(set) var count: Int
    private var storage: [Packed] = []
    private var names: [String] = []
    private var nameIndex: [String: Int32] = [:]
    /// Tasks by status, indexed as `statuses`; tasks not yet made are waiting.
    private var tally = [Int](repeating: 0, count: 5)

    init(count: Int = 0) {
        self.count = count
        tally[0] = count
    }

    var indices: Range<Int> { 0..<count }
    var isEmpty: Bool { count == 0 }

    /// Tasks in `status` now.
    func number(_ status: TaskState.Status) -> Int { tally[Self.code(status)] }

    subscript(index: Int) -> TaskState {
        get {
            guard index < storage.count else { return TaskState() }
            let packed = storage[index]
            return TaskState(status: Self.statuses[Int(packed.status)], attempt: Int(packed.attempt),
                             failures: Int(packed.failures), share: packed.share < 0 ? nil : Int(packed.share),
                             node: name(packed.node), failedOn: name(packed.failedOn), waits: Int(packed.waits))
        }
        set {
            precondition(index >= 0 && index < count, "task \(index) of \(count)")
            if index >= storage.count {
                storage.reserveCapacity(max(index + 1, min(count, storage.count * 2)))
                storage.append(contentsOf: repeatElement(Packed(), count: index + 1 - storage.count))
            }
            let old = Int(storage[index].status)
            let new = Self.code(newValue.status)
            tally[old] -= 1
            tally[new] += 1
            storage[index] = Packed(status: UInt8(new), waits: UInt16(clamping: newValue.waits), attempt: Int32(clamping: newValue.attempt),
                                    failures: Int32(clamping: newValue.failures), share: Int32(clamping: newValue.share ?? -1),
                                    node: intern(newValue.node), failedOn: intern(newValue.failedOn))
        }
    }

    private func name(_ index: Int32) -> String? { index < 0 ? nil : names[Int(index)] }

    private mutating func intern(_ name: String?) -> Int32 {
        guard let name else { return -1 }
        if let index = nameIndex[name] { return index }
        let index = Int32(names.count)
        names.append(name)
        nameIndex[name] = index
        return index
    }

    private static func code(_ status: TaskState.Status) -> Int {
        switch status {
        case .waiting: 0
        case .assigned: 1
        case .retryPending: 2
        case .succeeded: 3
        case .failed: 4
        }
    }
}
