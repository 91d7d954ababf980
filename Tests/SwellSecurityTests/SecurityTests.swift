import Foundation
import Testing
@testable import SwellCore
@testable import SwellSecurity
@testable import SwellZMQ

func temporaryFolder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID())").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct KeyFilesTests {
    @Test func keygenWritesAPrivateSecretAndAPublicKey() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try KeyFiles.generate(name: folder + "/n1", force: false)
        let attributes = try FileManager.default.attributesOfItem(atPath: written.keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let pair = try KeyFiles.readSecret(written.keyFile)
        #expect(pair.publicKey == written.publicKey)
        #expect(try KeyFiles.publicKey(written.publicFile) == written.publicKey)
        #expect(try KeyFiles.publicKey(written.publicKey) == written.publicKey)
    }

    @Test func anExistingKeyIsNotReplacedWithoutForce() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try KeyFiles.generate(name: folder + "/c", force: false)
        #expect(throws: KeyError.self) { try KeyFiles.generate(name: folder + "/c", force: false) }
        #expect(try KeyFiles.readSecret(first.keyFile).publicKey == first.publicKey)
        let second = try KeyFiles.generate(name: folder + "/c", force: true)
        #expect(second.publicKey != first.publicKey)
    }

    /// A pair that cannot be written whole leaves what was there as it was and nothing of its
    /// own (before, a folder at NAME.pub left a new NAME.key, and with --force replaced the old
    /// one by a key whose public half was never written).
    @Test func aPairThatCannotBeWrittenWholeChangesNothing() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let manager = FileManager.default
        try manager.createDirectory(atPath: folder + "/q.pub", withIntermediateDirectories: false)
        #expect(throws: KeyError("cannot write \(folder)/q.pub: it is a folder")) { try KeyFiles.generate(name: folder + "/q", force: false) }
        #expect(!manager.fileExists(atPath: folder + "/q.key"))
        let old = try KeyFiles.generate(name: folder + "/r", force: false)
        try manager.removeItem(atPath: old.publicFile)
        try manager.createDirectory(atPath: old.publicFile, withIntermediateDirectories: false)
        #expect(throws: KeyError.self) { try KeyFiles.generate(name: folder + "/r", force: true) }
        #expect(try KeyFiles.readSecret(old.keyFile).publicKey == old.publicKey)
        // Nothing of the attempts is left beside them.
        #expect(try manager.contentsOfDirectory(atPath: folder).sorted() == ["q.pub", "r.key", "r.pub"])
    }

    /// A symbolic link to nowhere at NAME.key, or a NAME.pub alone, is there: not replaced
    /// without --force, and not removed (before, the link went).
    @Test func whatStandsAtEitherNameIsKeptWithoutForce() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(symlink(folder + "/nowhere/zz", folder + "/s.key") == 0)
        #expect(throws: KeyError.self) { try KeyFiles.generate(name: folder + "/s", force: false) }
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/s.key")) == folder + "/nowhere/zz")
        _ = FileManager.default.createFile(atPath: folder + "/p.pub", contents: Data("mine\n".utf8))
        #expect(throws: KeyError("\(folder)/p.pub exists; pass --force to replace it (anything that uses the old key will no longer be admitted)")) {
            try KeyFiles.generate(name: folder + "/p", force: false)
        }
        #expect(FileManager.default.contents(atPath: folder + "/p.pub") == Data("mine\n".utf8))
        #expect(throws: KeyError.self) { try KeyFiles.generate(name: folder + "/", force: false) }
        #expect(throws: KeyError.self) { try KeyFiles.generate(name: "", force: false) }
    }

    @Test func aSecretKeyOthersCanReadIsRefused() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try KeyFiles.generate(name: folder + "/open", force: false)
        chmod(written.keyFile, 0o644)
        do {
            _ = try KeyFiles.readSecret(written.keyFile)
            Issue.record("a world-readable key was accepted")
        } catch let error as KeyError {
            #expect(error.message.contains("chmod 600"))
        }
    }

    /// A .pub file whose path is 40 characters long is read, not taken for the key itself
    /// ('/' and '.' are Z85 characters).
    @Test func aPublicKeyFileWithA40CharacterPathIsRead() throws {
        var template = Array("/tmp/swell-keys-XXXXXX".utf8CString)
        let folder = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let name = folder + "/" + String(repeating: "c", count: 40 - folder.count - 1 - 4)
        let written = try KeyFiles.generate(name: name, force: false)
        #expect(written.publicFile.count == 40 && ZMQCurve.isKey(written.publicFile))
        #expect(try KeyFiles.publicKey(written.publicFile) == written.publicKey)
    }

    /// A root-owned key may be readable by its group (a service user's key on a systemd host, a
    /// Kubernetes Secret volume with an fsGroup), but not writable by it; any other owner's key
    /// must be private to it.
    @Test func aRootOwnedKeyMayBeReadByItsGroup() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try KeyFiles.generate(name: folder + "/service", force: false)
        chmod(written.keyFile, 0o640)
        if getuid() == 0 {
            #expect(try KeyFiles.readSecret(written.keyFile).publicKey == written.publicKey)
            chmod(written.keyFile, 0o440)
            #expect(try KeyFiles.readSecret(written.keyFile).publicKey == written.publicKey)
            for mode: mode_t in [0o660, 0o644, 0o604] {
                chmod(written.keyFile, mode)
                #expect(throws: KeyError.self, "root-owned mode \(String(mode, radix: 8))") { try KeyFiles.readSecret(written.keyFile) }
            }
            chmod(written.keyFile, 0o640)
            chown(written.keyFile, 65534, 0)
        }
        do {
            _ = try KeyFiles.readSecret(written.keyFile)
            Issue.record("a group-readable key of a user other than root was accepted")
        } catch let error as KeyError {
            #expect(error.message.contains("mode 640"))
        }
    }

    /// A public key file given where the secret key goes is named as such, whatever its mode
    /// (any 40 Z85 characters would otherwise pass for a secret key).
    @Test func aPublicKeyFileIsNotTakenForTheSecretKey() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try KeyFiles.generate(name: folder + "/alice", force: false)
        for mode: mode_t in [0o644, 0o600] {
            chmod(written.publicFile, mode)
            do {
                _ = try KeyFiles.readSecret(written.publicFile)
                Issue.record("a public key file was taken for a secret key (mode \(String(mode, radix: 8)))")
            } catch let error as KeyError {
                #expect(error.message == "\(written.publicFile) is a public key file; --key takes the secret key file (\(written.keyFile))")
            }
        }
    }

    @Test func garbageIsNotAKey() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/bad.pub"
        try "# comment\nnot a key\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: KeyError.self) { try KeyFiles.publicKey(path) }
        #expect(throws: KeyError.self) { try KeyFiles.publicKey("short") }
        #expect(throws: KeyError.self) { try KeyFiles.readSecret(folder + "/missing.key") }
    }
}

