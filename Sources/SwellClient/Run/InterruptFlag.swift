/// Set once SIGINT arrives.
final class InterruptFlag: Sendable {
    private let flag = MutexFlag()
    func set() { flag.set() }
    var isSet: Bool { flag.value }
}
