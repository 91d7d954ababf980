/// An error that ends the command with a message and an exit status.
package struct ClientError: Error, Sendable, CustomStringConvertible {
    package var exit: SwellExit
    package var message: String

    package init(_ exit: SwellExit, _ message: String) {
        self.exit = exit
        self.message = message
    }

    package var description: String { message }
}
