import Foundation
import Testing
@testable import SwellCore

@Suite struct InputFormatTests {
    func report(_ index: Int, _ scope: String, _ out: String, exit: Int32 = 0) -> Report {
        Report(run: "r", stage: "s", index: index, scope: scope, attempt: 1, node: "n", exitCode: exit, signal: nil,
               timedOut: false, error: nil, startedAt: 0, endedAt: 1, stdoutBytes: out.utf8.count,
               stdoutTruncated: false, command: "c", stdout: Data(out.utf8), stderrTail: Data())
    }

    @Test func concatJoinsTheBytes() {
        let data = InputFormat.concat.render(reports: [report(0, "a", "1\n"), report(1, "b", "2")])
        #expect(String(decoding: data, as: UTF8.self) == "1\n2")
    }

    @Test func markdownHasAHeadingPerScopeAndMarksFailures() {
        let data = InputFormat.markdown.render(reports: [report(0, "a", "one"), report(1, "b", "two\n", exit: 3)])
        #expect(String(decoding: data, as: UTF8.self) == "## a\n\none\n\n## b (failed: exit 3)\n\ntwo\n\n")
    }

    @Test func jsonlHasOneObjectPerLine() throws {
        let data = InputFormat.jsonl.render(reports: [report(0, "a", "x\"y\n"), report(1, "b", "")])
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["scope"] as? String == "a")
        #expect(first?["stdout"] as? String == "x\"y\n")
        #expect(first?["exitCode"] as? Int == 0)
    }

    @Test func summariesRenderWithTheirSpan() {
        let summary = ShareSummary(run: "r", stage: "s", share: 1, first: 10, count: 5, firstScope: "k", lastScope: "o",
                                   node: "n", exitCode: 0, error: nil, output: Data("sum".utf8))
        let text = String(decoding: InputFormat.markdown.render(summaries: [summary]), as: UTF8.self)
        #expect(text == "## share 2: k … o\n\nsum\n\n")
    }
}

@Suite struct ReportExpectationTests {
    @Test func eachExpectationSaysWhatIsWrong() {
        let nonEmpty = ReportExpectation(nonEmpty: true)
        #expect(nonEmpty.problem(Data()) == "empty report")
        #expect(nonEmpty.problem(Data(" \n\t".utf8)) == "report of white space only")
        #expect(nonEmpty.problem(Data("x".utf8)) == nil)
        #expect(ReportExpectation(minBytes: 10).problem(Data("short".utf8)) == "report of 5 bytes, fewer than the 10 expected")
        let heading = ReportExpectation(match: "^## Summary")
        #expect(heading.problem(Data("intro\n## Summary\nok\n".utf8)) == nil)
        #expect(heading.problem(Data("intro ## Summary\n".utf8)) == "no match for '^## Summary'")
        let json = ReportExpectation(format: .json)
        #expect(json.problem(Data(#"{"total_cost_usd": 0.1}"#.utf8)) == nil)
        #expect(json.problem(Data("Error: overloaded".utf8)) == "report is not valid JSON")
        let jsonl = ReportExpectation(format: .jsonl)
        #expect(jsonl.problem(Data("{\"a\":1}\n\n[2]\n".utf8)) == nil)
        #expect(jsonl.problem(Data("{\"a\":1}\n{oops\n".utf8)) == "line 2 of the report is not valid JSON")
    }

    /// A pattern that backtracks without end gives up after its time limit and says so.
    @Test func aRunawayPatternGivesUp() {
        let started = Date()
        let problem = ReportExpectation(match: "(.*x){12}y").problem(Data(String(repeating: "x", count: 5000).utf8))
        #expect(problem?.hasPrefix("matching '(.*x){12}y' took more than 2 s") == true, "\(problem ?? "no problem")")
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
