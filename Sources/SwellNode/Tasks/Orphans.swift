/// What a process that runs tasks does about what they leave behind.
package enum Orphans {
    /// Makes this process adopt and end what its tasks leave running, even after `kill -9` of
    /// this process (see ``ProcessSupervisor/adoptOrphans()``). For `swell-node` and `swell run`,
    /// whose only children are tasks. Returns what could not be set up, if anything.
    package static func adopt() -> String? {
        ProcessSupervisor.shared.adoptOrphans()
    }

    /// Before this process ends in good order: ends what its tasks left running.
    package static func settle() async {
        await ProcessSupervisor.shared.settle()
    }
}
