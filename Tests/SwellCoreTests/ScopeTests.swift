import Testing
@testable import SwellCore

@Suite struct ScopeTests {
    @Test func distinctSiblingsDoNotOverlap() {
        #expect(Scope.firstOverlap(in: ["src/a", "src/a-b", "src/ab", "src/b"]) == nil)
    }

    @Test func aDirectoryAndItsSubdirectoryOverlap() {
        let overlap = Scope.firstOverlap(in: ["src/a", "src/a-b", "src/b", "src/a/x"])
        #expect(overlap?.first == 0)
        #expect(overlap?.second == 3)
        #expect(overlap?.firstPath == "src/a")
        #expect(overlap?.secondPath == "src/a/x")
    }

    @Test func namesThatDifferInTheirBytesAreDifferentScopes() {
        // `café` composed (é) and decomposed (e + U+0301): equal as Swift strings, two files on disk.
        let composed = "src/caf\u{E9}", decomposed = "src/cafe\u{301}"
        #expect(composed == decomposed)
        #expect(Scope.firstOverlap(in: [composed, decomposed]) == nil)
        #expect(Scope.firstOverlap(in: [composed + "/x", decomposed]) == nil)
        #expect(Scope.firstOverlap(in: [composed, "src/x", composed])?.second == 2)
        #expect(Scope.firstOverlap(in: [decomposed, decomposed + "/a"])?.second == 1)
    }

    @Test func duplicatesOverlapAndTrailingSlashesDoNotHide() {
        #expect(Scope.firstOverlap(in: ["x", "y", "x/"])?.second == 2)
        #expect(Scope.firstOverlap(in: ["./x", "x"])?.second == 1)
    }

    /// `.` (and what resolves to it) holds every relative path inside the plan's folder, `/`
    /// every absolute path: both overlap them, though neither is a prefix a path names.
    @Test func theFolderItselfAndTheRootContainEveryPathBelowThem() {
        let dot = Scope.firstOverlap(in: [".", "b"])
        #expect(dot?.first == 0 && dot?.second == 1)
        #expect(Scope.overlapDescription(".", "b") == "'.' contains 'b'")
        #expect(Scope.firstOverlap(in: ["b", "a/.."])?.secondPath == "a/..")
        #expect(Scope.firstOverlap(in: ["x", "y/z", "./"])?.first == 0)
        let root = Scope.firstOverlap(in: ["/", "/etc"])
        #expect(root?.second == 1)
        #expect(Scope.overlapDescription("/", "/etc") == "'/' contains '/etc'")
        #expect(Scope.firstOverlap(in: ["//", "/x"]) != nil)
        // `.` does not hold what is outside it, nor absolute paths; `/` holds no relative path.
        #expect(Scope.firstOverlap(in: [".", "../x", "/etc"]) == nil)
        #expect(Scope.firstOverlap(in: ["/", "x", ".."]) == nil)
    }

    /// `..` is resolved before scopes are compared: `b` and `a/../b` are one folder, while
    /// `sub/../../x` is outside `sub`. Messages name the paths as they were written.
    @Test func dotDotIsResolvedBeforeScopesAreCompared() {
        let same = Scope.firstOverlap(in: ["b", "a/../b"])
        #expect(same?.second == 1)
        #expect(same?.firstPath == "b")
        #expect(same?.secondPath == "a/../b")
        #expect(Scope.firstOverlap(in: ["sub/../../x", "sub"]) == nil)
        #expect(Scope.firstOverlap(in: ["src", "x/../src/core"])?.secondPath == "x/../src/core")
        #expect(Scope.firstOverlap(in: ["./x", "y/"]) == nil)
        #expect(Scope.normalize("a/./b//c/") == "a/b/c")
        #expect(Scope.normalize("./a/../../x") == "../x")
        #expect(Scope.normalize("/a/../..") == "/")
        #expect(Scope.normalize("a/..") == ".")
        #expect(Scope.normalize("...") == "...")
        #expect(Scope.normalize("a.b/.c") == "a.b/.c")
        #expect(Scope.isPlain("/usr/bin"))
        #expect(!Scope.isPlain("a/"))
        #expect(!Scope.isPlain(".."))
    }

    /// Messages show a long scope by its start and its size; headings keep it whole.
    @Test func longScopesAreShortenedInMessages() {
        let long = String(repeating: "x", count: 3_000_000)
        let shown = Scope.shown(long)
        #expect(shown.utf8.count < 250)
        #expect(shown.hasSuffix("… (3000000 bytes)"))
        #expect(Scope.shown("src/core") == "src/core")
        #expect(Scope.shown(long + "\nb") .hasSuffix("(+1 more)"))
        #expect(Scope.label(long) == long)
        #expect(Scope.shortened(String(repeating: "é", count: 300)).hasSuffix("… (600 bytes)"))
    }

    @Test func fileGroupsAreComparedPathByPath() {
        #expect(Scope.firstOverlap(in: ["a.c\nb.c", "c.c\nd.c"]) == nil)
        #expect(Scope.firstOverlap(in: ["a.c\nb.c", "c.c\nb.c"])?.second == 1)
    }

    @Test func byteOrderIsNotUnicodeCollation() {
        let sorted = ["b", "a", "B", "é", "e"].sorted(by: Scope.byteOrder)
        #expect(sorted == ["B", "a", "b", "e", "é"])
    }

    @Test func labelsShortenFileGroups() {
        #expect(Scope.label("one") == "one")
        #expect(Scope.label("a.c\nb.c\nc.c") == "a.c (+2 more)")
    }
}
