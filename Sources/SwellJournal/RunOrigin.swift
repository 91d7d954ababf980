/// Who ran a run, which decides what happens to it when that process is gone.
package enum RunOrigin: String, Sendable, Codable {
    /// A `swell-coordinator`, which resumes the run after a restart.
    case coordinator
    /// `swell run`'s embedded default: the run lives as long as that process.
    case embedded
}
