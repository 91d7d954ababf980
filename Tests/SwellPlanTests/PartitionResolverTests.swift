import Foundation
import Testing
@testable import SwellCore
@testable import SwellPlan

/// A fresh folder with these files (and their parent directories).
/// Runs `body` with the path `bytes` as a C string: for names that are not UTF-8.
func withPath<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
    (bytes + [0]).withUnsafeBufferPointer { body(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) }
}

/// Makes an empty file at the path `bytes`; whether it could.
func makeFile(_ bytes: [UInt8]) -> Bool {
    let fd = withPath(bytes) { open($0, O_CREAT | O_WRONLY, 0o644) }
    guard fd >= 0 else { return false }
    close(fd)
    return true
}

/// The error the partitions of `plan` under `root` are refused with; an issue, and nil, when
/// they are not.
func refusal(of plan: Plan, under root: String) -> PlanError? {
    do {
        _ = try PartitionResolver.staticScopes(of: plan, baseDirectory: root)
        Issue.record("the partitions were not refused")
        return nil
    } catch {
        return error
    }
}

func makeTree(_ files: [String]) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("swell-tree-\(UUID().uuidString)").path
    for file in files {
        let path = root + "/" + file
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if !file.hasSuffix("/") { _ = FileManager.default.createFile(atPath: path, contents: Data("x\n".utf8)) }
    }
    return root
}