@Suite struct AuthorizedKeysTests {
    let a = try! ZMQCurve.generateKeyPair().publicKey
    let b = try! ZMQCurve.generateKeyPair().publicKey

    @Test func entriesAreReadWithTheirLines() throws {
        let keys = try AuthorizedKeys.parse("# who may connect\n\nnode n1 \(a)\n  client\talice   \(b)  \n", file: "auth")
        #expect(keys.entries.map(\.userID) == ["node:n1 \(a)", "client:alice \(b)"])
        #expect(PeerIdentity(userID: "node:n1 \(a)") == PeerIdentity(role: .node, name: "n1", key: a))
        #expect(PeerIdentity(userID: "client:ops") == PeerIdentity(role: .client, name: "ops"))
        #expect(keys.entries.map(\.line) == [3, 4])
        #expect(keys.entry(forKey: a)?.name == "n1")
        #expect(keys.entry(forKey: "x") == nil)
    }

    @Test func everyProblemPointsAtItsLine() {
        let text = """
            node n1 \(a)
            nod n2 \(b)
            node n 2 \(b)
            node n3 notakey
            client bob \(a)
            node n1 \(b)
            node bad/name \(b)
            """
        do {
            _ = try AuthorizedKeys.parse(text, file: "authorized")
            Issue.record("accepted")
        } catch let error as KeyError {
            #expect(error.message.split(separator: "\n") == [
                "authorized:2: unknown role 'nod'; use node or client",
                "authorized:3: expected `ROLE NAME PUBLIC-KEY`, found 4 field(s)",
                "authorized:4: not a public key: expected 40 Z85 characters (as in a .pub file from swell keygen)",
                "authorized:5: this key is already listed on line 1",
                "authorized:6: node 'n1' is already listed on line 1",
                "authorized:7: invalid name 'bad/name'; use letters, digits, `_`, `-` and `.`",
            ])
        } catch {
            Issue.record("\(error)")
        }
    }
}

