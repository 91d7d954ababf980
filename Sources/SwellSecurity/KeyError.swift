import SwellZMQ

/// A problem with a key file or key, said plainly.
package struct KeyError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
