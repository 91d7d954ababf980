import ArgumentParser
import Foundation
import Testing
@testable import SwellCLI
@testable import SwellCore

/// The message `command` gives for `arguments`, or nil when they parse.
func problem<Command: ParsableCommand>(_ command: Command.Type, _ arguments: [String]) -> String? {
    do {
        _ = try command.parseAsRoot(arguments)
        return nil
    } catch {
        return command.message(for: error)
    }
}

@Suite struct CoordinatorOptionTests {
    @Test func mistakesAreRefusedWithWhatToDo() {
        let cases: [([String], String)] = [
            (["--listen", "udp://127.0.0.1:7710"], "udp://127.0.0.1:7710 is not an endpoint: an endpoint is tcp://HOST:PORT"),
            (["--listen", "inproc://x"], "--listen takes a TCP endpoint"),
            (["--listen", "tcp://127.0.0.1:70000"], "the port must be a number from 0 to 65535"),
            (["--key", "c.key"], "--key and --authorized go together"),
            (["--key", "c.key", "--authorized", "a", "--insecure"], "--insecure is for a coordinator without keys"),
            (["--listen", "tcp://0.0.0.0:7710"], "refusing to listen on tcp://0.0.0.0:7710 without keys"),
            (["--suspect-after", "0"], "--suspect-after must be from 1 to 100"),
            (["--heartbeat-interval", "10ms"], "--heartbeat-interval must be at least 50ms"),
            (["--output-cap", "10"], "--output-cap must be from 1KiB to 512MiB"),
            (["--down-grace", "soon"], "The value 'soon' is invalid for '--down-grace"),
        ]
        for (arguments, expected) in cases {
            let message = problem(CoordinatorCommand.self, arguments)
            #expect(message?.contains(expected) == true, "\(arguments): \(message ?? "accepted")")
        }
    }

    @Test func localhostIsListenedOnAsLoopback() throws {
        // libzmq binds addresses and interfaces, not host names.
        let command = try CoordinatorCommand.parse(["--listen", "tcp://localhost:0"])
        #expect(command.listen == "tcp://127.0.0.1:0")
    }

    @Test func theOptionsBecomeTheCoordinatorsSettings() throws {
        #expect(problem(CoordinatorCommand.self, ["--listen", "tcp://0.0.0.0:7710", "--insecure"]) == nil)
        let command = try CoordinatorCommand.parse([
            "--listen", "tcp://127.0.0.1:0", "--state", "/s", "--heartbeat-interval", "250ms", "--suspect-after", "4",
            "--down-grace", "2s", "--resume-grace", "1m", "--output-cap", "2MiB"])
        let options = command.options
        #expect(options.listen == "tcp://127.0.0.1:0")
        #expect(options.stateDirectory == "/s")
        #expect(options.settings.heartbeatInterval == .milliseconds(250))
        #expect(options.settings.suspectAfterMissed == 4)
        #expect(options.settings.downGrace == .seconds(2))
        #expect(options.settings.resumeGrace == .seconds(60))
        #expect(options.settings.outputCap == 2 << 20)
    }
}

@Suite struct NodeOptionTests {
    @Test func mistakesAreRefusedWithWhatToDo() {
        let cases: [([String], String)] = [
            (["--join", "127.0.0.1:7710"], "127.0.0.1:7710 is not an endpoint"),
            (["--join", "tcp://h:99999"], "the port must be a number from 1 to 65535"),
            (["--join", "tcp://h:7710", "--slots", "0"], "--slots must be from 1 to 10000"),
            (["--join", "tcp://h:7710", "--key", "n.key"], "--key and --coordinator-key go together"),
            (["--join", "tcp://h:7710", "--allow", ""], "--allow takes a program name or glob"),
            (["--join", "tcp://h:7710", "--workdir", "/nonexistent-swell-dir"], "--workdir /nonexistent-swell-dir is not a directory"),
            ([], "Missing expected argument '--join <endpoint>'"),
        ]
        for (arguments, expected) in cases {
            let message = problem(NodeCommand.self, arguments)
            #expect(message?.contains(expected) == true, "\(arguments): \(message ?? "accepted")")
        }
    }

    @Test func labelsAreTrimmedAndEmptyOnesDropped() throws {
        let command = try NodeCommand.parse(["--join", "tcp://h:7710", "--name", "n7", "--labels", " gpu, big ,,", "--allow", "grep"])
        #expect(command.options.labels == ["gpu", "big"])
        #expect(command.options.name == "n7")
        #expect(command.options.allow == ["grep"])
        #expect(command.options.workdir == nil)
    }
}

@Suite struct ClientOptionTests {
    @Test func mistakesAreRefusedWithWhatToDo() {
        let cases: [([String], String)] = [
            (["run", "p.yaml", "--slots", "0"], "--slots must be from 1 to 10000"),
            (["run", "p.yaml", "--coordinator", "tcp://h:7710", "--state", "/s"], "--state is for the embedded default"),
            (["run", "p.yaml", "--coordinator", "tcp://h:7710", "--slots", "3"], "--slots is for the embedded default"),
            (["run", "p.yaml", "--coordinator", "h:7710"], "h:7710 is not an endpoint: an endpoint is tcp://HOST:PORT"),
            (["status", "--coordinator", "tcp://127.0.0.1:99999"], "the port must be a number from 1 to 65535"),
            (["cancel", "r", "--coordinator", "tcp://127.0.0.1:0"], "the port must be a number from 1 to 65535"),
            (["logs", "r", "--coordinator", "tcp://host"], "it has no port"),
            (["run", "p.yaml", "--set", "novalue"], "The value 'novalue' is invalid for '--set"),
            (["status", "--connect-timeout", "0s"], "The value '0s' is invalid for '--connect-timeout"),
            (["logs"], "Missing expected argument '<run>'"),
        ]
        for (arguments, expected) in cases {
            let message = problem(SwellCommand.self, arguments)
            #expect(message?.contains(expected) == true, "\(arguments): \(message ?? "accepted")")
        }
    }

    @Test func aMistypedCommandGetsTheOneItProbablyMeant() {
        #expect(CommandMain.subcommandHint(SwellCommand.self, ["stauts"]) == "\n(did you mean 'swell status'?)")
        #expect(CommandMain.subcommandHint(SwellCommand.self, ["lgos", "r1"]) == "\n(did you mean 'swell logs'?)")
        #expect(CommandMain.subcommandHint(SwellCommand.self, ["zzzzzz"]) == nil)
        #expect(CommandMain.subcommandHint(SwellCommand.self, ["status", "--jsn"]) == nil)
        #expect(CommandMain.subcommandHint(SwellCommand.self, ["--help"]) == nil)
    }

    @Test func setSplitsAtTheFirstEqualsSign() throws {
        let assignment = try #require(VarOverride(argument: "api=a=b"))
        #expect(assignment.name == "api")
        #expect(assignment.value == "a=b")
        #expect(VarOverride(argument: "=x") == nil)
    }
}
