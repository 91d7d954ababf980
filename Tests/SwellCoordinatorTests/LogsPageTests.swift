import Foundation
import Testing
@testable import SwellCoordinator
@testable import SwellCore

/// A LOGS page is cut by bytes as well as by count, so that it stays below a frame's limit
/// (1,000 failures with 64 KiB stderr tails each would be 64 MiB in one brief page).
@Suite struct LogsPageTests {
    func report(_ index: Int, stdout: Int = 0, stderr: Int = 0) -> Report {
        Report(run: "r", stage: "s", index: index, scope: "x\(index)", attempt: 1, node: "n", exitCode: 1, signal: nil,
               timedOut: false, error: nil, startedAt: 0, endedAt: 1, stdoutBytes: stdout, stdoutTruncated: false,
               command: "c", stdout: Data(count: stdout), stderrTail: Data(count: stderr))
    }

    @Test func aPageEndsWithTheReportThatPassesTheLimit() {
        var reports = (0..<2_000).map { report($0, stderr: 64 << 10) }
        #expect(CoordinatorService.trimPage(&reports))
        // 8 MiB of 64 KiB tails (plus a few bytes each): 127 fit, the 128th passes it.
        #expect(reports.count == 128)
        var outputs = (0..<200).map { report($0, stdout: 1 << 20) }
        #expect(CoordinatorService.trimPage(&outputs))
        #expect(outputs.count == 8)
    }

    @Test func aPageKeepsAtLeastOneReportAndSmallPagesStayWhole() {
        var huge = [report(0, stdout: 32 << 20), report(1)]
        #expect(CoordinatorService.trimPage(&huge))
        #expect(huge.map(\.index) == [0])
        var small = (0..<2_000).map { report($0) }
        #expect(!CoordinatorService.trimPage(&small))
        #expect(small.count == 2_000)
    }
}
