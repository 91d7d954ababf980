import Foundation
import Testing
@testable import SwellCoordinator
@testable import SwellCore
@testable import SwellPlan
@testable import SwellProtocol

func itemsPlan(_ count: Int, extra: String = "", stageExtra: String = "") -> String {
    let items = (0..<count).map { "s\($0)" }.joined(separator: ", ")
    return "name: p\n\(extra)stages:\n  - id: fan\n    partition: { items: [\(items)] }\n    run: echo {scope}\n\(stageExtra)"
}

@Suite struct SchedulerTests {
    @Test func everyNodeGetsAShareWhenThereAreEnoughScopes() {
        for (nodes, scopes) in [(3, 3), (3, 5), (4, 50), (3, 50), (2, 2)] {
            var h = SchedulerHarness()
            for n in 1...nodes { h.join("n\(n)") }
            #expect(h.submit(itemsPlan(scopes)) != nil)
            var covered = Set<Int>()
            for n in 1...nodes {
                let assigns = h.assigns(h.take("n\(n)"))
                #expect(!assigns.isEmpty, "node n\(n) of \(nodes) got nothing for \(scopes) scopes")
                for a in assigns { covered.formUnion(a.tasks.map(\.index)) }
            }
            // Shares are contiguous and together cover a prefix of the scopes.
            #expect(covered == Set(0..<covered.count))
        }
    }

    @Test func sharesAreCutLargeFirstThenSmaller() async throws {
        var h = SchedulerHarness()
        h.join("n1")
        let run = h.submit(itemsPlan(200))
        #expect(run != nil)
        var sizes: [Int] = []
        while let assign = h.assigns(h.take("n1")).first {
            sizes.append(assign.count)
            #expect(assign.first == sizes.dropLast().reduce(0, +))
            h.complete(assign, on: "n1")
        }
        #expect(sizes.reduce(0, +) == 200)
        #expect(sizes == sizes.sorted(by: >))
        #expect(sizes.first == 100)
        #expect(sizes.dropLast().allSatisfy { $0 >= 10 })
        let result = h.result()
        #expect(result?.status == .succeeded)
        #expect(String(decoding: try await h.outputs().outputs[0], as: UTF8.self) == (0..<200).map { "s\($0)\n" }.joined())
    }

    /// The embedded default's one node takes the whole rest of a rolling stage in one share: no
    /// other node can join to share it, and a slot that frees would otherwise wait for the
    /// coordinator to hand it its next task. A share still holds at most `largest` scopes; a
    /// stage that summarizes, or paces by `barrier`, keeps its guided shares.
    @Test func theEmbeddedNodeTakesTheRestOfAStageInOneShare() throws {
        for extra in ["    pacing: rolling\n", "", "    summarize: cat\n"] {
            var h = SchedulerHarness(settings: CoordinatorSettings(endpoint: "embedded", embedded: true))
            h.join("local")
            #expect(h.submit(itemsPlan(200, stageExtra: extra)) != nil)
            let shares = h.assigns(h.take("local"))
            #expect(shares.map(\.count) == (extra == "    pacing: rolling\n" ? [200] : [100]), "\(extra): \(shares.map(\.count))")
        }
        // Width 4 on 10 slots: shares run side by side (more than 4 at once), so they stay.
        var narrow = SchedulerHarness(settings: CoordinatorSettings(endpoint: "embedded", embedded: true))
        narrow.join("local")
        #expect(narrow.submit(itemsPlan(200, stageExtra: "    pacing: rolling\n    width: 4\n")) != nil)
        let side = narrow.assigns(narrow.take("local"))
        #expect(side.count > 1 && side.reduce(0) { $0 + $1.tasks.count } < 200, "\(side.map(\.count))")
        var large = SchedulerHarness(settings: CoordinatorSettings(endpoint: "embedded", embedded: true))
        large.join("local")
        #expect(large.submit(itemsPlan(2_500, stageExtra: "    pacing: rolling\n")) != nil)
        let first = try #require(large.assigns(large.take("local")).first)
        #expect(first.count == ShareSizing.largest)
    }

