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

    @Test func duplicatesOverlapAndTrailingSlashesDoNotHide() {
        #expect(Scope.firstOverlap(in: ["x", "y", "x/"])?.second == 2)
        #expect(Scope.firstOverlap(in: ["./x", "x"])?.second == 1)
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
