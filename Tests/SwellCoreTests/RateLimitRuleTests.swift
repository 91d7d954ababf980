import Foundation
import Testing
@testable import SwellCore

@Suite struct RateLimitRuleTests {
    let rule = RateLimitRule(exitCodes: [75], match: "(?i)overloaded|usage limit", retryAfter: "retry-after: (\\d+)|resets ([0-9:]+(?:am|pm)?)")
    let utc = TimeZone(identifier: "UTC")!
    /// 2026-12-02 01:00:00 UTC.
    let now = Date(timeIntervalSince1970: 1_796_173_200)

    @Test func anExitCodeOrAMatchIsARateLimitAndTheOutputSaysWhenToRetry() {
        #expect(rule.classify(exitCode: 75, stdout: Data(), stderr: Data("retry-after: 12\n".utf8), endedAt: now, timeZone: utc)
                == .rateLimited(retryAfter: 12))
        #expect(rule.classify(exitCode: 0, stdout: Data("Usage limit reached, resets 3:20am\n".utf8), stderr: Data(),
                              endedAt: now, timeZone: utc) == .rateLimited(retryAfter: 2 * 3600 + 20 * 60))
        #expect(rule.classify(exitCode: 1, stdout: Data(), stderr: Data("API overloaded\n".utf8), endedAt: now, timeZone: utc)
                == .rateLimited(retryAfter: nil))
        #expect(rule.classify(exitCode: 1, stdout: Data("failed\n".utf8), stderr: Data(), endedAt: now, timeZone: utc) == nil)
        #expect(rule.classify(exitCode: nil, stdout: Data(), stderr: Data("overloaded".utf8), endedAt: now, timeZone: utc) == nil)
    }

    @Test func aClockTimeIsTheNextOneAndAPastOneIsTomorrow() {
        #expect(RateLimitRule.wait(until: "01:30", after: now, timeZone: utc) == 1_800)
        #expect(abs((RateLimitRule.wait(until: "12:59:30am", after: now, timeZone: utc) ?? 0) - (86_400 - 30)) < 0.01)
        #expect(RateLimitRule.wait(until: "1pm", after: now, timeZone: utc) == nil)
        #expect(RateLimitRule.wait(until: "25:00", after: now, timeZone: utc) == nil)
        #expect(RateLimitRule.wait(until: "999999", after: now, timeZone: utc) == RateLimitRule.longestRetryAfter)
    }

    @Test func backoffDoublesUpToItsMostAndJitterOnlyAdds() {
        let rule = RateLimitRule(exitCodes: [75], backoffMilliseconds: 1_000, maxBackoffMilliseconds: 5_000)
        #expect(rule.delay(afterWait: 1, retryAfter: nil, random: 0) == .seconds(1))
        #expect(rule.delay(afterWait: 3, retryAfter: nil, random: 0) == .seconds(4))
        #expect(rule.delay(afterWait: 9, retryAfter: nil, random: 0) == .seconds(5))
        #expect(rule.delay(afterWait: 9, retryAfter: nil, random: 0.999) < .milliseconds(6_250))
        #expect(rule.delay(afterWait: 1, retryAfter: 30, random: 0.5) == .milliseconds(30_500))
    }

    @Test func waitsSurviveTheJournalAndTheWire() {
        for error in [TaskError.rateLimited(retryAfter: nil), .rateLimited(retryAfter: 12), .rateLimited(retryAfter: 1.5),
                      .interrupted("no word from the coordinator"), .failed("rate limited?"), .cancelled] {
            #expect(TaskError(error.description) == error, "\(error)")
        }
        #expect(TaskError.rateLimited(retryAfter: 3).isWait)
        #expect(!TaskError.failed("x").isWait)
    }

    @Test func aLimitOptionReadsItsNumbers() {
        #expect(LimitRule(parsing: "8,30/min") == LimitRule(concurrent: 8, startsPerMinute: 30))
        #expect(LimitRule(parsing: "30/min") == LimitRule(startsPerMinute: 30))
        #expect(LimitRule(parsing: "8") == LimitRule(concurrent: 8))
        for bad in ["", "0", "8,9", "x/min", "-1", "8,30/hour"] { #expect(LimitRule(parsing: bad) == nil, "\(bad)") }
        #expect(LimitRule(concurrent: 2, startsPerMinute: 120).spacing == .milliseconds(500))
    }
}