@Suite struct PlanRootTests {
    /// The root is the nearest folder up with a `.git` (a folder, or a file in a worktree), else
    /// the plan's own folder.
    @Test func theRootIsTheTopOfTheCheckout() throws {
        let root = try makeTree([".git/HEAD", "examples/ci/plan.yaml", "sub/.git", "sub/plans/plan.yaml"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(PlanRoot.find(from: root + "/examples/ci") == root)
        #expect(PlanRoot.find(from: root) == root)
        #expect(PlanRoot.find(from: root + "/sub/plans") == root + "/sub")
        let loose = try makeTree(["plans/plan.yaml"])
        defer { try? FileManager.default.removeItem(atPath: loose) }
        #expect(PlanRoot.find(from: loose + "/plans") == loose + "/plans")
    }
}

@Suite struct PromptFilesTests {
    /// Prompts travel with the plan: each at most 1 MiB, all together at most 16 MiB.
    @Test func promptsTogetherHaveALimit() throws {
        let root = try makeTree(["p.md"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        try String(repeating: "x", count: 1 << 20).write(toFile: root + "/p.md", atomically: true, encoding: .utf8)
        let stages = (0..<17).map { "  - id: s\($0)\n    run: cat\n    prompt: p.md\n" }.joined()
        let plan = try PlanParser.parse("name: many\nstages:\n" + stages, file: root + "/plan.yaml")
        #expect(throws: PlanError.self) { try PromptFiles.load(plan, baseDirectory: root) }
        do { _ = try PromptFiles.load(plan, baseDirectory: root) } catch {
            #expect(error.description.contains("the plan's prompts hold 17 MiB in all; at most 16 MiB travel with a plan"), "\(error)")
        }
        let fewer = try PlanParser.parse("name: few\nstages:\n" + stages.split(separator: "\n").prefix(3 * 16).joined(separator: "\n") + "\n",
                                         file: root + "/plan.yaml")
        #expect(try PromptFiles.load(fewer, baseDirectory: root).count == 16)
    }
}

@Suite struct PartitionResolverTests {
    @Test func directoriesAtADepthInByteOrderRelativeToThePlan() throws {
        let root = try makeTree(["src/b/x.c", "src/a/y.c", "src/B/z.c", "src/a/deep/w.c", "src/.hidden/v.c", "src/file.c"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plan = try PlanParser.parse("""
            name: d
            stages:
              - id: one
                partition: { directories: { root: src } }
                run: ls {scope}
              - id: two
                partition: { directories: { root: src/, depth: 2 } }
                run: ls {scope}
            """, file: root + "/plan.yaml")
        let scopes = try PartitionResolver.staticScopes(of: plan, baseDirectory: root)
        #expect(scopes["one"] == ["src/B", "src/a", "src/b"])
        #expect(scopes["two"] == ["src/a/deep"])
    }

    @Test func filesPerTaskAndByExtension() throws {
        let root = try makeTree(["lib/a.swift", "lib/b.swift", "lib/sub/c.swift", "lib/d.md", "lib/e", "lib/.build/f.swift"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plan = try PlanParser.parse("""
            name: f
            stages:
              - id: singles
                partition: { files: { root: lib, glob: "*.swift" } }
                run: wc -l {scope}
              - id: pairs
                partition: { files: { root: lib, glob: "**/*.swift", per-task: 2 } }
                run: wc -l {scope}
              - id: types
                partition: { files: { root: ., group-by: extension } }
                run: wc -l {scope}
              - id: top
                partition: { files: { root: lib, glob: "*/c.swift" } }
                run: wc -l {scope}
            """, file: root + "/plan.yaml")
        let scopes = try PartitionResolver.staticScopes(of: plan, baseDirectory: root)
        #expect(scopes["singles"] == ["lib/a.swift", "lib/b.swift", "lib/sub/c.swift"])
        #expect(scopes["pairs"] == ["lib/a.swift\nlib/b.swift", "lib/sub/c.swift"])
        #expect(scopes["types"] == ["lib/e", "lib/d.md", "lib/a.swift\nlib/b.swift\nlib/sub/c.swift"])
        #expect(scopes["top"] == ["lib/sub/c.swift"])
    }

    /// Extensions are grouped by their bytes: `.café` composed and decomposed (equal as Swift
    /// strings) are two file types, as their files are two files.
    @Test func groupingByExtensionTellsComposedFromDecomposed() throws {
        let root = try makeTree(["d/a.caf\u{E9}", "d/b.cafe\u{301}", "d/c.caf\u{E9}"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plan = try PlanParser.parse("name: f\nstages:\n  - id: t\n    partition: { files: { root: d, group-by: extension } }\n    run: wc -l {scope}\n",
                                        file: root + "/plan.yaml")
        let scopes = try #require(try PartitionResolver.staticScopes(of: plan, baseDirectory: root)["t"])
        // In byte order of the extensions: `cafe` + U+0301 before `caf` + U+00E9.
        #expect(scopes.map { Array($0.utf8) } == [Array("d/b.cafe\u{301}".utf8), Array("d/a.caf\u{E9}\nd/c.caf\u{E9}".utf8)])
    }

    @Test func aMissingRootPointsAtThePartition() throws {
        let root = try makeTree(["x/"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plan = try PlanParser.parse("name: m\nstages:\n  - id: s\n    partition: {directories: {root: nope}}\n    run: ls\n",
                                        file: "plan.yaml")
        if let error = refusal(of: plan, under: root) {
            #expect(error.description == "plan.yaml:4:5: partition root 'nope' does not exist (looked in \(root))")
        }
    }

    @Test func linesOfScopesAreTrimmedNonEmptyLines() throws {
        let scopes = try LinesOf.scopes(from: Data("  src/a \n\n\tsrc/b\n   \nsrc/c".utf8), stage: "s", source: "i").get()
        #expect(scopes == ["src/a", "src/b", "src/c"])
    }

    @Test func linesOfSplitsWindowsLinesAndTrimsUnicodeSpace() throws {
        let text = "a\r\nb\r\n\u{00A0}caf\u{00E9}\u{3000}\n\u{2003}\n"
        let scopes = try LinesOf.scopes(from: Data(text.utf8), stage: "s", source: "i").get()
        #expect(scopes == ["a", "b", "caf\u{00E9}"])
        // Bytes that are not UTF-8 are never changed into others: such an output is refused.
        guard case .failure(let error) = LinesOf.scopes(from: Data([0x61, 0x0A, 0x62, 0xFF, 0x0A, 0x63]), stage: "s", source: "i") else {
            Issue.record("a line that is not UTF-8 was accepted")
            return
        }
        #expect(error.message.contains("line 2 is not UTF-8 text"))
    }

    /// A symbolic link to a file is a file; one to a directory is neither walked into nor a
    /// file; a name that is not UTF-8 (or holds a newline) is an error naming it.
    @Test func linksToDirectoriesAreNotFilesAndNamesMustBeText() throws {
        let root = try makeTree(["lib/a.c", "other/b.c"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createSymbolicLink(atPath: root + "/lib/dir-link", withDestinationPath: root + "/other")
        try FileManager.default.createSymbolicLink(atPath: root + "/lib/file-link.c", withDestinationPath: root + "/other/b.c")
        try FileManager.default.createSymbolicLink(atPath: root + "/lib/dangling.c", withDestinationPath: root + "/nowhere")
        let plan = try PlanParser.parse("""
            name: f
            stages:
              - id: files
                partition: { files: { root: lib, glob: "*" } }
                run: wc -l {scope}
              - id: dirs
                partition: { directories: { root: lib } }
                run: ls {scope}
            """, file: root + "/plan.yaml")
        let scopes = try PartitionResolver.staticScopes(of: plan, baseDirectory: root)
        #expect(scopes["files"] == ["lib/a.c", "lib/file-link.c"])
        #expect(scopes["dirs"] == [])
        // A file name with a byte that is not UTF-8.
        let bad = root + "/lib/caf\u{00E9}"
        var bytes = Array(bad.utf8.dropLast(2))
        bytes.append(0xE9)
        #expect(makeFile(bytes))
        if let error = refusal(of: plan, under: root) {
            #expect(error.description.contains("'lib/caf\\xE9' is not UTF-8, and a scope must be one line"), "\(error.description)")
        }
        // A name of valid UTF-8 with a newline and another control: shown as they are, those escaped.
        #expect(withPath(bytes) { unlink($0) } == 0)
        #expect(FileManager.default.createFile(atPath: root + "/lib/caf\u{00E9}\nx\u{07}.c", contents: nil))
        if let error = refusal(of: plan, under: root) {
            #expect(error.description.contains("'lib/caf\u{00E9}\\nx^G.c' holds a newline, and a scope must be one line"), "\(error.description)")
        }
    }

    /// A name that cannot be a scope is an error only where it would be one, or would be walked
    /// into; shown with its folders made visible, its valid letters kept.
    @Test func namesThatCannotBeScopesMatterOnlyWhereTheyWouldBeOnes() throws {
        let root = try makeTree(["src/a.c", "src/b/x.c"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Not UTF-8 (0xFF), in a file the glob leaves out and in a file of a `directories` partition.
        #expect(makeFile(Array((root + "/src/notes-\u{65E5}\u{672C}").utf8) + [0xFF] + Array(".txt".utf8)))
        #expect(FileManager.default.createFile(atPath: root + "/src/new\nline.c", contents: nil))
        let plan = try PlanParser.parse("""
            name: f
            stages:
              - id: dirs
                partition: { directories: { root: src } }
                run: ls {scope}
              - id: txt
                partition: { files: { root: src, glob: "*.txt" } }
                run: wc -l {scope}
            """, file: root + "/plan.yaml")
        if let error = refusal(of: plan, under: root) {
            // Only the .txt stage, where the name would be a scope; its letters shown, its odd byte in hex.
            #expect(error.diagnostics.count == 1, "\(error.description)")
            #expect(error.description.contains("'src/notes-\u{65E5}\u{672C}\\xFF.txt' is not UTF-8, and a scope must be one line"), "\(error.description)")
        }
        let dirsOnly = try PlanParser.parse("name: f\nstages:\n  - id: dirs\n    partition: { directories: { root: src } }\n    run: ls {scope}\n",
                                            file: root + "/plan.yaml")
        #expect(try PartitionResolver.staticScopes(of: dirsOnly, baseDirectory: root)["dirs"] == ["src/b"])
        // A folder with an escape sequence in its name, holding a name with a newline: nothing raw reaches the terminal.
        try FileManager.default.removeItem(atPath: root + "/src/new\nline.c")
        #expect((try? FileManager.default.createDirectory(atPath: root + "/src/red\u{1B}[31m\u{9B}", withIntermediateDirectories: false)) != nil)
        #expect(FileManager.default.createFile(atPath: root + "/src/red\u{1B}[31m\u{9B}/two\nlines.c", contents: nil))
        let cFiles = try PlanParser.parse("name: f\nstages:\n  - id: c\n    partition: { files: { root: src, glob: \"**/*.c\" } }\n    run: wc -l {scope}\n",
                                          file: root + "/plan.yaml")
        if let error = refusal(of: cFiles, under: root) {
            #expect(error.description.contains("'src/red^[[31m<U+9B>/two\\nlines.c' holds a newline"), "\(error.description)")
            #expect(!error.description.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" }, "\(error.description)")
        }
    }

    /// Every unfit name is found before the plan is refused: the first ten are named, the rest
    /// counted, so that one pass of renames is enough.
    @Test func everyNameThatCannotBeAScopeIsCountedAndTheFirstTenNamed() throws {
        let root = try makeTree(["src/ok.c"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        for i in 0..<13 { #expect(makeFile(Array((root + "/src/bad\(i < 10 ? "0" : "")\(i)").utf8) + [0xFF] + Array(".c".utf8))) }
        let plan = try PlanParser.parse("name: f\nstages:\n  - id: c\n    partition: { files: { root: src, glob: \"*.c\" } }\n    run: wc -l {scope}\n",
                                        file: root + "/plan.yaml")
        if let error = refusal(of: plan, under: root) {
            #expect(error.diagnostics.count == 11, "\(error.description)")
            #expect(error.diagnostics.first?.message.hasPrefix("'src/bad00\\xFF.c' is not UTF-8") == true, "\(error.description)")
            #expect(error.diagnostics.dropLast().last?.message.hasPrefix("'src/bad09\\xFF.c' is not UTF-8") == true, "\(error.description)")
            #expect(error.diagnostics.last?.message == "and 3 more names that cannot be scopes under 'src'", "\(error.description)")
        }
    }

    /// What cannot be read is not left out in silence: a tree deeper than PATH_MAX (which no
    /// path names) refuses the plan where the walk cannot go on. (It gave no task, and exit 0.)
    @Test func whatCannotBeReadRefusesThePlanAndSaysWhere() throws {
        let root = try makeTree(["deep/readme.md"])
        defer { _ = try? FileManager.default.removeItem(atPath: root) }
        // 20 folders of 240 bytes, made one inside the other by descriptor.
        let name = String(repeating: "d", count: 240)
        var fd = open(root + "/deep", O_RDONLY | O_DIRECTORY)
        #expect(fd >= 0)
        for _ in 0..<20 {
            #expect(mkdirat(fd, name, 0o755) == 0)
            let inner = openat(fd, name, O_RDONLY | O_DIRECTORY)
            close(fd)
            fd = inner
        }
        let leaf = openat(fd, "leaf.txt", O_CREAT | O_WRONLY, 0o644)
        #expect(leaf >= 0)
        close(leaf)
        close(fd)
        let plan = try PlanParser.parse("name: f\nstages:\n  - id: t\n    partition: { files: { root: deep, glob: \"*.txt\" } }\n    run: wc -l {scope}\n",
                                        file: root + "/plan.yaml")
        if let error = refusal(of: plan, under: root) {
            #expect(error.diagnostics.count == 1, "\(error.description)")
            #expect(error.description.contains("cannot look at '"), "\(error.description)")
            #expect(error.description.contains("': File name too long, so it would be left out: move it nearer the partition's root"), "\(error.description)")
        }
        // FileManager cannot remove what no path names: take it apart from the bottom.
        var folders: [Int32] = [open(root + "/deep", O_RDONLY | O_DIRECTORY)]
        for _ in 0..<20 { folders.append(openat(folders.last!, name, O_RDONLY | O_DIRECTORY)) }
        _ = unlinkat(folders.last!, "leaf.txt", 0)
        for level in (0..<20).reversed() {
            close(folders[level + 1])
            _ = unlinkat(folders[level], name, AT_REMOVEDIR)
        }
        close(folders[0])
    }

    @Test func linesOfRefusesANulByte() {
        guard case .failure(let nul) = LinesOf.scopes(from: Data("a\nb\0x\nb\0y\n".utf8), stage: "s", source: "i") else {
            Issue.record("a line with a NUL byte was accepted")
            return
        }
        #expect(nul.message.contains("line 2 holds a NUL byte"))
    }

    @Test func linesOfRefusesASourceCutAtTheOutputCap() {
        let cut = "a\nb\nhalf a li\n[swell: output cut at 20 bytes; the task wrote 900 bytes]\n"
        guard case .failure(let error) = LinesOf.scopes(from: Data(cut.utf8), cut: true, stage: "s", source: "i") else {
            Issue.record("a cut source was taken as scopes")
            return
        }
        #expect(error.message.contains("it was cut at the output cap; raise the coordinator's --output-cap"))
    }

    @Test func linesOfManyLines() throws {
        var text = (1...250_000).map { "dir\($0 % 1000)/file\($0)" }.joined(separator: "\n")
        let scopes = try LinesOf.scopes(from: Data(text.utf8), stage: "s", source: "i").get()
        #expect(scopes.count == 250_000)
        #expect(scopes.first == "dir1/file1")
        #expect(scopes.last == "dir0/file250000")
        // One line that holds another, at the very end, is still found.
        text += "\ndir7"
        guard case .failure(let nested) = LinesOf.scopes(from: Data(text.utf8), stage: "s", source: "i") else {
            Issue.record("a line inside another was accepted")
            return
        }
        #expect(nested.message.contains("'dir7/file7' (line 7) and 'dir7' (line 250001) overlap"))
    }

    @Test func linesOfRefusesRepeatsAndOverlaps() {
        guard case .failure(let repeated) = LinesOf.scopes(from: Data("a\nb\na\n".utf8), stage: "s", source: "i") else {
            Issue.record("repeated lines were accepted")
            return
        }
        #expect(repeated.message.contains("line 3 repeats 'a'"))
        guard case .failure(let nested) = LinesOf.scopes(from: Data("src\nsrc/core\n".utf8), stage: "s", source: "i") else {
            Issue.record("nested lines were accepted")
            return
        }
        #expect(nested.message.contains("'src' (line 1) and 'src/core' (line 2) overlap"))
    }
}

@Suite struct GlobTests {
    @Test func starsQuestionMarksClassesAndDoubleStars() throws {
        #expect(try Glob("*.swift").matches("a/b/c.swift"))
        #expect(try !Glob("*.swift").matches("a/b/c.swiftx"))
        #expect(try Glob("?.c").matches("x/a.c"))
        #expect(try Glob("[ab].c").matches("b.c"))
        #expect(try !Glob("[!ab].c").matches("a.c"))
        #expect(try Glob("src/*.c").matches("src/a.c"))
        #expect(try !Glob("src/*.c").matches("src/x/a.c"))
        #expect(try Glob("**/*.c").matches("a.c"))
        #expect(try Glob("**/*.c").matches("x/y/a.c"))
        #expect(try Glob("a+b(c).txt").matches("a+b(c).txt"))
        #expect(Glob.problem(in: "[abc") != nil)
    }
}
