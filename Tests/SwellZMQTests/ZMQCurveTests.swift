import Foundation
import Synchronization
import Testing
@testable import SwellZMQ

@Suite(.serialized) struct ZMQCurveTests {
    @Test func keysAreZ85AndThePublicKeyFollowsFromTheSecret() throws {
        let pair = try ZMQCurve.generateKeyPair()
        #expect(ZMQCurve.isKey(pair.publicKey))
        #expect(ZMQCurve.isKey(pair.secretKey))
        #expect(ZMQCurve.publicKey(forSecret: pair.secretKey) == pair.publicKey)
        #expect(!ZMQCurve.isKey("too short"))
        #expect(!ZMQCurve.isKey(String(repeating: "~", count: 40)))
        #expect(ZMQCurve.publicKey(forSecret: "nope") == nil)
    }

    /// A CURVE server whose ZAP handler admits one key, as `role:name`.
    func server(_ io: ZMQIOThread, admitting allowed: String, denied: Counter = Counter()) async throws -> (ZMQSocketHandle, String) {
        let serverKeys = try ZMQCurve.generateKeyPair()
        try await io.installZAPHandler { request in
            guard request.mechanism == "CURVE", let key = request.credentials.first.flatMap(ZMQCurve.z85), key == allowed else {
                denied.count.add(1, ordering: .relaxed)
                return .deny(reason: "unknown key")
            }
            return .allow(userID: "node:n1")
        }
        let router = try await io.open(ZMQSocketConfiguration(
            kind: .router, zapDomain: "swell", curve: .server(publicKey: serverKeys.publicKey, secretKey: serverKeys.secretKey),
            binds: ["tcp://127.0.0.1:0"]))
        return (router, serverKeys.publicKey)
    }

    @Test func anAdmittedKeyGetsThroughWithItsUserID() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let client = try ZMQCurve.generateKeyPair()
        let (router, serverKey) = try await server(io, admitting: client.publicKey)
        let dealer = try await io.open(ZMQSocketConfiguration(
            kind: .dealer, curve: .client(publicKey: client.publicKey, secretKey: client.secretKey, serverKey: serverKey),
            monitorHandshakes: true, connects: router.endpoints))
        dealer.send([Data("hi".utf8)])
        var inbound = router.inbound.makeAsyncIterator()
        let next = await inbound.next()
        let message = try #require(next)
        #expect(message.userID == "node:n1")
        var events = dealer.events.makeAsyncIterator()
        if case .succeeded? = await events.next() {} else { Issue.record("no handshake success event") }
        await io.shutdown()
    }

    @Test func anUnknownKeyIsRefusedAndToldSo() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let denied = Counter()
        let (router, serverKey) = try await server(io, admitting: try ZMQCurve.generateKeyPair().publicKey, denied: denied)
        let stranger = try ZMQCurve.generateKeyPair()
        let dealer = try await io.open(ZMQSocketConfiguration(
            kind: .dealer, curve: .client(publicKey: stranger.publicKey, secretKey: stranger.secretKey, serverKey: serverKey),
            monitorHandshakes: true, connects: router.endpoints))
        dealer.send([Data("let me in".utf8)])
        var events = dealer.events.makeAsyncIterator()
        let event = await events.next()
        guard case .refused(_, let status)? = event else {
            Issue.record("expected a refusal, got \(String(describing: event))")
            await io.shutdown()
            return
        }
        #expect(status == 400)
        #expect(denied.count.load(ordering: .relaxed) >= 1)
        #expect(router.statistics.received == 0)
        await io.shutdown()
    }

    @Test func aClientWithoutKeysSeesAMechanismMismatch() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let (router, _) = try await server(io, admitting: try ZMQCurve.generateKeyPair().publicKey)
        let dealer = try await io.open(ZMQSocketConfiguration(kind: .dealer, monitorHandshakes: true, connects: router.endpoints))
        dealer.send([Data("plain".utf8)])
        var events = dealer.events.makeAsyncIterator()
        let event = await events.next()
        if case .mechanismMismatch? = event {} else { Issue.record("expected a mechanism mismatch, got \(String(describing: event))") }
        #expect(router.statistics.received == 0)
        await io.shutdown()
    }
}

final class Counter: Sendable {
    let count = Atomic<Int>(0)
}
