/// What a process that runs tasks does about what they leave behind.
package enum Orphans {
    /// Makes this process adopt and end what its tasks leave running, even after `kill -9` of
    /// this process (see ``ProcessSupervisor/adoptOrphans(onProblem:)``). For `swell-node` and
    /// `swell run`, whose only children are tasks. What could not be set up goes to `problem`:
    /// at once, or from the task supervisor's thread for the watchdog, which starts there.
    package static func adopt(_ problem: @escaping @Sendable (String) -> Void) {
        if let now = ProcessSupervisor.shared.adoptOrphans(onProblem: problem) { problem(now) }
    }

    /// Before this process ends in good order: ends what its tasks left running.
    package static func settle() async {
        await ProcessSupervisor.shared.settle()
    }
}
