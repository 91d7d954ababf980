import CZeroMQ
import Foundation
import SwellCore
import SwellProtocol
import SwellWire
import Testing
import SwellTestSupport

/// Keys made with `swell keygen` in a scratch folder.
struct Keys {
    let folder: String

    init(_ scratch: Scratch) {
        folder = scratch.path + "/keys"
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Makes NAME.key and NAME.pub; returns the public key `swell keygen` printed.
    func make(_ name: String) async throws -> String {
        let made = try await swell(["keygen", folder + "/" + name])
        #expect(made.status == 0, "\(made.stderr)")
        return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func secret(_ name: String) -> String { folder + "/" + name + ".key" }
    func pub(_ name: String) -> String { folder + "/" + name + ".pub" }
    func secretText(_ name: String) -> String {
        ((try? String(contentsOfFile: secret(name), encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A client's or node's key options.
    func options(_ name: String) -> [String] { ["--key", secret(name), "--coordinator-key", pub("coordinator")] }
}

@Suite(.serialized) struct SecurityTests {
    /// A coordinator with keys for itself, nodes n1 and n2, and client `ops`; a `stranger` key
    /// that is not authorized.
    func securedCluster(_ work: Scratch, nodes: Int = 1) async throws -> (LocalCluster, Keys) {
        let keys = Keys(work)
        _ = try await keys.make("coordinator")
        var authorized = "# role name public-key\n"
        for name in ["n1", "n2"] { authorized += "node \(name) \(try await keys.make(name))\n" }
        authorized += "client ops \(try await keys.make("ops"))\n"
        _ = try await keys.make("stranger")
        let file = work.write("authorized", authorized)
        let cluster = try await LocalCluster(
            nodes: nodes, slots: 4, workdir: work.path,
            coordinatorArguments: ["--key", keys.secret("coordinator"), "--authorized", file],
            nodeArguments: { name in keys.options(name == "n3" ? "stranger" : name) })
        return (cluster, keys)
    }

    /// Done criterion 1: a secured cluster runs a plan end to end; a node with an unknown key is
    /// never admitted and never gets a task; a node whose key is authorized as n2 but which
    /// claims n9 is known as n2. Neither secrets nor task output reach the info logs.
    @Test func aSecuredClusterRunsAPlanAndKnowsNodesByTheirKeys() async throws {
        let work = Scratch()
        defer { work.remove() }
        let (cluster, keys) = try await securedCluster(work)
        defer { cluster.stop() }
        try cluster.addNode("n2", claiming: "n9")
        try cluster.addNode("n3")  // holds the stranger key
        #expect(await eventually { cluster.coordinator.output.components(separatedBy: " joined with ").count - 1 == 2 })
        #expect(cluster.coordinator.output.contains("a node calling itself 'n9' holds the key authorized as 'n2': known as n2"))
        // The stranger is told why, and the coordinator counts the refused handshakes.
        #expect(await eventually { cluster.node("n3").output.contains("refused this node's key") })
        #expect(try await eventually { try await (statusJSON(cluster.endpoint, keys.options("ops"))["dropped"] as? [String: Any])?["unauthorized"] as? Int ?? 0 > 0 })

        let marker = "task-output-\(UUID().uuidString.prefix(8))"
        let secretValue = "secret-\(UUID().uuidString.prefix(8))"
        let items = (0..<24).map { "s\($0)" }
        let plan = work.write("plan.yaml", """
            name: secured
            width: 4
            stages:
              - id: work
                partition: { items: [\(items.joined(separator: ", "))] }
                run: echo "{scope} $SWELL_NODE" >> ledger; sleep 0.1; echo "{scope} \(marker) $TOKEN"
                env: { TOKEN: "\(secretValue)" }
            """)
        let ran = try await swell(["run", plan, "--coordinator", cluster.endpoint] + keys.options("ops"), in: work.path)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout == items.map { "\($0) \(marker) \(secretValue)\n" }.joined())

        let ledger = work.read("ledger").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(ledger.count == items.count)
        let perNode = Dictionary(grouping: ledger, by: { $0.last ?? "" }).mapValues(\.count)
        #expect(Set(perNode.keys) == ["n1", "n2"], "tasks per node: \(perNode)")

        let status = try await statusJSON(cluster.endpoint, keys.options("ops"))
        #expect(status["security"] as? String == "curve")
        let nodes = (status["nodes"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(nodes == ["n1", "n2"])

        // Info-level logs carry neither task output, nor the plan's environment, nor any secret key.
        let logs = [cluster.coordinator.output] + cluster.nodes.map(\.output)
        for log in logs {
            #expect(!log.contains(marker))
            #expect(!log.contains(secretValue))
            for name in ["coordinator", "n1", "n2", "ops", "stranger"] { #expect(!log.contains(keys.secretText(name))) }
        }
    }

    /// Done criterion 2: a client without an authorized key cannot submit or read.
    @Test func aClientWithoutAnAuthorizedKeyCannotSubmitOrRead() async throws {
        let work = Scratch()
        defer { work.remove() }
        let (cluster, keys) = try await securedCluster(work)
        defer { cluster.stop() }
        let plan = work.write("plan.yaml", "name: p\nstages:\n  - id: a\n    run: touch ran-\\{run}\n")
        let commands: [[String]] = [
            ["run", plan], ["status"], ["logs", "some-run"], ["cancel", "some-run"],
        ]
        let clients: [(options: [String], says: String)] = [
            ([], "admits clients by key only: pass --key and --coordinator-key"),
            (keys.options("stranger"), "did not admit this client: its key is not authorized as a client there"),
            (keys.options("n1"), "this key is authorized as a node, not as a client"),
        ]
        for client in clients {
            for command in commands {
                let result = try await swell(command + ["--coordinator", cluster.endpoint] + client.options, in: work.path,
                                             timeout: .seconds(30))
                #expect(result.status == 3, "\(command) \(client.options): \(result.stderr)")
                #expect(result.stderr.contains(client.says), "\(command): \(result.stderr)")
                #expect(result.stdout.isEmpty)
            }
        }
        // Nothing was submitted: the coordinator has no runs, and no task ran.
        let status = try await statusJSON(cluster.endpoint, keys.options("ops"))
        #expect((status["runs"] as? [Any])?.isEmpty == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).allSatisfy { !$0.hasPrefix("ran-") })
        // The authorized client can.
        let ok = try await swell(["run", plan, "--coordinator", cluster.endpoint] + keys.options("ops"), in: work.path)
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    /// Done criterion 3: no keys beyond loopback unless --insecure, which warns loudly.
    @Test func listeningBeyondLoopbackNeedsKeysOrInsecure() async throws {
        let work = Scratch()
        defer { work.remove() }
        let refused = try await run(Binaries.path("swell-coordinator"),
                                    ["--listen", "tcp://0.0.0.0:0", "--state", work.path + "/state"], timeout: .seconds(30))
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("without keys"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--insecure"))
        #expect(!FileManager.default.fileExists(atPath: work.path + "/state/journal.sqlite"))

        let insecure = try Background(Binaries.path("swell-coordinator"),
                                      ["--listen", "tcp://0.0.0.0:0", "--state", work.path + "/state", "--insecure"],
                                      log: work.path + "/insecure.log", name: "coordinator")
        defer { insecure.stop() }
        #expect(await eventually { insecure.output.contains("listening on ") })
        #expect(insecure.output.contains("INSECURE"), "\(insecure.output)")
        #expect(insecure.process.isRunning)
    }

    /// Every mistake in keys and security options stops the program before it connects or
    /// listens, with exit status 2 and a message that says what to fix.
    @Test func securityMistakesAreUsageErrorsThatSayWhatToFix() async throws {
        let work = Scratch()
        defer { work.remove() }
        let keys = Keys(work)
        let mine = try await keys.make("coordinator")
        _ = try await keys.make("open")
        chmod(keys.secret("open"), 0o644)
        let again = try await swell(["keygen", keys.folder + "/coordinator"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("exists; pass --force to replace it"))
        let badList = work.write("authorized", "node n1 \(mine)\noperator x \(mine)\nnode n2 short\nclient c \(mine)\n")
        let state = ["--state", work.path + "/state"]
        let endpoint = "tcp://127.0.0.1:9"
        let cases: [(program: String, arguments: [String], says: String)] = [
            ("swell-coordinator", ["--key", keys.secret("coordinator")] + state, "--key and --authorized go together"),
            ("swell-coordinator", ["--key", keys.secret("coordinator"), "--authorized", badList, "--insecure"] + state,
             "--insecure is for a coordinator without keys"),
            ("swell-coordinator", ["--key", keys.secret("coordinator"), "--authorized", badList] + state,
             "authorized:2: unknown role 'operator'; use node or client\n\(badList):3: not a public key"),
            ("swell-coordinator", ["--key", keys.secret("open"), "--authorized", badList] + state, "is open to others (mode 644)"),
            ("swell-node", ["--join", endpoint, "--key", keys.secret("coordinator")], "--key and --coordinator-key go together"),
            ("swell-node", ["--join", endpoint, "--key", work.path + "/missing.key", "--coordinator-key", keys.pub("coordinator")],
             "cannot read the key file"),
            ("swell", ["status", "--coordinator", endpoint, "--key", keys.secret("coordinator")], "--key and --coordinator-key go together"),
            ("swell", ["status", "--coordinator", endpoint, "--key", keys.secret("coordinator"), "--coordinator-key", "short"],
             "'short' is neither a 40-character Z85 public key nor a .pub file"),
            ("swell", ["logs", "r", "--coordinator", endpoint, "--key", keys.secret("open"), "--coordinator-key", keys.pub("coordinator")],
             "chmod 600"),
        ]
        for test in cases {
            let result = try await run(Binaries.path(test.program), test.arguments, timeout: .seconds(30))
            #expect(result.status == 2, "\(test.program) \(test.arguments): \(result.stderr)")
            #expect(result.stderr.contains(test.says), "\(test.program) \(test.arguments): \(result.stderr)")
        }
        // The coordinator that refused to start left no journal behind.
        #expect(!FileManager.default.fileExists(atPath: work.path + "/state/journal.sqlite"))
    }

    /// A key its process may not read (handed to a service's user without chown) is named
    /// with the reason and the user that tried: run as uid 10001, as in the container image.
    @Test func aKeyTheProcessCannotReadSaysWhoCannotReadIt() async throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        let work = Scratch()
        defer { work.remove() }
        chmod(work.path, 0o755)
        let keys = Keys(work)
        let mine = try await keys.make("coordinator")
        let list = work.write("authorized", "client c \(mine)\n")
        let refused = try await run("/usr/bin/setpriv", ["--reuid", "10001", "--regid", "10001", "--clear-groups",
                                                         Binaries.path("swell-coordinator"), "--key", keys.secret("coordinator"),
                                                         "--authorized", list, "--state", work.path + "/state"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("cannot read the secret key file \(keys.secret("coordinator")): Permission denied (this process runs as uid 10001"),
                "\(refused.stderr)")
    }

    /// SIGHUP reads the authorized file again: a key added since start is admitted without a
    /// restart, a removed key's node is disconnected and its process told why, and a file with
    /// a problem changes nothing.
    @Test func sighupReadsTheAuthorizedFileAgain() async throws {
        let work = Scratch()
        defer { work.remove() }
        let (cluster, keys) = try await securedCluster(work)
        defer { cluster.stop() }
        try cluster.addNode("n3")  // the stranger key: not admitted yet
        #expect(await eventually { cluster.node("n3").output.contains("refused this node's key") })
        let file = work.path + "/authorized"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        let stranger = try #require(try String(contentsOfFile: keys.pub("stranger"), encoding: .utf8)
            .split(separator: "\n").last { !$0.hasPrefix("#") && !$0.isEmpty })
        // The refused node says what to add, its own public key included.
        #expect(cluster.node("n3").output.contains("must add `node NAME \(stranger)` for it to the authorized file"))

        // A broken file: nothing changes, and the log says so.
        try "node n3\n".write(toFile: file, atomically: true, encoding: .utf8)
        kill(cluster.coordinator.pid, SIGHUP)
        #expect(await eventually { cluster.coordinator.output.contains("was not taken") }, "\(cluster.coordinator.output)")

        // n3's key added: it joins without a restart.
        try (original + "node n3 \(stranger)\n").write(toFile: file, atomically: true, encoding: .utf8)
        kill(cluster.coordinator.pid, SIGHUP)
        #expect(await eventually(.seconds(20)) { cluster.coordinator.output.contains("node n3 joined with") }, "\(cluster.coordinator.output)")

        // n1's key removed: n1 is disconnected, and the run goes to n3 alone.
        let withoutN1 = (original + "node n3 \(stranger)\n").split(separator: "\n").filter { !$0.hasPrefix("node n1 ") }.joined(separator: "\n")
        try (withoutN1 + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        kill(cluster.coordinator.pid, SIGHUP)
        #expect(await eventually { cluster.coordinator.output.contains("node n1: its key was removed from the authorized file; disconnected") })
        #expect(await eventually { cluster.node("n1").output.contains("the coordinator does not admit this node") })
        let plan = work.write("plan.yaml", """
            name: after-sighup
            stages:
              - id: work
                partition: { items: [a, b, c, d] }
                run: echo "$SWELL_NODE"
            """)
        let ran = try await swell(["run", plan, "--coordinator", cluster.endpoint] + keys.options("ops"), in: work.path)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout == "n3\nn3\nn3\nn3\n")
        let nodes = try #require(try await statusJSON(cluster.endpoint, keys.options("ops"))["nodes"] as? [[String: Any]])
        #expect(nodes.first { $0["name"] as? String == "n1" }?["state"] as? String == "left", "\(nodes)")
        // n3's key renamed n3b: the running node joins again under the new name, no restart.
        let renamed = (withoutN1 + "\n").replacingOccurrences(of: "node n3 ", with: "node n3b ")
        try renamed.write(toFile: file, atomically: true, encoding: .utf8)
        kill(cluster.coordinator.pid, SIGHUP)
        #expect(await eventually(.seconds(20)) { cluster.coordinator.output.contains("node n3b joined with") }, "\(cluster.coordinator.output)")
        // The refused node says so once, not at each refused HELLO.
        let said = cluster.node("n1").output.components(separatedBy: "the coordinator does not admit this node").count - 1
        #expect(said == 1, "\(cluster.node("n1").output)")
    }

    /// Done criterion 5: a node started with --allow grep refuses a task that runs rm, and the
    /// report says why; grep runs.
    @Test func aNodeRefusesCommandsItDoesNotAllow() async throws {
        let work = Scratch()
        defer { work.remove() }
        let precious = work.write("precious.txt", "keep me\n")
        let cluster = try await LocalCluster(nodes: 1, workdir: work.path, nodeArguments: { _ in ["--allow", "grep"] })
        defer { cluster.stop() }
        let plan = work.write("plan.yaml", """
            name: allow
            stages:
              - id: search
                run: grep -c keep precious.txt
              - id: remove
                run: rm -f precious.txt
                on-failure: continue
              - id: outside
                partition: { items: [../../etc] }
                run: grep -r root {scope}
                on-failure: continue
            """)
        let ran = try await swell(["run", plan, "--coordinator", cluster.endpoint, "--json"], in: work.path)
        #expect(ran.status == 1, "\(ran.stderr)")
        #expect(FileManager.default.fileExists(atPath: precious))
        let result = try #require(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])
        let run = try #require(result["run"] as? String)
        let logs = try await swell(["logs", run, "--coordinator", cluster.endpoint, "--json"])
        #expect(logs.status == 0, "\(logs.stderr)")
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]])
        let byStage = Dictionary(uniqueKeysWithValues: reports.compactMap { r in (r["stage"] as? String).map { ($0, r) } })
        #expect(byStage["search"]?["exitCode"] as? Int == 0)
        #expect(byStage["search"]?["stdout"] as? String == "1\n")
        #expect(byStage["remove"]?["error"] as? String == "refused: 'rm' is not allowed on this node (it allows: grep)")
        #expect(byStage["outside"]?["error"] as? String == "refused: scope '../../etc' climbs out of this node's --workdir")
        #expect(ran.stderr.contains("'rm' is not allowed on this node"), "\(ran.stderr)")
    }

    /// A plan cannot change what an allow-listed node runs: its env's PATH (to a folder with a
    /// `grep` of its own) and LD_PRELOAD are refused with the reason, a path through `..` is
    /// refused, and commands joined by pipes and `||` run when each is allowed, as the README's
    /// plan does.
    @Test func aPlanCannotChangeWhatAnAllowListedNodeRuns() async throws {
        let work = Scratch()
        defer { work.remove() }
        _ = work.write("bin/grep", "#!/bin/sh\necho pwned > pwned.txt\n")
        chmod(work.path + "/bin/grep", 0o755)
        _ = work.write("Sources/a/x.swift", "oldAPI(1)\n")
        _ = work.write("Sources/b/y.swift", "fine\n")
        let cluster = try await LocalCluster(nodes: 1, workdir: work.path, nodeArguments: { _ in
            ["--allow", "find", "--allow", "grep", "--allow", "sort", "--allow", "wc", "--allow", "true", "--allow", "/usr/bin/*"]
        })
        defer { cluster.stop() }
        let plan = work.write("plan.yaml", """
            name: hostile
            stages:
              - id: path
                run: grep -c x plan.yaml
                env: { PATH: "\(work.path)/bin" }
                on-failure: continue
              - id: preload
                run: [grep, -c, x, plan.yaml]
                env: { LD_PRELOAD: "\(work.path)/evil.so" }
                on-failure: continue
              - id: climb
                run: [/usr/bin/../../\(work.path.dropFirst())/bin/grep]
                on-failure: continue
              - id: inventory
                run: find Sources -mindepth 1 -maxdepth 1 -type d | sort
              - id: scan
                partition: { lines-of: inventory }
                run: grep -rn 'oldAPI(' {scope} || true
              - id: count
                needs: [scan]
                run: wc -l
            """)
        let ran = try await swell(["run", plan, "--coordinator", cluster.endpoint, "--json"], in: work.path)
        #expect(ran.status == 1, "\(ran.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/pwned.txt"))
        let result = try #require(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])
        let outputs = try #require(result["outputs"] as? [[String: Any]])
        #expect(outputs.first { $0["stage"] as? String == "count" }?["output"] as? String == "1\n", "\(ran.stdout)")
        let run = try #require(result["run"] as? String)
        let logs = try await swell(["logs", run, "--coordinator", cluster.endpoint, "--json"])
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]])
        let errors = Dictionary(reports.compactMap { r in (r["stage"] as? String).map { ($0, r["error"] as? String ?? "") } },
                                uniquingKeysWith: { $0 + $1 })
        #expect(errors["path"] == "refused: the plan's env sets PATH, which a node with --allow does not take from a plan: it changes what runs")
        #expect(errors["preload"] == "refused: the plan's env sets LD_PRELOAD, which a node with --allow does not take from a plan: it changes what runs")
        #expect(errors["climb"]?.contains("names its folder with '..'") == true, "\(errors)")
        #expect(errors["scan"] == "")
    }

    /// Done criterion 4: a hostile peer sends 10,000 random, malformed and oversized messages
    /// during a real run; the coordinator stays up, the output is right, every drop is counted.
    @Test func aHostilePeerHarmsNothingAndEveryDropIsCounted() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 4, workdir: work.path)
        defer { cluster.stop() }
        let before = try await statusJSON(cluster.endpoint)
        let droppedBefore = (before["dropped"] as? [String: Int]) ?? [:]

        let items = (0..<48).map { "s\($0)" }
        let plan = work.write("plan.yaml", """
            name: under-fire
            width: 4
            stages:
              - id: work
                partition: { items: [\(items.joined(separator: ", "))] }
                run: echo started >> started; sleep 0.5; echo {scope}
            """)
        let runInBackground = try BackgroundRun(["run", plan, "--coordinator", cluster.endpoint], in: work)
        defer { runInBackground.kill9() }
        #expect(await eventually { !work.read("started").isEmpty })

        let hostile = try HostilePeer(endpoint: cluster.endpoint)
        defer { hostile.close() }
        let seed = SeededRandom("hostile peer").seed
        let messages = hostile.barrage(10_000, seed: seed)
        let expected = Dictionary(messages.map { ($0.reason, 1) }, uniquingKeysWith: +)
        let sendStart = ContinuousClock.now
        try hostile.send(messages)
        print("hostile peer (seed \(seed)): 10,000 messages handed to libzmq in \(ContinuousClock.now - sendStart)")
        #expect(runInBackground.process.isRunning, "the run ended before the barrage did: make it longer")
        // Last, a frame over the coordinator's limit: libzmq closes that connection.
        try hostile.sendOversized()

        #expect(await runInBackground.wait() == 0, "\(runInBackground.stderr)")
        #expect(runInBackground.stdout == items.map { "\($0)\n" }.joined())
        #expect(cluster.coordinator.process.isRunning)

        var counted: [String: Int] = [:]
        let allCounted = try await eventually(.seconds(30)) {
            let dropped = (try await statusJSON(cluster.endpoint)["dropped"] as? [String: Int]) ?? [:]
            counted = dropped.merging(droppedBefore) { $0 - $1 }
            return counted.values.reduce(0, +) >= expected.values.reduce(0, +)
        }
        #expect(allCounted, "counted \(counted), sent \(expected) (seed \(seed))")
        for (reason, count) in expected {
            #expect(counted[reason] == count, "\(reason): counted \(counted[reason] ?? 0) of \(count)")
        }
        // The cluster is whole: both nodes up, and a new run works.
        let status = try await statusJSON(cluster.endpoint)
        #expect((status["nodes"] as? [[String: Any]] ?? []).allSatisfy { $0["state"] as? String == "up" })
        let again = try await swell(["run", plan, "--coordinator", cluster.endpoint], in: work.path)
        #expect(again.status == 0)
        #expect(again.stdout == items.map { "\($0)\n" }.joined())
    }
}

/// A peer that speaks raw ZeroMQ to the coordinator: one DEALER that never says HELLO, and one
/// that says HELLO as a client and then sends what only nodes send.
final class HostilePeer {
    private let context: UnsafeMutableRawPointer
    private let stranger: UnsafeMutableRawPointer
    private let client: UnsafeMutableRawPointer

    init(endpoint: String) throws {
        context = zmq_ctx_new()
        stranger = try RawZMQ.dealer(context, endpoint)
        client = try RawZMQ.dealer(context, endpoint)
        try RawZMQ.send(client, WireCodec.encode(.hello(Hello(id: 1, role: .client, name: "hostile", incarnation: "h"))))
    }

    /// `count` bad messages of every kind, round robin, each with the socket it goes out on
    /// and the drop reason (as `swell status --json` names it) the coordinator should count.
    func barrage(_ count: Int, seed: UInt64) -> [(frames: [Data], from: UnsafeMutableRawPointer, reason: String)] {
        var generator = SeededRandom(seed: seed)
        func random(_ length: Int) -> Data {
            var data = Data(count: (length + 7) / 8 * 8)
            data.withUnsafeMutableBytes { raw in
                for word in 0..<raw.count / 8 { raw.storeBytes(of: generator.next(), toByteOffset: word * 8, as: UInt64.self) }
            }
            return data.prefix(length)
        }
        var messages: [(frames: [Data], from: UnsafeMutableRawPointer, reason: String)] = []
        let report = Report(run: "r-nope", stage: "work", index: 0, scope: "s0", attempt: 1, node: "n1", exitCode: 0, signal: nil,
                            timedOut: false, error: nil, startedAt: 0, endedAt: 0, stdoutBytes: 3, stdoutTruncated: false,
                            command: "echo", stdout: Data("s0\n".utf8), stderrTail: Data())
        for i in 0..<count {
            let tag = Data("swell/1".utf8)
            let frames: [Data]
            let reason: String
            let from: UnsafeMutableRawPointer
            switch i % 10 {
            case 0:  // random frames
                frames = (0..<Int.random(in: 1...4, using: &generator)).map { _ in random(Int.random(in: 0...300, using: &generator)) }
                (reason, from) = ("malformed", stranger)
            case 1:  // an unknown protocol version
                frames = [Data("swell/9".utf8), Data("HELLO".utf8), Data("{}".utf8)]
                (reason, from) = ("unknownVersion", stranger)
            case 2:  // truncated: a tag and a type, no header
                frames = i % 20 == 2 ? [tag] : [tag, Data("REPORT".utf8)]
                (reason, from) = ("malformed", stranger)
            case 3:  // JSON cut short
                let full = WireCodec.encode(.report(ReportMessage(id: UInt64(i), report: report)))
                frames = [full[0], full[1], full[2].prefix(full[2].count / 2)] + full.dropFirst(3)
                (reason, from) = ("malformed", stranger)
            case 4:  // an unknown type
                frames = [tag, Data("EXPLODE".utf8), Data("{\"id\":1}".utf8)]
                (reason, from) = ("malformed", stranger)
            case 5:  // too many frames
                frames = [tag, Data("REPORT".utf8)] + (0..<30).map { _ in random(8) }
                (reason, from) = ("tooManyFrames", stranger)
            case 6:  // well-formed, but this peer never said HELLO
                frames = WireCodec.encode(.report(ReportMessage(id: UInt64(i), report: report)))
                (reason, from) = ("withoutHello", stranger)
            case 7:  // oversized: 1 MiB of noise where a header belongs
                frames = i % 500 == 7 ? [tag, Data("SUBMIT".utf8), random(1 << 20)] : [tag, Data("HEARTBEAT".utf8), random(2_000)]
                (reason, from) = ("malformed", stranger)
            case 8:  // what only nodes send, from a client
                frames = WireCodec.encode(.report(ReportMessage(id: UInt64(i), report: report)))
                (reason, from) = ("outOfOrder", client)
            default:  // a header whose fields have the wrong types
                frames = [tag, Data("HEARTBEAT".utf8), Data("{\"id\":\"x\",\"incarnation\":7,\"running\":[]}".utf8)]
                (reason, from) = ("malformed", stranger)
            }
            messages.append((frames, from, reason))
        }
        return messages
    }

    func send(_ messages: [(frames: [Data], from: UnsafeMutableRawPointer, reason: String)]) throws {
        for message in messages { try RawZMQ.send(message.from, message.frames) }
    }

    /// One frame larger than the coordinator accepts (64 MiB by default).
    func sendOversized() throws {
        try RawZMQ.send(stranger, [Data("swell/1".utf8), Data("SUBMIT".utf8), Data(count: (64 << 20) + 1)])
    }

    func close() {
        zmq_close(stranger)
        zmq_close(client)
        zmq_ctx_term(context)
    }

}

