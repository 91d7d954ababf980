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
        #expect(rule.classify(exitCode: 1, stdout: Data("Usage limit reached, resets 3:20am\n".utf8), stderr: Data(),
                              endedAt: now, timeZone: utc) == .rateLimited(retryAfter: 2 * 3600 + 20 * 60))
        // A report that succeeded may talk about rate limits: only its stderr counts.
        #expect(rule.classify(exitCode: 0, stdout: Data("## Review: the usage limit code\n".utf8), stderr: Data(),
                              endedAt: now, timeZone: utc) == nil)
        #expect(rule.classify(exitCode: 0, stdout: Data(), stderr: Data("API overloaded\n".utf8), endedAt: now, timeZone: utc)
                == .rateLimited(retryAfter: nil))
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
        for bad in ["", "0", "8,9", "x/min", "-1", "8,30/hour", "8,", ",30/min", " 8", "8, 30/min"] { #expect(LimitRule(parsing: bad) == nil, "\(bad)") }
        #expect(LimitRule(concurrent: 2, startsPerMinute: 120).spacing == .milliseconds(500))
    }
}

@Suite struct BudgetTests {
    @Test func aCostIsReadFromAJSONFieldOrARegex() {
        let json = CostRule(json: "total_cost_usd")
        #expect(json.cost(of: Data(#"{"type":"result","total_cost_usd":0.0123}"#.utf8)) == 0.0123)
        #expect(json.cost(of: Data("{\"a\":1}\n{\"total_cost_usd\":2}\n{\"b\":3}\n".utf8)) == 2)
        #expect(CostRule(json: "usage.cost").cost(of: Data(#"{"usage":{"cost":"1.5"}}"#.utf8)) == 1.5)
        #expect(json.cost(of: Data(#"{"total_cost_usd":true}"#.utf8)) == nil)
        #expect(json.cost(of: Data("not json".utf8)) == nil)
        #expect(CostRule(match: #"cost: \$([0-9.]+)"#).cost(of: Data("done\ncost: $0.42\n".utf8)) == 0.42)
        #expect(CostRule(match: #"cost: \$([0-9.]+)"#).cost(of: Data("done\n".utf8)) == nil)
    }

    @Test func aBudgetIsSpentByEitherOfItsParts() {
        let budget = Budget(taskSeconds: 60, cost: 5)
        #expect(budget.exhaustion(Spending(taskSeconds: 59, cost: 4.99)) == nil)
        #expect(budget.exhaustion(Spending(taskSeconds: 10, cost: 5)) == "budget exhausted: cost 5 of 5")
        #expect(budget.exhaustion(Spending(taskSeconds: 61, cost: 0)) == "budget exhausted: 61 of 60 task-seconds")
        #expect(Budget(parsing: "cost=5,task-seconds=2h") == Budget(taskSeconds: 7_200, cost: 5))
        #expect(Budget(parsing: "task-seconds=90") == Budget(taskSeconds: 90))
        for bad in ["", "cost", "cost=0", "cost=-1", "dollars=5", "cost=5,cost=6", "task-seconds=soon", "cost=0x10", "cost=5,",
                    " cost=5", "cost=1e3", "cost=.5"] {
            #expect(Budget(parsing: bad) == nil, "\(bad)")
        }
        #expect(Budget(cost: 5).overridden(by: Budget(taskSeconds: 10)) == Budget(taskSeconds: 10, cost: 5))
    }
}