@Suite struct ListenPolicyTests {
    @Test func onlyLoopbackAddressesAreLoopback() {
        for endpoint in ["tcp://127.0.0.1:7710", "tcp://127.1.2.3:0", "tcp://localhost:7710", "tcp://[::1]:7710", "tcp://lo:7710",
                         "inproc://x", "tcp://lo;127.0.0.1:7710"] {
            #expect(ListenPolicy.isLoopback(endpoint), "\(endpoint)")
        }
        for endpoint in ["tcp://0.0.0.0:7710", "tcp://*:7710", "tcp://10.0.0.5:7710", "tcp://eth0:7710", "tcp://[::]:7710",
                         "tcp://example.com:7710", "tcp://128.0.0.1:7710", "tcp://127.0.0.256:1"] {
            #expect(!ListenPolicy.isLoopback(endpoint), "\(endpoint)")
        }
    }
}

@Suite struct AllowListTests {
    let grep = AllowList(["grep", "wc", "/usr/bin/sor?"])

    @Test func argvCommandsAreCheckedByProgram() throws {
        #expect(try grep.check(.argv(["grep", "-rn", "x"])).get() == .argv(["grep", "-rn", "x"]))
        #expect(try grep.check(.argv(["/usr/bin/sort", "-u"])).get() == .argv(["/usr/bin/sort", "-u"]))
        guard case .failure(let refusal) = grep.check(.argv(["rm", "-rf", "/"])) else {
            Issue.record("rm was allowed")
            return
        }
        #expect(refusal.reason == "'rm' is not allowed on this node (it allows: grep, wc, /usr/bin/sor?)")
        // A name pattern does not admit a program given by a path; a path pattern admits the
        // program a name stands for through the node's PATH.
        #expect((try? grep.check(.argv(["./grep"])).get()) == nil)
        #expect(try grep.check(.argv(["sort"])).get() == .argv(["sort"]))
        #expect((try? grep.check(.argv(["cat"])).get()) == nil)
    }

    @Test func simpleStringCommandsRunWithoutAShell() throws {
        #expect(try grep.check(.shell("grep -rn 'oldAPI(' 'src/a b'")).get() == .argv(["grep", "-rn", "oldAPI(", "src/a b"]))
        #expect(try grep.check(.shell(#"grep "a \"b\" c" x\ y"#)).get() == .argv(["grep", #"a "b" c"#, "x y"]))
        #expect((try? grep.check(.shell("rm -rf x")).get()) == nil)
    }

    @Test func shellSyntaxNeedsShAllowed() throws {
        for line in ["grep x > out", "grep $HOME", "grep `id`", "grep *.c", "FOO=1 grep x", "grep x | (wc -l)",
                     "grep \"$(id)\"", "grep x &", "~/bin/grep x", "grep x # y", "grep x | wc -l 2>/dev/null"] {
            guard case .failure(let refusal) = grep.check(.shell(line)) else {
                Issue.record("\(line) was allowed without sh")
                continue
            }
            #expect(refusal.reason.contains("--allow sh"), "\(line)")
        }
        #expect(try AllowList(["sh"]).check(.shell("grep x | wc -l")).get() == .shell("grep x | wc -l"))
        #expect(try AllowList(["sh"]).check(.shell("grep x")).get() == .shell("grep x"))
    }