    @Test func aNodeTakesItsNextShareAsSoonAsASlotFrees() throws {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(200, stageExtra: "    pacing: rolling\n")) != nil)
        let first = try #require(h.assigns(h.take("n1")).first)
        #expect(first.count == 100)
        // 90 of its tasks end: the last 10 are a whole wave, every slot is still taken.
        for task in first.tasks.prefix(90) {
            h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(first, task, on: "n1", out: ""))))
        }
        #expect(h.assigns(h.take("n1")).isEmpty)
        // One more ends: its slot goes to the next share at once, while the first drains.
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(first, first.tasks[90], on: "n1", out: ""))))
        let next = try #require(h.assigns(h.take("n1")).first)
        #expect(next.first == 100)
        // Progress counts the slots in use (9 + 1), not the tasks handed out (9 + 50).
        _ = h.take("client")
        h.advance(0.2)
        let counts = h.take("client").compactMap { message -> StageCounts? in
            if case .event(let event) = message, event.kind == .progress { return event.counts }
            return nil
        }
        #expect(counts.last?.running == 10)
        #expect(counts.last?.succeeded == 91)
    }

    /// Progress says how many attempts ran again, how long the finished tasks took in all (for
    /// an estimate), and how many nodes run the stage's tasks now.
    @Test func progressCountsRetriesTaskSecondsAndNodes() throws {
        var h = SchedulerHarness()
        h.join("n1", slots: 2)
        h.join("n2", slots: 2)
        #expect(h.submit(itemsPlan(40, stageExtra: "    retries: 1\n")) != nil)
        let one = try #require(h.assigns(h.take("n1")).first)
        _ = try #require(h.assigns(h.take("n2")).first)
        var done = h.report(one, one.tasks[0], on: "n1", out: "")
        done.startedAt = 10
        done.endedAt = 12.5
        var failed = h.report(one, one.tasks[1], on: "n1", out: "", exit: 1)
        failed.startedAt = 10
        failed.endedAt = 11
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: done)))
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: failed)))
        _ = h.take("client")
        h.advance(0.2)
        let counts = try #require(h.take("client").compactMap { message -> StageCounts? in
            if case .event(let event) = message, event.kind == .progress { return event.counts }
            return nil
        }.last)
        #expect(counts.succeeded == 1)
        #expect(counts.retried == 1, "the failed attempt runs again")
        #expect(counts.taskSeconds == 2.5, "only the final attempt counts")
        #expect(counts.nodes == 2)
    }

    @Test func inTheTailANodeTakesNoMoreThanItCanStart() throws {
        for summarizes in [false, true] {
            var h = SchedulerHarness()
            h.join("n1")
            h.join("n2")
            let extra = "    pacing: rolling\n" + (summarizes ? "    summarize: cat\n" : "")
            #expect(h.submit(itemsPlan(30, stageExtra: extra)) != nil)
            let first = try #require(h.assigns(h.take("n1")).first)
            _ = h.take("n2")
            h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(first, first.tasks[0], on: "n1", out: ""))))
            let next = try #require(h.assigns(h.take("n1")).first)
            // One slot free: without summarize, one task (the rest waits for whichever node
            // frees a slot first); a stage that summarizes keeps its guided share sizes (each
            // share is one summarize).
            #expect(summarizes ? next.count == 5 : next.count == 1, "summarize: \(summarizes), \(next.count)")
        }
    }

    @Test func runningCountsTasksNotTheSlotASummarizeKeeps() throws {
        var h = SchedulerHarness()
        h.join("n1")
        let submitted = h.submit(itemsPlan(3, stageExtra: "    summarize: cat\n"))
        let run = try #require(submitted)
        let share = try #require(h.assigns(h.take("n1")).first)
        #expect(h.scheduler.runs[run]!.stages[0].running == 3)
        for task in share.tasks {
            h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(share, task, on: "n1", out: ""))))
        }
        // Every task is in; the share keeps one slot for its summarize, which is not a task.
        #expect(h.scheduler.runs[run]!.stages[0].running == 0)
        #expect(h.scheduler.nodes["n1"]?.used == 1)
        h.complete(share, on: "n1", summary: "summary\n")  // the reports again (dropped), then the summary
        _ = h.drain(["n1"])
        let overview = h.scheduler.status(replyTo: 0, h.now).runs.first { $0.run == run }
        #expect(overview?.status == .succeeded)
        #expect(overview?.running == 0)
        #expect(h.scheduler.nodes["n1"]?.used == 0)
    }

    @Test func aLargeStageIsHandedOutInBoundedShares() throws {
        var h = SchedulerHarness()
        h.join("n1")
        let lines = (0..<200_000).map { "l\($0)\n" }.joined()
        let plan = """
            name: big
            stages:
              - id: list
                run: list
              - id: each
                partition: { lines-of: list }
                run: "true"
            """
        #expect(h.submit(plan) != nil)
        let list = try #require(h.assigns(h.take("n1")).first)
        h.complete(list, on: "n1", out: { _ in lines })
        let share = try #require(h.assigns(h.take("n1")).first)
        #expect(share.count == ShareSizing.largest)
        // Tasks are counted, not scanned, and made as shares are.
        let stage = h.scheduler.runs.values.first!.stages[1]
        #expect(stage.scopes?.count == 200_000)
        #expect(stage.tasks.count == 200_000)
        #expect(stage.tasks.number(.assigned) == 1_000)
        #expect(stage.tasks.number(.waiting) == 199_000)
    }

    @Test func sinkOutputsReachTheClientInBoundedPiecesFromTheJournal() async throws {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(5)) != nil)
        let big = String(repeating: "x", count: 700_000) + "\n"
        while let assign = h.assigns(h.take("n1")).first {
            h.complete(assign, on: "n1", out: { "\($0.scope):" + big })
        }
        // Pieces of at most 1 MiB, each acknowledged before more are read (see the harness).
        let (outputs, result) = try await h.outputs()
        let expected = (0..<5).map { "s\($0):" + big }.joined()
        #expect(outputs == [Data(expected.utf8)])
        #expect(result?.outputBytes == [expected.utf8.count])
        // A client that has the first 1,000,000 bytes (it attached again) gets the rest.
        let rest = try await h.outputs(from: [1_000_000])
        #expect(rest.outputs == [Data(expected.utf8).dropFirst(1_000_000)])
        // The finished run keeps none of it in memory.
        let run = try #require(h.scheduler.runs.values.first)
        #expect(run.stages.allSatisfy { $0.output == nil && $0.kept.isEmpty && $0.stdin.isEmpty })
    }

    @Test func onlyOutputsALaterStageReadsAreKeptInMemory() throws {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit("name: p\nstages:\n  - id: list\n    run: ls\n  - id: each\n    partition: { lines-of: list }\n    run: cat\n") != nil)
        let list = try #require(h.assigns(h.take("n1")).first)
        h.complete(list, on: "n1", out: { _ in "a\nb\n" })
        let each = try #require(h.assigns(h.take("n1")).first)
        for task in each.tasks {
            h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(each, task, on: "n1", out: "big output\n"))))
        }
        let stages = h.scheduler.runs.values.first!.stages
        #expect(stages[0].output == Data("a\nb\n".utf8), "lines-of reads it")
        #expect(stages[1].kept.isEmpty, "a sink's reports stay in the journal only")
    }

    @Test func outputsAreInScopeOrderWhateverTheOrderOfCompletion() async throws {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        #expect(h.submit(itemsPlan(6, stageExtra: "    input: markdown\n")) != nil)
        h.drain(["n1", "n2"])
        let text = String(decoding: try await h.outputs().outputs.first ?? Data(), as: UTF8.self)
        #expect(text == (0..<6).map { "## s\($0)\n\ns\($0)\n\n" }.joined())
    }

    @Test func treeReductionSummarizesTheSummariesInShareOrder() async throws {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        #expect(h.submit(itemsPlan(7, stageExtra: "    summarize: sort\n")) != nil)
        // Later shares finish first; the reduction still sees the summaries in share order.
        let reduces = h.drain(["n1", "n2"], summary: { "share\($0.share)\n" })
        let reduce = try #require(reduces.first)
        #expect(reduces.count == 1)
        #expect(reduce.spec.run == .shell("sort"))
        #expect(reduce.spec.summarize == nil)
        let shares = h.scheduler.runs.values.first!.stages[0].shares.count
        #expect(shares > 2)
        #expect(String(decoding: reduce.stdin, as: UTF8.self) == (0..<shares).map { "share\($0)\n" }.joined())
        let result = h.result()
        #expect(result?.status == .succeeded)
        #expect(try await h.outputs().outputs == [Data("reduced\n".utf8)])
    }

    @Test func synthesizeRunsOnceOverTheReportsWhenThereIsNoSummarize() {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(3, stageExtra: "    synthesize: wc -l\n    input: jsonl\n")) != nil)
        let share = h.assigns(h.take("n1"))[0]
        h.complete(share, on: "n1")
        let reduce = h.assigns(h.take("n1"))[0]
        #expect(reduce.kind == .reduce)
        #expect(reduce.spec.run == .shell("wc -l"))
        let lines = String(decoding: reduce.stdin, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].contains("\"scope\":\"s0\""))
    }

    @Test func stdinIsTheOutputOfTheNeedsInOrder() async throws {
        var h = SchedulerHarness()
        h.join("n1", slots: 1)
        let plan = """
            name: p
            stages:
              - id: a
                run: echo a
              - id: b
                run: echo b
              - id: c
                needs: [b, a]
                run: cat
            """
        #expect(h.submit(plan) != nil)
        var outputs = ["a": "A\n", "b": "B\n"]
        while let assign = h.assigns(h.take("n1")).first {
            if assign.stage == "c" {
                #expect(String(decoding: assign.stdin, as: UTF8.self) == "B\nA\n")
                outputs["c"] = String(decoding: assign.stdin, as: UTF8.self)
            } else {
                #expect(assign.stdin.isEmpty)
            }
            h.complete(assign, on: "n1", out: { _ in outputs[assign.stage]! })
        }
        #expect(try await h.outputs().outputs == [Data("B\nA\n".utf8)])
    }

    @Test func linesOfMakesScopesFromTheEarlierOutput() async throws {
        var h = SchedulerHarness()
        h.join("n1")
        let plan = """
            name: p
            stages:
              - id: inventory
                run: ls
              - id: scan
                partition: { lines-of: inventory }
                run: echo {scope}
            """
        #expect(h.submit(plan) != nil)
        let inventory = h.assigns(h.take("n1"))[0]
        h.complete(inventory, on: "n1", out: { _ in "x\n\n  y \nz\n" })
        let scan = h.assigns(h.take("n1"))[0]
        #expect(scan.tasks.map(\.scope) == ["x", "y", "z"])
        h.complete(scan, on: "n1")
        #expect(try await h.outputs().outputs == [Data("x\ny\nz\n".utf8)])
    }

    @Test func aLinesOfStageWaitsForItsScopesWithoutHoldingUpTheLoopAndACancelledRunTakesNone() async throws {
        // The split is the shell's, off the loop: until it is handed back the stage is pending,
        // nothing of it goes out, and the coordinator answers its nodes.
        let plan = "name: p\nstages:\n  - id: i\n    run: ls\n  - id: s\n    partition: {lines-of: i}\n    run: echo\n"
        for cancelled in [false, true] {
            var h = SchedulerHarness()
            h.answersSplits = false
            h.join("n1")
            let submitted = h.submit(plan)
            let run = try #require(submitted)
            h.complete(h.assigns(h.take("n1"))[0], on: "n1", out: { _ in "a\nb\n" })
            let asked = h.queries.compactMap { if case .splitLines(let r, let s, let source, let output, let cut) = $0 { "\(r) \(s) \(source) \(String(decoding: output, as: UTF8.self)) \(cut)" } else { nil } }
            #expect(asked == ["\(run) s i a\nb\n false"])
            #expect(h.scheduler.runs[run]?.stages[1].status == .pending)
            for _ in 1...10 {
                h.advance(0.5)
                h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
            }
            #expect(h.assigns(h.take("n1")).isEmpty)
            #expect(h.scheduler.nodes["n1"]?.state == .up, "its heartbeats were taken in meanwhile")
            if cancelled {
                h.send("client", .cancel(Cancel(id: h.nextID(), run: run, reason: "user")))
                h.splitAsked()
                #expect(h.assigns(h.take("n1")).isEmpty, "a run that ended takes no scopes")
                #expect(h.result()?.status == .cancelled)
                #expect(h.scheduler.runs[run]?.stages[1].status == .skipped)
            } else {
                h.splitAsked()
                h.splitAsked()
                let scan = h.assigns(h.take("n1"))
                #expect(scan.map { $0.tasks.map(\.scope) } == [["a", "b"]], "handed back twice, started once")
                h.complete(scan[0], on: "n1")
                #expect(h.result()?.status == .succeeded)
            }
        }
    }

    /// Tasks that succeeded while the cancel was on its way keep their reports, so that
    /// `--continue` does not run them again; one stopped by the cancel, or that failed, does not.
    @Test func aReportOfASuccessThatCameAfterTheCancelIsKept() throws {
        var h = SchedulerHarness()
        h.join("n1")
        let submitted = h.submit("name: p\nstages:\n  - id: s\n    partition: {items: [a, b, c, d]}\n    run: echo\n")
        let run = try #require(submitted)
        let assign = h.assigns(h.take("n1"))[0]
        h.send("client", .cancel(Cancel(id: h.nextID(), run: run, reason: "user")))
        #expect(h.result()?.status == .cancelled)
        #expect(h.logs.filter { $0.contains("cancelled") } == ["run \(run) cancelled: user"], "said once: \(h.logs)")
        var stopped = h.report(assign, assign.tasks[2], on: "n1", out: "")
        stopped.signal = 15
        stopped.exitCode = nil
        stopped.error = .cancelled
        for report in [h.report(assign, assign.tasks[0], on: "n1", out: "a\n"), h.report(assign, assign.tasks[1], on: "n1", out: "", exit: 1), stopped,
                       h.report(assign, assign.tasks[0], on: "n1", out: "a\n")] {
            h.send("n1", .report(ReportMessage(id: h.nextID(), report: report)))
        }
        #expect(h.journal.reports.map { "\($0.0.index) \($0.1)" } == ["0 true"], "\(h.journal.reports.map { ($0.0.index, $0.1) })")
    }

    @Test func linesOfWithRepeatedLinesFailsTheRunClearly() {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit("name: p\nstages:\n  - id: i\n    run: ls\n  - id: s\n    partition: {lines-of: i}\n    run: echo\n") != nil)
        h.complete(h.assigns(h.take("n1"))[0], on: "n1", out: { _ in "a\na\n" })
        let result = h.result()
        #expect(result?.status == .failed)
        #expect(result?.error?.contains("line 2 repeats 'a'") == true)
    }

    @Test func linesOfFromASourceCutAtTheOutputCapFailsTheRunAndALineLikeTheMarkerDoesNot() async throws {
        let plan = "name: p\nstages:\n  - id: i\n    run: ls\n  - id: s\n    partition: {lines-of: i}\n    run: echo\n"
        let marker = "[swell: output cut at 20 bytes; the task wrote 900 bytes]\n"
        for cut in [true, false] {
            var h = SchedulerHarness()
            h.join("n1")
            #expect(h.submit(plan) != nil)
            let list = h.assigns(h.take("n1"))[0]
            var report = h.report(list, list.tasks[0], on: "n1", out: "a\nb\n" + marker)
            report.stdoutTruncated = cut
            h.send("n1", .report(ReportMessage(id: h.nextID(), report: report)))
            h.complete(list, on: "n1", order: [])   // the share's summary, its one report already sent
            if cut {
                let result = h.result()
                #expect(result?.status == .failed)
                #expect(result?.error?.contains("the output of 'i' cannot be its scopes: it was cut at the output cap") == true)
            } else {
                // The same text from a task that was not cut is three scopes.
                let scan = try #require(h.assigns(h.take("n1")).first)
                #expect(scan.tasks.map(\.scope) == ["a", "b", String(marker.dropLast())])
            }
        }
    }

    @Test func aLargeInputIsAskedForInPiecesByNodesThatCanAndSentWholeToOthers() throws {
        let plan = "name: p\nstages:\n  - id: make\n    run: big\n  - id: use\n    needs: [make]\n    partition: { items: [a, b] }\n    run: wc -c\n"
        let big = String(repeating: "x", count: (5 << 20) / 2)   // 2.5 MiB
        for fetches in [true, false] {
            var h = SchedulerHarness()
            h.join("n1", fetchesInput: fetches ? true : nil)
            #expect(h.submit(plan) != nil)
            let make = try #require(h.assigns(h.take("n1")).first)
            h.complete(make, on: "n1", out: { _ in big })
            let use = try #require(h.assigns(h.take("n1")).first)
            guard fetches else {
                // A node that did not say it fetches inputs gets it in its ASSIGN, as before.
                #expect(use.stdinBytes == nil)
                #expect(use.stdin == Data(big.utf8))
                continue
            }
            #expect(use.stdin.isEmpty)
            #expect(use.stdinBytes == big.utf8.count)
            // Piece by piece, from where the node asks.
            var got = Data()
            var last = false
            while !last {
                h.send("n1", .inputRequest(InputRequest(id: h.nextID(), run: use.run, stage: "use", reduce: false, offset: got.count)))
                let piece = try #require(h.take("n1").compactMap { if case .input(let p) = $0 { p } else { nil } }.first)
                #expect(piece.offset == got.count)
                #expect(piece.data.count <= 1 << 20)
                got.append(piece.data)
                last = piece.last
            }
            #expect(got == Data(big.utf8))
            // Past the end, or for a stage that does not run: no answer.
            h.send("n1", .inputRequest(InputRequest(id: h.nextID(), run: use.run, stage: "use", reduce: false, offset: got.count)))
            h.send("n1", .inputRequest(InputRequest(id: h.nextID(), run: use.run, stage: "make", reduce: false, offset: 0)))
            #expect(h.take("n1").compactMap { if case .input(let p) = $0 { p } else { nil } }.isEmpty)
        }
    }

    @Test func anEmptyFanOutSucceedsWithNoTasks() async throws {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit("name: p\nstages:\n  - id: i\n    run: 'true'\n  - id: s\n    partition: {lines-of: i}\n    run: echo\n") != nil)
        h.complete(h.assigns(h.take("n1"))[0], on: "n1", out: { _ in "" })
        let result = h.result()
        #expect(result?.status == .succeeded)
        #expect(try await h.outputs().outputs == [Data()])
    }

    @Test func aFailedTaskIsRetriedOnAnotherNodeAndRelayedToItsShare() {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        #expect(h.submit(itemsPlan(2, stageExtra: "    retries: 1\n    summarize: cat\n")) != nil)
        let a1 = h.assigns(h.take("n1"))[0]
        let a2 = h.assigns(h.take("n2"))[0]
        #expect(a1.tasks[0].retriesLeft == 1)
        // Task 0 fails on n1; n2 is free again after its share, so the retry goes there.
        h.complete(a2, on: "n2", summary: "b\n")
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(a1, a1.tasks[0], on: "n1", out: "", exit: 1))))
        let retry = h.assigns(h.take("n2")).first
        #expect(retry?.kind == .retry)
        #expect(retry?.tasks.first?.attempt == 2)
        #expect(retry?.tasks.first?.retriesLeft == 0)
        h.complete(retry!, on: "n2")
        let relays = h.take("n1").compactMap { if case .relay(let r) = $0 { r } else { nil } }
        #expect(relays.count == 1)
        #expect(relays.first?.report.attempt == 2)
        #expect(relays.first?.report.node == "n2")
    }

    @Test func onFailureStopCancelsTheRun() {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        #expect(h.submit(itemsPlan(4)) != nil)
        let a1 = h.assigns(h.take("n1"))[0]
        _ = h.take("n2")
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(a1, a1.tasks[0], on: "n1", out: "", exit: 2))))
        let cancels = (h.take("n1") + h.take("n2")).compactMap { if case .cancel(let c) = $0 { c } else { nil } }
        #expect(cancels.count == 2)
        let result = h.result()
        #expect(result?.status == .failed)
        #expect(result?.error == "task fan[0] s0 failed: exit 2")
        #expect(h.scheduler.nodes.values.allSatisfy { $0.used == 0 })
    }

    @Test func onFailureContinueKeepsGoingAndFailsAtTheEnd() async throws {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(3, stageExtra: "    on-failure: continue\n")) != nil)
        let share = h.assigns(h.take("n1"))[0]
        h.complete(share, on: "n1", exit: { $0.index == 1 ? 1 : 0 })
        let result = h.result()
        #expect(result?.status == .failed)
        #expect(result?.stages.first?.counts.failed == 1)
        #expect(result?.stages.first?.counts.succeeded == 2)
        #expect(try await h.outputs().outputs == [Data("s0\ns1\ns2\n".utf8)])
    }

    @Test func aSilentNodesWorkGoesElsewhereAndItsLateReportsAreIgnored() throws {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        #expect(h.submit(itemsPlan(20, stageExtra: "    summarize: cat\n")) != nil)
        let lost = try #require(h.assigns(h.take("n1")).first)
        let kept = h.assigns(h.take("n2"))
        // n1 finishes one task, then falls silent; n2 works and keeps talking.
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(lost, lost.tasks[0], on: "n1", out: "early\n"))))
        for assign in kept { h.complete(assign, on: "n2", summary: "kept\(assign.share)\n") }
        for _ in 0..<45 {
            h.advance(0.1)
            h.send("n2", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        }
        #expect(h.scheduler.nodes["n1"]?.state == .down)
        let again = h.assigns(h.take("n2")).filter { $0.share == lost.share }
        #expect(again.count == 1)
        #expect(again.first?.attempt == 2)
        #expect(again.first?.done.map(\.index) == [lost.tasks[0].index])
        #expect(again.first?.done.first?.stdout == Data("early\n".utf8))
        #expect(again.first?.tasks.map(\.index) == Array(lost.tasks.dropFirst()).map(\.index))
        #expect(again.first?.tasks.allSatisfy { $0.attempt == 2 } == true)
        // A late report of the superseded attempt changes nothing.
        let before = h.scheduler.dropped.duplicates + h.scheduler.dropped.withoutHello
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(lost, lost.tasks[1], on: "n1", out: "late\n"))))
        #expect(h.scheduler.dropped.duplicates + h.scheduler.dropped.withoutHello == before + 1)
        h.complete(again[0], on: "n2", summary: "again\n")
        let reduces = h.drain(["n2"], summary: { "kept\($0.share)\n" })
        let stdin = String(decoding: reduces.first?.stdin ?? Data(), as: UTF8.self)
        #expect(stdin.hasPrefix("again\n"))
        #expect(!stdin.contains("late"))
        #expect(h.result()?.status == .succeeded)
    }

    @Test func whereAShareLiesIsTheCoordinatorsToSay() throws {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(3, stageExtra: "    summarize: cat\n    input: markdown\n")) != nil)
        let share = try #require(h.assigns(h.take("n1")).first)
        for task in share.tasks {
            h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(share, task, on: "n1", out: "x\n"))))
        }
        let lying = ShareSummary(run: share.run, stage: share.stage, share: share.share, first: 99, count: 1,
                                 firstScope: "../../etc", lastScope: "evil", node: "someone else", exitCode: 0, error: nil,
                                 output: Data("sum\n".utf8))
        h.send("n1", .summary(SummaryMessage(id: h.nextID(), attempt: share.attempt, summary: lying, summarized: true)))
        let reduce = try #require(h.assigns(h.take("n1")).first { $0.kind == .reduce })
        #expect(String(decoding: reduce.stdin, as: UTF8.self) == "## share 1: s0 … s2\n\nsum\n\n")
    }

    @Test func aClientCanCancelARun() {
        var h = SchedulerHarness()
        h.join("n1")
        let run = h.submit(itemsPlan(5))
        #expect(h.assigns(h.take("n1")).count == 1)
        h.send("client", .cancel(Cancel(id: h.nextID(), run: run!, reason: "interrupted")))
        let cancels = h.take("n1").compactMap { if case .cancel(let c) = $0 { c } else { nil } }
        #expect(cancels.map(\.run) == [run!])
        let result = h.result()
        #expect(result?.status == .cancelled)
        #expect(result?.error == "interrupted")
        #expect(result?.stages.first?.status == .cancelled)
        #expect(h.scheduler.nodes["n1"]?.used == 0)
        _ = h.take("client")
        // Again: it has ended.
        h.send("client", .cancel(Cancel(id: h.nextID(), run: run!, reason: "again")))
        let refusals = h.take("client").compactMap { if case .refusal(let r) = $0 { r } else { nil } }
        #expect(refusals.map(\.code) == [.finished])
        #expect(refusals.first?.message == "run \(run!) had already finished (cancelled)")
        // A run not in memory is looked for in the journal.
        h.send("client", .cancel(Cancel(id: h.nextID(), run: "nope", reason: "x")))
        #expect(h.queries.contains { if case .cancelNotInMemory(_, let c) = $0 { c.run == "nope" } else { false } })
    }

    @Test func duplicateReportsAreDropped() {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(2)) != nil)
        let share = h.assigns(h.take("n1"))[0]
        let message = ReportMessage(id: h.nextID(), report: h.report(share, share.tasks[0], on: "n1", out: "x\n"))
        h.send("n1", .report(message))
        h.send("n1", .report(message))
        #expect(h.scheduler.dropped.duplicates == 1)
        #expect(h.journal.reports.count == 1)
        // Both copies are acknowledged, so the node's outbox empties either way.
        let acks = h.take("n1").compactMap { if case .ack(let a) = $0 { a.acks } else { nil } }.flatMap { $0 }
        #expect(acks == [message.id, message.id])
    }

    @Test func messagesWithoutHelloAreDroppedAndAnsweredWithRejoin() {
        var h = SchedulerHarness()
        h.send("stranger", .heartbeat(Heartbeat(id: 1, running: 0)))
        h.send("stranger", .heartbeat(Heartbeat(id: 2, running: 0)))
        #expect(h.scheduler.dropped.withoutHello == 2)
        let refusals = h.take("stranger").compactMap { if case .refusal(let r) = $0 { r.code } else { nil } }
        #expect(refusals == [.rejoin])
        h.sendRaw("stranger", [Data("garbage".utf8), Data(), Data()])
        h.sendRaw("stranger", [Data("swell/1".utf8), Data("HELLO".utf8), Data("{".utf8)])
        h.sendRaw("stranger", [Data("swell/2".utf8), Data("HELLO".utf8), Data("{}".utf8)])
        #expect(h.scheduler.dropped.malformed == 2)
        #expect(h.scheduler.dropped.unknownVersion == 1)
    }

    /// A message that cannot be read but names its id gets a REFUSAL `malformed` in reply, so
    /// that its sender does not wait; a report for a run the coordinator never had is counted as
    /// such, not as a duplicate.
    @Test func unreadableRequestsAreAnsweredAndUnknownRunsCountedApart() {
        var h = SchedulerHarness()
        h.join("n1")
        h.send("c", .hello(Hello(id: 1, role: .client, name: "c", incarnation: "c")))
        _ = h.take("c")
        h.sendRaw("c", [Data("swell/1".utf8), Data("SUBMIT".utf8), Data(#"{"id": 7, "plan": 3}"#.utf8)])
        let refusal = h.take("c").compactMap { if case .refusal(let r) = $0 { r } else { nil } }.first
        #expect(refusal?.code == .malformed)
        #expect(refusal?.replyTo == 7)
        #expect(refusal?.id != 0)
        let ghost = Report(run: "no-such-run", stage: "s", index: 0, scope: "x", attempt: 1, node: "n1", exitCode: 0, signal: nil,
                           timedOut: false, error: nil, startedAt: 0, endedAt: 0, stdoutBytes: 0, stdoutTruncated: false,
                           command: "true", stdout: Data(), stderrTail: Data(), share: 0)
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: ghost)))
        #expect(h.scheduler.dropped.unknownRun == 1)
        #expect(h.scheduler.dropped.duplicates == 0)
    }

    @Test func invalidPlansAreRejectedWithLocations() {
        var h = SchedulerHarness()
        h.send("c", .hello(Hello(id: 1, role: .client, name: "c", incarnation: "c")))
        h.send("c", .submit(Submit(id: 2, plan: "name: x\nwidth: 0\nstages: []\n", file: "bad.yaml",
                                   overrides: [], scopes: [:], taskEvents: false)))
        let rejected = h.take("c").compactMap { if case .rejected(let r) = $0 { r } else { nil } }
        #expect(rejected.first?.message == "bad.yaml:2:8: `width` must be a whole number from 1 to 100\nbad.yaml:3:9: `stages` must be a non-empty list of stages")
    }

    /// A run's folder goes to its nodes in every ASSIGN, with the stage's shell; one that
    /// climbs out of the root is rejected before anything runs.
    @Test func theRunsFolderAndShellGoToTheNodes() {
        var h = SchedulerHarness()
        h.join("n1")
        h.send("c", .hello(Hello(id: 1, role: .client, name: "c", incarnation: "c")))
        h.send("c", .submit(Submit(id: 2, plan: "name: x\nstages: [{id: a, run: 'true'}]\n", file: "x.yaml",
                                   overrides: [], scopes: [:], taskEvents: false, folder: "../etc")))
        let rejected = h.take("c").compactMap { if case .rejected(let r) = $0 { r } else { nil } }
        #expect(rejected.first?.message == "the plan's folder '../etc' must name folders below the root, without '.', '..' or empty parts")
        h.send("c", .submit(Submit(id: 3, plan: "name: x\nshell: [bash, -c]\nstages: [{id: a, run: 'true'}]\n", file: "x.yaml",
                                   overrides: [], scopes: [:], taskEvents: false, folder: "examples/ci")))
        let assign = h.assigns(h.take("n1")).first
        #expect(assign?.spec.folder == "examples/ci")
        #expect(assign?.spec.shell == ["bash", "-c"])
    }

    /// A stage whose labels no node has says so to its client and in status, runs once such a
    /// node joins, and fails with the reason when none joins within the label wait.
    @Test func aStageWhoseLabelsNoNodeHasSaysSoAndFailsAfterTheWait() {
        var h = SchedulerHarness(settings: CoordinatorSettings(labelWait: .seconds(5)))
        h.join("plain")
        let run = h.submit(itemsPlan(2, stageExtra: "    labels: [gpu]\n"))
        h.advance(0.2)
        func notices() -> [String] {
            h.take("client").compactMap { if case .event(let e) = $0, e.kind == .notice { e.message } else { nil } }
        }
        #expect(notices() == ["stage fan waits for a node with labels gpu: no node that has them is up; it fails if none joins within 5s"])
        let reply = h.scheduler.status(replyTo: 1, h.now)
        #expect(reply.runs.first?.waiting == "stage fan needs a node with labels gpu")
        // A node with the label joins: the stage runs.
        h.join("gpu1", labels: ["gpu"])
        h.advance(0.2)
        #expect(notices() == ["stage fan: a node with labels gpu is up"])
        #expect(h.assigns(h.take("gpu1")).count == 1)
        #expect(h.scheduler.status(replyTo: 2, h.now).runs.first?.waiting == nil)
        // Another run with labels nobody has fails after the wait.
        let second = h.submit(itemsPlan(2, stageExtra: "    labels: [tpu]\n"))
        h.advance(5.5)
        #expect(h.scheduler.runs[second!]?.status == .failed)
        #expect(h.scheduler.runs[second!]?.stages[0].error == "stage fan: no node with labels tpu joined within 5s")
        #expect(h.scheduler.runs[run!]?.status == .running)
    }

    @Test func labelsKeepAStageOffNodesWithoutThem() {
        var h = SchedulerHarness()
        h.join("plain")
        h.join("gpu1", labels: ["gpu", "x"])
        #expect(h.submit(itemsPlan(5, stageExtra: "    labels: [gpu]\n")) != nil)
        #expect(h.assigns(h.take("plain")).isEmpty)
        #expect(h.assigns(h.take("gpu1")).count == 1)
    }

    /// A restarted node: the old process has been silent for 3 heartbeat intervals (it is only
    /// suspect, not yet down) when the new one says HELLO under its name.
    @Test func aNodeWithTheSameNameAndANewIncarnationReplacesTheOld() {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(3)) != nil)
        let first = h.assigns(h.take("n1"))[0]
        h.advance(1.6)
        #expect(h.scheduler.nodes["n1"]?.state == .suspect)
        h.send("n1-restarted", .hello(Hello(id: h.nextID(), role: .node, name: "n1", incarnation: "n1-2", slots: 10)))
        h.send("n1-restarted", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        let again = h.assigns(h.take("n1-restarted"))
        #expect(again.count == 1)
        #expect(again[0].share == first.share)
        #expect(again[0].attempt == 2)
        #expect(h.scheduler.nodes["n1"]?.incarnation == "n1-2")
    }
}

