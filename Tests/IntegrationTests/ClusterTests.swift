import Foundation
import Testing
import SwellTestSupport

@Suite(.serialized) struct ClusterTests {
    /// A fan-out of 60 scopes with random durations: on a loopback cluster of one coordinator
    /// and 3 node processes, the output equals the embedded run's, is in scope order, every node
    /// runs tasks, and no task runs twice.
    @Test func aClusterRunEqualsTheEmbeddedRun() async throws {
        let work = Scratch()
        defer { work.remove() }
        var generator = SeededRandom("ClusterTests.aClusterRunEqualsTheEmbeddedRun")
        let scopes = (0..<60).map { i in String(format: "t%02d_%03d", i, Int.random(in: 0...250, using: &generator)) }
        let plan = work.write("plan.yaml", """
            name: random-durations
            width: 4
            stages:
              - id: work
                partition: { items: [\(scopes.joined(separator: ", "))] }
                run: |
                  ms=${SWELL_SCOPE#*_}
                  sleep "$(printf '0.%03d' "$ms")"
                  echo "{scope} $SWELL_NODE $SWELL_ATTEMPT" >> ledger-$LEDGER
                  echo "{scope} done"
                env: { LEDGER: "{run}" }
            """)
        let cluster = try await LocalCluster(nodes: 3, workdir: work.path)
        defer { cluster.stop() }

        let clustered = try await swell(["run", plan, "--coordinator", cluster.endpoint, "--json"], in: work.path)
        #expect(clustered.status == 0, "\(clustered.stderr)")
        let embedded = try await swell(["run", plan, "--state", work.path + "/state", "--json"], in: work.path)
        #expect(embedded.status == 0, "\(embedded.stderr)")

        let clusterResult = try JSONSerialization.jsonObject(with: Data(clustered.stdout.utf8)) as? [String: Any]
        let embeddedResult = try JSONSerialization.jsonObject(with: Data(embedded.stdout.utf8)) as? [String: Any]
        let clusterOutput = ((clusterResult?["outputs"] as? [[String: Any]])?.first?["output"] as? String) ?? ""
        let embeddedOutput = ((embeddedResult?["outputs"] as? [[String: Any]])?.first?["output"] as? String) ?? ""
        let expected = scopes.map { "\($0) done\n" }.joined()
        #expect(clusterOutput == expected)
        #expect(embeddedOutput == expected)

        // The ledger: every scope ran exactly once, on some node, in its first attempt.
        let run = try #require(clusterResult?["run"] as? String)
        let lines = work.read("ledger-\(run)").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.count == scopes.count, "tasks ran \(lines.count) times for \(scopes.count) scopes")
        #expect(Set(lines.map { $0[0] }) == Set(scopes))
        #expect(lines.allSatisfy { $0.count == 3 && $0[2] == "1" })
        let perNode = Dictionary(grouping: lines, by: { $0[1] }).mapValues(\.count)
        #expect(Set(perNode.keys) == ["n1", "n2", "n3"], "tasks per node: \(perNode)")

