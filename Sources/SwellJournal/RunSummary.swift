/// A run as `swell status` lists it from the journal.
package struct RunSummary: Sendable {
    package var record: RunRecord
    package var tasks: Int
    package var succeeded: Int
    package var failed: Int
    /// The tasks in slots when its coordinator last recorded progress; 0 once it has finished.
    package var running: Int
}