@Suite struct ShareSizingTests {
    @Test func neverLeavesAnIdleNodeWithoutWork() {
        for units in 1...8 {
            for remaining in units...60 {
                var left = remaining
                var idle = units
                var given = 0
                while idle > 0 && left > 0 {
                    let size = ShareSizing.size(remaining: left, width: 10, units: units, idleUnits: idle)
                    #expect(size >= 1)
                    left -= size
                    idle -= 1
                    given += 1
                }
                #expect(given == units, "\(units) units, \(remaining) scopes")
            }
        }
    }

    @Test func firstSharesAreLargeAndLaterOnesAtLeastAWave() {
        #expect(ShareSizing.size(remaining: 2_000, width: 10, units: 4, idleUnits: 4) == 250)
        // Whole waves, so that barrier waves stay aligned from one share to the next.
        #expect(ShareSizing.size(remaining: 30, width: 10, units: 1, idleUnits: 1) == 20)
        #expect(ShareSizing.size(remaining: 2_000, width: 7, units: 4, idleUnits: 4) == 252)
        // No share grows with the stage.
        #expect(ShareSizing.size(remaining: 1_000_000, width: 10, units: 1, idleUnits: 1) == 1_000)
        #expect(ShareSizing.size(remaining: 1_000_000, width: 7, units: 1, idleUnits: 1) == 994)
        #expect(ShareSizing.size(remaining: 12, width: 10, units: 1, idleUnits: 1) == 10)
        #expect(ShareSizing.size(remaining: 3, width: 10, units: 1, idleUnits: 1) == 3)
    }
}
