/// The journal could not be opened or brought up to this version's tables.
package struct JournalOpenError: Error, CustomStringConvertible, Sendable {
    package var path: String
    package var reason: String

    package var description: String {
        "cannot open the journal \(path): \(reason) (move it aside to start with an empty one)"
    }
}