        // The journal agrees: one report per scope, each from a node of the cluster.
        let logs = try await swell(["logs", run, "--coordinator", cluster.endpoint, "--json"])
        #expect(logs.status == 0, "\(logs.stderr)")
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]])
        #expect(reports.count == scopes.count)
        #expect(reports.compactMap { $0["scope"] as? String } == scopes)
        #expect(Set(reports.compactMap { $0["node"] as? String }) == ["n1", "n2", "n3"])
    }

    /// A plan in a folder of a checkout that names `../src`, as the shipped examples do: nodes
    /// whose --workdir is the checkout run it in the plan's folder below it, with the embedded
    /// output; a node whose workdir lacks the plan's folder refuses the tasks and says why.
    @Test func aPlanInAFolderOfACheckoutRunsThereOnNodes() async throws {
        let work = Scratch()
        defer { work.remove() }
        try FileManager.default.createDirectory(atPath: work.path + "/checkout/.git", withIntermediateDirectories: true)
        _ = work.write("checkout/src/a/one.txt", "1\n")
        _ = work.write("checkout/src/b/two.txt", "2\n")
        let plan = work.write("checkout/plans/list.yaml", """
            name: list
            stages:
              - id: modules
                run: find ../src -mindepth 1 -maxdepth 1 -type d | sort
              - id: each
                partition: { lines-of: modules }
                run: echo "$(basename {scope}) $(ls {scope}) $(basename "$PWD")"
            """)
        let embedded = try await swell(["run", plan, "--state", work.path + "/state"], in: work.path)
        #expect(embedded.status == 0, "\(embedded.stderr)")
        #expect(embedded.stdout == "a one.txt plans\nb two.txt plans\n")
        let validated = try await swell(["validate", plan])
        #expect(validated.stdout.contains("tasks run in plans/ below each node's --workdir, which stands for \(work.path)/checkout"),
                "\(validated.stdout)")

        let cluster = try await LocalCluster(nodes: 2, workdir: work.path + "/checkout")
        defer { cluster.stop() }
        let clustered = try await swell(["run", plan, "--coordinator", cluster.endpoint], in: work.path)
        #expect(clustered.status == 0, "\(clustered.stderr)")
        #expect(clustered.stdout == embedded.stdout)

        // A node started in the wrong folder: the task is refused with the reason, not run elsewhere silently.
        let wrong = try await LocalCluster(nodes: 1, workdir: work.path)
        defer { wrong.stop() }
        let refused = try await swell(["run", plan, "--coordinator", wrong.endpoint], in: work.path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the plan's folder 'plans' is not in this node's workdir \(work.path)"), "\(refused.stderr)")

        // --root names the root when the plan is in no checkout, and must hold the plan.
        let outside = try await swell(["run", plan, "--coordinator", wrong.endpoint, "--root", work.path + "/checkout/src"])
        #expect(outside.status == 2)
        #expect(outside.stderr.contains("does not hold the plan's folder"), "\(outside.stderr)")
    }

    /// Two node processes started with one name are two nodes, n1 and n1#2, for as long as
    /// they run: both run tasks, neither replaces the other, and the second is told why.
    @Test func twoNodesWithOneNameAreTwoNodes() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 1, workdir: work.path)
        defer { cluster.stop() }
        try cluster.addNode("twin", claiming: "n1")
        #expect(await eventually(.seconds(10)) { cluster.node("twin").output.contains("knows this one as n1#2") })
        let plan = work.write("plan.yaml", """
            name: twins
            width: 2
            stages:
              - id: work
                partition: { items: [\((0..<40).map { "s\($0)" }.joined(separator: ", "))] }
                run: sleep 0.05; echo "$SWELL_NODE"
            """)
        let ran = try await swell(["run", plan, "--coordinator", cluster.endpoint], in: work.path)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(Set(ran.stdout.split(separator: "\n").map(String.init)) == ["n1", "n1#2"])
        let nodes = try #require(try await statusJSON(cluster.endpoint)["nodes"] as? [[String: Any]])
        #expect(Set(nodes.compactMap { $0["name"] as? String }) == ["n1", "n1#2"])
        #expect(nodes.allSatisfy { ($0["state"] as? String) == "up" }, "\(nodes)")
        #expect(!cluster.coordinator.output.contains("joined again as a new process"), "\(cluster.coordinator.output)")
    }

    /// A stage's `prompt` file reaches each task on stdin after its needs' output, placeholders
    /// as plain text (never through argv or shell quoting), the same on a cluster as embedded;
    /// a missing prompt file is a plan error.
    @Test func aPromptFileIsEachTasksStdinAfterItsNeeds() async throws {
        let work = Scratch()
        defer { work.remove() }
        _ = work.write("review.md", "Review {scope} for {vars.topic}; don't \"quote\" $this.\n")
        let plan = work.write("plan.yaml", """
            name: prompted
            vars: { topic: "errors & retries" }
            stages:
              - id: context
                run: echo "context line"
              - id: review
                needs: [context]
                partition: { items: [a b, "c'd"] }
                prompt: review.md
                run: cat
            """)
        let embedded = try await swell(["run", plan, "--state", work.path + "/state"], in: work.path)
        #expect(embedded.status == 0, "\(embedded.stderr)")
        let expected = "context line\nReview a b for errors & retries; don't \"quote\" $this.\n"
            + "context line\nReview c'd for errors & retries; don't \"quote\" $this.\n"
        #expect(embedded.stdout == expected)
        let cluster = try await LocalCluster(nodes: 1, workdir: work.path)
        defer { cluster.stop() }
        let clustered = try await swell(["run", plan, "--coordinator", cluster.endpoint], in: "/")
        #expect(clustered.status == 0, "\(clustered.stderr)")
        #expect(clustered.stdout == expected)
        _ = work.write("review.md", "Review {scope} with {vars.nope}\n")
        let unknownVar = try await swell(["validate", plan])
        #expect(unknownVar.status == 2)
        #expect(unknownVar.stderr.contains("prompt file 'review.md' uses {vars.nope}, which names no var of this plan; known: topic"),
                "\(unknownVar.stderr)")
        try FileManager.default.removeItem(atPath: work.path + "/review.md")
        let missing = try await swell(["validate", plan])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("plan.yaml:9:5: prompt file 'review.md' cannot be read"), "\(missing.stderr)")
    }

    @Test func aSecondCoordinatorOnTheSameStateIsRefused() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 1, workdir: work.path)
        defer { cluster.stop() }
        let second = try await run(Binaries.path("swell-coordinator"),
                                   ["--listen", "tcp://127.0.0.1:0", "--state", cluster.scratch.path + "/state"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another swell-coordinator is using the state directory"))
    }

    @Test func aLinesOfSourceCutAtTheOutputCapFailsTheRunAndSaysSo() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 1, workdir: work.path, coordinatorArguments: ["--output-cap", "1KiB"])
        defer { cluster.stop() }
        let plan = work.write("p.yaml", """
            name: cut
            stages:
              - id: list
                run: seq 1000
              - id: each
                partition: { lines-of: list }
                run: echo {scope}
            """)
        let ran = try await swell(["run", plan, "--coordinator", cluster.endpoint])
        #expect(ran.status == 1)
        #expect(ran.stderr.contains("the output of 'list' cannot be its scopes: it was cut at the output cap"), "\(ran.stderr)")
        #expect(ran.stdout.isEmpty)
    }

    @Test func statusShowsNodesWithSlotsAndRuns() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 3, workdir: work.path)
        defer { cluster.stop() }
        let plan = work.write("p.yaml", "name: tiny\nstages:\n  - id: a\n    run: echo hi\n")
        let ran = try await swell(["run", plan, "--coordinator", cluster.endpoint])
        #expect(ran.status == 0)
        #expect(ran.stdout == "hi\n")
        let reply = try await statusJSON(cluster.endpoint)
        let nodes = try #require(reply["nodes"] as? [[String: Any]])
        #expect(nodes.compactMap { $0["name"] as? String } == ["n1", "n2"])
        #expect(nodes.allSatisfy { $0["slots"] as? Int == 3 && $0["state"] as? String == "up" })
        #expect(nodes.allSatisfy { ($0["lastHeartbeat"] as? Double ?? 0) > 0 })
        let runs = try #require(reply["runs"] as? [[String: Any]])
        #expect(runs.first?["status"] as? String == "succeeded")
        let run = try #require(runs.first?["run"] as? String)
        let noStage = try await swell(["logs", run, "--coordinator", cluster.endpoint, "--stage", "b"])
        #expect(noStage.status == 2)
        #expect(noStage.stderr.contains("run \(run) has no stage 'b' (did you mean 'a'?)"), "\(noStage.stderr)")
        let human = try await swell(["status", "--coordinator", cluster.endpoint])
        #expect(human.stdout.contains("NODE"))
        #expect(human.stdout.contains("n2    up     3"))
    }

    @Test func aNodeStoppedWithSigtermLeavesAndItsWorkIsDoneElsewhere() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 4, workdir: work.path)
        defer { cluster.stop() }
        let items = (0..<16).map { "s\($0)" }.joined(separator: ", ")
        let plan = work.write("p.yaml", """
            name: leave
            width: 4
            stages:
              - id: slow
                partition: { items: [\(items)] }
                run: echo "start {scope} $SWELL_NODE" >> started; sleep 1; echo {scope}
            """)
        let run = try BackgroundRun(["run", plan, "--coordinator", cluster.endpoint], in: work)
        defer { run.terminate() }
        // Once n1 is running tasks, stop it gracefully.
        #expect(await eventually { work.read("started").contains(" n1\n") })
        cluster.nodes[0].stop()
        let left = await eventually { cluster.coordinator.output.contains("node n1 left") }
        #expect(left)
        #expect(await run.wait(.seconds(60)) == 0)
        #expect(run.stdout == (0..<16).map { "s\($0)\n" }.joined())
    }
}
