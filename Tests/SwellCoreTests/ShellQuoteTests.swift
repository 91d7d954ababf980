import Testing
@testable import SwellCore

@Suite struct ShellQuoteTests {
    @Test func safeWordsStayAsTheyAre() {
        #expect(ShellQuote.quote("src/core") == "src/core")
        #expect(ShellQuote.quote("a-b_c.d:e@f%g+h=i,j") == "a-b_c.d:e@f%g+h=i,j")
    }

    @Test func everythingElseIsSingleQuoted() {
        #expect(ShellQuote.quote("") == "''")
        #expect(ShellQuote.quote("a b") == "'a b'")
        #expect(ShellQuote.quote("it's") == "'it'\\''s'")
        #expect(ShellQuote.quote("$(rm -rf /)") == "'$(rm -rf /)'")
        #expect(ShellQuote.quote("a\nb") == "'a\nb'")
    }
}

@Suite struct PlaceholdersTests {
    let values = PlaceholderValues(scope: "dir with 'quotes' and $HOME", index: 7, stage: "scan", run: "r1",
                                   vars: ["api": "oldAPI(", "empty": ""])

    @Test func namesAreFoundOnlyInTheirExactForm() {
        #expect(Placeholders.names(in: "grep {vars.api} {scope} | awk '{print $1}' ${HOME}") == ["vars.api", "scope"])
        #expect(Placeholders.names(in: "{index}{stage}{run}") == ["index", "stage", "run"])
        #expect(Placeholders.names(in: "{vars.}{vars.1x}{scopes}") == [])
    }

    @Test func shellStringsGetQuotedValues() {
        let text = Placeholders.substitute("grep -rn {vars.api} {scope} # {index} {stage} {run}", values, quote: true)
        #expect(text == "grep -rn 'oldAPI(' 'dir with '\\''quotes'\\'' and $HOME' # 7 scan r1")
    }

    @Test func argvGetsValuesVerbatim() {
        let command = Command.argv(["echo", "{scope}", "--api={vars.api}", "{vars.empty}"]).substituted(values)
        #expect(command == .argv(["echo", "dir with 'quotes' and $HOME", "--api=oldAPI(", ""]))
    }

    @Test func aFileGroupBecomesOneWordPerPath() {
        let group = PlaceholderValues(scope: "a b.c\nd.c", index: 0, stage: "s", run: "r", vars: [:])
        #expect(Command.shell("wc -l {scope}").substituted(group) == .shell("wc -l 'a b.c' d.c"))
        #expect(Command.argv(["wc", "-l", "{scope}"]).substituted(group) == .argv(["wc", "-l", "a b.c", "d.c"]))
    }

    @Test func anEmptyScopeIsAnEmptyWord() {
        let single = PlaceholderValues(scope: "", index: 0, stage: "s", run: "r", vars: [:])
        #expect(Command.shell("echo {scope}.").substituted(single) == .shell("echo ''."))
    }
}

@Suite struct QuotedPlaceholderTests {
    /// Placeholders inside quotes written by hand are found with their quote; those outside
    /// quotes, or inside `$(...)` within double quotes, are not.
    @Test func placeholdersInsideHandWrittenQuotesAreFound() {
        let found = Placeholders.quoted(in: #"echo "{scope}" {scope} '{index}' "\"{run}" "$(basename {scope})" '{x}' "{vars.a}""#)
        #expect(found.map(\.name) == ["scope", "index", "run", "vars.a"])
        #expect(found.map(\.quote) == ["\"", "'", "\"", "\""])
        #expect(Placeholders.quoted(in: "grep -rn {vars.api} {scope} || true").isEmpty)
        #expect(Placeholders.quoted(in: #"printf '%s\n' "$(wc -l < {scope})""#).isEmpty)
        #expect(Placeholders.quoted(in: #"awk '{ print "{scope}" }'"#).map(\.name) == ["scope"])
    }
}

@Suite struct PlaceholderTypoTests {
    /// Words in braces close to a placeholder are caught with what they probably meant; awk
    /// programs, shell variables and placeholders themselves are not.
    @Test func mistypedPlaceholdersAreCaught() {
        let found = Placeholders.likelyTypos(in: "echo {scop} {var.api} {scope} ${HOME} {print} {x} {stag}", vars: ["api"])
        #expect(found.map(\.written) == ["scop", "var.api", "stag"])
        #expect(found.map(\.meant) == ["scope", "vars.api", "stage"])
        #expect(Placeholders.likelyTypos(in: "awk '{ print $1 }' {scope}", vars: []).isEmpty)
    }
}
