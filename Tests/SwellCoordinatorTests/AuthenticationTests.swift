import Foundation
import Testing
@testable import SwellCoordinator
@testable import SwellCore
@testable import SwellProtocol

/// The scheduler with peers admitted by CURVE key: each message carries the ZAP User-Id
/// `role:name` its connection was admitted under.
@Suite struct AuthenticationTests {
    func securedHarness() -> SchedulerHarness {
        SchedulerHarness(settings: CoordinatorSettings(security: .curve))
    }

    func refusals(_ messages: [Message]) -> [Refusal] {
        messages.compactMap { if case .refusal(let r) = $0 { r } else { nil } }
    }

    @Test func aNodeIsKnownByTheNameItsKeyIsAuthorizedUnder() {
        var h = securedHarness()
        h.userIDs["peer-a"] = "node:n2"
        h.send("peer-a", .hello(Hello(id: 1, role: .node, name: "n9", incarnation: "i", slots: 2)))
        h.send("peer-a", .heartbeat(Heartbeat(id: 2, running: 0)))
        #expect(Set(h.scheduler.nodes.keys) == ["n2"])
        let welcome = h.take("peer-a").compactMap { if case .welcome(let w) = $0 { w } else { nil } }.first
        #expect(welcome?.name == "n2")
        h.userIDs["client"] = "client:ops"
        #expect(h.submit(itemsPlan(2)) != nil)
        let assigns = h.assigns(h.take("peer-a"))
        #expect(!assigns.isEmpty)
        h.complete(assigns[0], on: "peer-a")
        #expect(!h.journal.reports.isEmpty)
        #expect(h.journal.reports.allSatisfy { $0.0.node == "n2" })
    }

    /// The authorized file read again without a key: its node is told, counted left at once (its
    /// work goes back to the pool), and nothing more from its connection is heard; the other
    /// node, and a key of the same name with the new key, go on.
    @Test func aRemovedKeysNodeIsDisconnected() {
        var h = securedHarness()
        h.userIDs["peer-a"] = "node:n1 KEY-A"
        h.userIDs["peer-b"] = "node:n2 KEY-B"
        for (peer, name) in [("peer-a", "n1"), ("peer-b", "n2")] {
            h.send(peer, .hello(Hello(id: h.nextID(), role: .node, name: name, incarnation: name, slots: 2)))
            h.send(peer, .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        }
        _ = h.take("peer-a")
        var effects = Effects()
        h.scheduler.admit(["node:n2 KEY-B", "node:n1 KEY-NEW"], at: h.now, into: &effects)
        h.deliver(effects)
        #expect(h.scheduler.nodes["n1"]?.state == .left)
        #expect(h.scheduler.nodes["n2"]?.state == .up)
        #expect(refusals(h.take("peer-a")).map(\.code) == [.notAdmitted])
        let before = h.scheduler.dropped.unauthorized
        h.send("peer-a", .hello(Hello(id: h.nextID(), role: .node, name: "n1", incarnation: "n1", slots: 2)))
        #expect(h.scheduler.dropped.unauthorized == before + 1)
        #expect(h.scheduler.nodes["n1"]?.state == .left)
        h.userIDs["peer-c"] = "node:n1 KEY-NEW"
        h.send("peer-c", .hello(Hello(id: h.nextID(), role: .node, name: "n1", incarnation: "n1-new", slots: 2)))
        #expect(h.scheduler.nodes["n1"]?.incarnation == "n1-new")
    }

    @Test func aKeyAuthorizedForOneRoleCannotActInTheOther() {
        var h = securedHarness()
        h.userIDs["intruder"] = "client:ops"
        h.send("intruder", .hello(Hello(id: 1, role: .node, name: "n1", incarnation: "i", slots: 2)))
        #expect(h.scheduler.nodes.isEmpty)
        #expect(refusals(h.take("intruder")).map(\.code) == [.notAdmitted])
        #expect(h.scheduler.dropped.unauthorized == 1)

        h.userIDs["worker"] = "node:n1"
        h.send("worker", .hello(Hello(id: 2, role: .client, name: "c", incarnation: "c")))
        #expect(refusals(h.take("worker")).first?.message.contains("authorized as a node") == true)
        // Never admitted as a client, so what it sends next is dropped.
        h.send("worker", .submit(Submit(id: 3, plan: itemsPlan(1), file: "p.yaml", overrides: [],
                                        scopes: [:], taskEvents: false)))
        #expect(h.scheduler.runs.isEmpty)
        #expect(h.scheduler.dropped.unauthorized == 2)
    }

    @Test func aMessageWithoutAnIdentityIsDroppedWhenKeysAreRequired() {
        var h = securedHarness()
        h.send("anonymous", .hello(Hello(id: 1, role: .node, name: "n1", incarnation: "i", slots: 2)))
        #expect(h.scheduler.nodes.isEmpty)
        #expect(h.take("anonymous").isEmpty)
        #expect(h.scheduler.dropped.unauthorized == 1)
        h.userIDs["odd"] = "operator:root"
        h.send("odd", .hello(Hello(id: 1, role: .client, name: "c", incarnation: "i")))
        #expect(h.scheduler.dropped.unauthorized == 2)
        #expect(h.take("odd").isEmpty)
    }

    @Test func aPeerWhoseIdentityChangesAfterHelloIsIgnored() {
        var h = securedHarness()
        h.userIDs["peer"] = "node:n1"
        h.join("peer")
        #expect(h.scheduler.nodes["n1"]?.state == .up)
        h.userIDs["peer"] = "node:n2"
        h.send("peer", .leave(Leave(id: 9, reason: "bye")))
        #expect(h.scheduler.nodes["n1"]?.state == .up)
        #expect(h.scheduler.dropped.unauthorized == 1)
    }

    @Test func aClientThatLeavesIsForgottenWithItsIdentity() {
        var h = securedHarness()
        h.userIDs["client"] = "client:ops"
        h.send("client", .hello(Hello(id: 1, role: .client, name: "c", incarnation: "c1")))
        #expect(h.scheduler.clientUserIDs[Data("client".utf8)] == "client:ops")
        h.send("client", .leave(Leave(id: 2, reason: "done")))
        #expect(h.scheduler.clients.isEmpty)
        #expect(h.scheduler.clientUserIDs.isEmpty)
    }

    @Test func statusSaysHowTheCoordinatorIsSecured() {
        var h = securedHarness()
        h.userIDs["client"] = "client:ops"
        h.send("client", .hello(Hello(id: 1, role: .client, name: "c", incarnation: "c1")))
        h.send("client", .statusRequest(StatusRequest(id: 2)))
        let status = h.take("client").compactMap { if case .status(let s) = $0 { s } else { nil } }.first
        #expect(status?.security == .curve)
        var open = SchedulerHarness()
        open.send("client", .hello(Hello(id: 1, role: .client, name: "c", incarnation: "c1")))
        open.send("client", .statusRequest(StatusRequest(id: 2)))
        let openStatus = open.take("client").compactMap { message -> SecurityMode? in if case .status(let s) = message { s.security } else { nil } }.first
        #expect(openStatus == .loopback)
    }
}
