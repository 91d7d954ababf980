import ArgumentParser
import Foundation
import SwellClient
import SwellSecurity

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a CURVE key pair: NAME.key (secret, mode 0600) and NAME.pub.",
        discussion: """
            Prints the public key on stdout. Give the coordinator its .key with --key; list each \
            node's and client's public key in the coordinator's --authorized file; give nodes and \
            clients their own .key with --key and the coordinator's .pub with --coordinator-key.
            """)

    @Argument(help: "The name (and folder) of the pair: NAME.key and NAME.pub.")
    var name: String

    @Flag(help: "Replace an existing NAME.key.")
    var force = false

    func run() throws {
        do {
            let written = try KeyFiles.generate(name: name, force: force)
            StandardStreams.err("""
                swell: wrote \(written.keyFile) (secret, mode 0600: keep it private) and \(written.publicFile)
                swell: to admit a node or a client with it, add a line to the coordinator's --authorized file (then send the coordinator SIGHUP): node|client NAME \(written.publicKey)
                swell: a coordinator's own key goes in no such line: it is the coordinator's --key, and its .pub is the others' --coordinator-key

                """)
            // Last, and checked: a stdout that cannot take the public key says so (it is in NAME.pub).
            StandardStreams.out(Data((written.publicKey + "\n").utf8))
        } catch {
            StandardStreams.err("swell: \(error)\n")
            throw ExitCode(error is KeyError ? 2 : 1)
        }
    }
}