    /// Simple commands joined by `|`, `||`, `&&`, `;` and newlines run under the shell when
    /// each is allowed; one that is not is named.
    @Test func commandListsRunWhenEveryCommandIsAllowed() throws {
        let node = AllowList(["find", "grep", "sort", "wc", "true"])
        for line in ["find Sources -type d | sort", "grep -rn 'oldAPI(' 'Sources/a b' || true", "grep x && wc -l y; sort z",
                     "grep a\nwc -l\n", "grep 'a | b; c' | wc -l"] {
            #expect(try node.check(.shell(line)).get() == .shell(line), "\(line)")
        }
        guard case .failure(let refusal) = node.check(.shell("grep x; rm -rf y")) else {
            Issue.record("rm ran in a list")
            return
        }
        #expect(refusal.reason == "'rm' is not allowed on this node (it allows: find, grep, sort, wc, true)")
        // A plan's own shell must be allowed too, unless it is a POSIX shell that only makes
        // failures count.
        #expect(try node.check(.shell("grep x | sort"), shell: ["bash", "-o", "pipefail", "-c"]).get() == .shell("grep x | sort"))
        #expect(try node.check(.shell("grep x | sort"), shell: ["/bin/sh", "-eu", "-c"]).get() == .shell("grep x | sort"))
        for shell in [["python3", "-c"], ["bash", "--rcfile", "x", "-c"], ["bash", "-c", "x"], ["zsh", "-c"], ["bash", "-i", "-c"],
                      ["bash", "-x", "-c"], ["bash", "-o", "xtrace", "-c"]] {
            #expect((try? node.check(.shell("grep x | sort"), shell: shell).get()) == nil, "\(shell)")
        }
        #expect(try AllowList(["grep", "sort", "bash"]).check(.shell("grep x | sort"), shell: ["bash", "-c"]).get()
                == .shell("grep x | sort"))
        #expect(ShellWords.commandList("a || b && c | d ; e\nf") == [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]])
        for broken in ["| a", "a |", "a | | b", "a ;; b", "a &&& b", "a & b", "a ||| b", "; | a"] {
            #expect(ShellWords.commandList(broken) == nil, "\(broken)")
        }
    }

    /// A path with `..` is refused whatever the patterns; a path pattern admits a name through
    /// the node's own PATH, and a plan's PATH or LD_PRELOAD is named as what changes what runs.
    @Test func pathsAreMatchedAsTheyRunAndPlanVariablesCannotChangeThem() throws {
        let usr = AllowList(["/usr/bin/*"], searchPath: ["/usr/bin"])
        guard case .failure(let refusal) = usr.check(.argv(["/usr/bin/../../tmp/x"])) else {
            Issue.record("a path with .. was allowed")
            return
        }
        #expect(refusal.reason.contains("names its folder with '..'"))
        #expect((try? usr.check(.shell("/usr/bin/../../tmp/x | sort")).get()) == nil)
        #expect(try usr.check(.argv(["grep", "x"])).get() == .argv(["grep", "x"]))
        #expect((try? AllowList(["/usr/bin/*"], searchPath: ["/nonexistent"]).check(.argv(["grep"])).get()) == nil)
        #expect(AllowList.runChangingVariable(in: ["LANG": "C", "PATH": "/tmp"]) == "PATH")
        #expect(AllowList.runChangingVariable(in: ["LD_PRELOAD": "/tmp/x.so"]) == "LD_PRELOAD")
        #expect(AllowList.runChangingVariable(in: ["BASH_FUNC_grep%%": "() { id; }"]) == "BASH_FUNC_grep%%")
        #expect(AllowList.runChangingVariable(in: ["LANG": "C", "TARGET": "x"]) == nil)
        #expect(AllowList.runChangingVariable(in: ["PS4": "$(id)+ "]) == "PS4")
    }

    @Test func shellWordsSplitLikeTheShell() {
        #expect(ShellWords.simple("a  'b c'  \"d\"e\\ f") == ["a", "b c", "de f"])
        #expect(ShellWords.simple("''") == [""])
        #expect(ShellWords.simple("   ") == nil)
        #expect(ShellWords.simple("a 'unclosed") == nil)
        #expect(ShellWords.simple("x=y") == nil)
        #expect(ShellWords.simple("grep a=b") == ["grep", "a=b"])
        #expect(ShellWords.simple("echo a#b") == ["echo", "a#b"])
    }
}

