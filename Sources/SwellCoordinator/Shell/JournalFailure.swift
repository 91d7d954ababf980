/// The journal could not be written; the coordinator stops rather than run on without it.
package struct JournalFailure: Error, CustomStringConvertible, Sendable {
    package var path: String
    package var reason: String
    package var reading: Bool
    package var description: String { "cannot \(reading ? "read" : "write") the journal \(path): \(reason)" }
}
