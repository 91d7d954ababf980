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
        // A stdout closed from the start could never take the public key: no pair is made.
        if StandardStreams.stdoutWasClosed {
            StandardStreams.err("swell: cannot write to stdout: it was closed when swell started; no key was made\n")
            throw ExitCode(1)
        }
        let written: (keyFile: String, publicFile: String, publicKey: String, replaced: Bool)
        do {
            written = try KeyFiles.generate(name: name, force: force)
        } catch {
            StandardStreams.err("swell: \(error)\n")
            throw ExitCode(error is KeyError ? 2 : 1)
        }
        // Checked: a stdout that cannot take the public key fails the command, and a pair that
        // was new goes again, so that running it again makes one. An old pair that --force
        // replaced is gone already: the new one stays.
        let outcome = StandardStreams.tryOut(Data((written.publicKey + "\n").utf8))
        if outcome != .written {
            if !written.replaced { KeyFiles.remove(written.keyFile, written.publicFile) }
            guard case .failed(let reason) = outcome else { throw ExitCode(141) }
            StandardStreams.err(written.replaced
                ? "swell: cannot write to stdout: \(reason); the new pair stays in \(written.keyFile) and \(written.publicFile)\n"
                : "swell: cannot write to stdout: \(reason); no key was made\n")
            throw ExitCode(1)
        }
        StandardStreams.err("""
            swell: wrote \(written.keyFile) (secret, mode 0600: keep it private) and \(written.publicFile)
            swell: to admit a node or a client with it, add a line to the coordinator's --authorized file (then send the coordinator SIGHUP): node|client NAME \(written.publicKey)
            swell: a coordinator's own key goes in no such line: it is the coordinator's --key, and its .pub is the others' --coordinator-key

            """)
    }
}