@Suite struct WorkdirConfinementTests {
    @Test func scopesMustStayInside() {
        #expect(WorkdirConfinement.problem(scope: "src/core") == nil)
        #expect(WorkdirConfinement.problem(scope: "a/../b") == nil)
        #expect(WorkdirConfinement.problem(scope: "concern: errors") == nil)
        #expect(WorkdirConfinement.problem(scope: "") == nil)
        #expect(WorkdirConfinement.problem(scope: "/etc/passwd") != nil)
        #expect(WorkdirConfinement.problem(scope: "../x") != nil)
        #expect(WorkdirConfinement.problem(scope: "a/../../x") != nil)
        #expect(WorkdirConfinement.problem(scope: "ok.c\n../../etc/shadow") != nil)
    }

    /// Scopes are read from the run's folder below the workdir: `../src` from `examples` is
    /// inside, `../../x` is not; a folder that climbs or is absolute is refused itself.
    @Test func scopesAreReadFromTheRunsFolder() {
        #expect(WorkdirConfinement.problem(scope: "../src", folder: "examples") == nil)
        #expect(WorkdirConfinement.problem(scope: "../../src", folder: "a/b") == nil)
        #expect(WorkdirConfinement.problem(scope: "../../x", folder: "examples") == "scope '../../x' climbs out of this node's --workdir")
        #expect(WorkdirConfinement.problem(scope: "x", folder: "../up") != nil)
        #expect(WorkdirConfinement.problem(scope: "x", folder: "/etc") != nil)
        #expect(WorkdirConfinement.problem(scope: "x", folder: "a//b") != nil)
    }

    @Test func aRunsFolderIsRelativeAndGoesDown() {
        #expect(RunFolder.problem("") == nil)
        #expect(RunFolder.problem("examples/ci") == nil)
        #expect(RunFolder.problem("a/./b") != nil)
        #expect(RunFolder.problem("a/") != nil)
        #expect(RunFolder.problem("a\0b") != nil)
        #expect(RunFolder.relative("/w/c/examples", to: "/w/c") == "examples")
        #expect(RunFolder.relative("/w/c", to: "/w/c") == "")
        #expect(RunFolder.relative("/w/cx", to: "/w/c") == nil)
        #expect(RunFolder.relative("/w/c/x", to: "/") == "w/c/x")
        #expect(RunFolder.directory("examples", in: "/w/c/") == "/w/c/examples")
        #expect(RunFolder.directory("", in: "/w/c") == "/w/c")
    }
}

@Suite struct HandshakeTroubleTests {
    @Test func eachFailedHandshakeSaysWhatToFix() {
        let e = "tcp://127.0.0.1:1"
        #expect(HandshakeTrouble(.succeeded(endpoint: e), secured: true) == nil)
        #expect(HandshakeTrouble(.refused(endpoint: e, status: 400), secured: true) == .keyNotAuthorized)
        #expect(HandshakeTrouble(.mechanismMismatch(endpoint: e), secured: false) == .keyRequired)
        // No reason given: a hang-up or a coordinator that did not answer (paused), not surely a key.
        #expect(HandshakeTrouble(.failed(endpoint: e), secured: false) == .unanswered)
        let unanswered = HandshakeTrouble.unanswered.explanation(coordinator: "tcp://c:1", as: .node)
        #expect(unanswered.hasPrefix("the coordinator at tcp://c:1 admits nodes by key only: start this node with --key and --coordinator-key"))
        #expect(unanswered.hasSuffix("(or, if it uses no keys, it hung up or did not finish the handshake in time: it is at its connection limit, paused or too busy to answer; this node keeps trying)"))
        #expect(HandshakeTrouble(.mechanismMismatch(endpoint: e), secured: true) == .keysNotUsed)
        #expect(HandshakeTrouble(.failed(endpoint: e), secured: true) == .failed)
    }
}
