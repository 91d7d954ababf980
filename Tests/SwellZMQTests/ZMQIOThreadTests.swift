import Foundation
import Testing
@testable import SwellZMQ
import SwellTestSupport

@Suite(.serialized) struct ZMQIOThreadTests {
    @Test func routerAndDealerTalkOverTCPWithAResolvedPort() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let router = try await io.open(ZMQSocketConfiguration(kind: .router, binds: ["tcp://127.0.0.1:0"]))
        let endpoint = try #require(router.endpoints.first)
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!endpoint.hasSuffix(":0"))
        let dealer = try await io.open(ZMQSocketConfiguration(kind: .dealer, routingID: Array("d1".utf8), connects: [endpoint]))
        dealer.send([Data("ping".utf8), Data([0, 1, 2])])
        var inbound = router.inbound.makeAsyncIterator()
        let message = try #require(await inbound.next())
        #expect(message.peer == Data("d1".utf8))
        #expect(message.frames == [Data("ping".utf8), Data([0, 1, 2])])
        router.send(to: Data("d1".utf8), [Data("pong".utf8)])
        var replies = dealer.inbound.makeAsyncIterator()
        let reply = try #require(await replies.next())
        #expect(reply.peer == nil)
        #expect(reply.frames == [Data("pong".utf8)])
        await io.shutdown()
    }

    @Test func inprocWorksWithinOneThread() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let router = try await io.open(ZMQSocketConfiguration(kind: .router, heartbeat: nil, binds: ["inproc://t-\(UUID())"]))
        let dealer = try await io.open(ZMQSocketConfiguration(kind: .dealer, heartbeat: nil, connects: router.endpoints))
        for i in 0..<1_000 { dealer.send([Data("\(i)".utf8)]) }
        var received = 0
        for await message in router.inbound {
            #expect(message.frames == [Data("\(received)".utf8)])
            received += 1
            if received == 1_000 { break }
        }
        #expect(router.statistics.received == 1_000)
        await io.shutdown()
    }

    @Test func sendingToAnUnknownPeerIsCountedNotLostSilently() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let router = try await io.open(ZMQSocketConfiguration(kind: .router, binds: ["tcp://127.0.0.1:0"]))
        router.send(to: Data("nobody".utf8), [Data("x".utf8)])
        #expect(await eventually { router.statistics.droppedUnroutable == 1 })
        await io.shutdown()
    }

    @Test func messagesWithTooManyFramesAreDroppedAndCounted() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let router = try await io.open(ZMQSocketConfiguration(kind: .router, maxFrames: 3, binds: ["tcp://127.0.0.1:0"]))
        let dealer = try await io.open(ZMQSocketConfiguration(kind: .dealer, connects: router.endpoints))
        dealer.send((0..<50).map { _ in Data("f".utf8) })
        dealer.send([Data("ok".utf8)])
        var inbound = router.inbound.makeAsyncIterator()
        let message = try #require(await inbound.next())
        #expect(message.frames == [Data("ok".utf8)])
        #expect(router.statistics.droppedTooManyFrames == 1)
        await io.shutdown()
    }

    @Test func oversizedFramesDisconnectTheSender() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let router = try await io.open(ZMQSocketConfiguration(kind: .router, maxFrameSize: 1_000, binds: ["tcp://127.0.0.1:0"]))
        let big = try await io.open(ZMQSocketConfiguration(kind: .dealer, connects: router.endpoints))
        big.send([Data(count: 5_000)])
        let small = try await io.open(ZMQSocketConfiguration(kind: .dealer, connects: router.endpoints))
        small.send([Data("fine".utf8)])
        var inbound = router.inbound.makeAsyncIterator()
        let message = try #require(await inbound.next())
        #expect(message.frames == [Data("fine".utf8)])
        await io.shutdown()
    }

    @Test func aSlowConsumerPausesReadingWithoutLosingMessages() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let router = try await io.open(ZMQSocketConfiguration(kind: .router, heartbeat: nil, inboundLimit: 10,
                                                              binds: ["inproc://slow-\(UUID())"]))
        let dealer = try await io.open(ZMQSocketConfiguration(kind: .dealer, heartbeat: nil, connects: router.endpoints))
        for i in 0..<500 { dealer.send([Data("\(i)".utf8)]) }
        // Nothing is read yet: the I/O thread stops at the limit.
        #expect(await eventually { router.statistics.received >= 10 })
        #expect(router.statistics.received <= 11)
        var count = 0
        for await message in router.inbound {
            #expect(message.frames == [Data("\(count)".utf8)])
            count += 1
            if count == 500 { break }
        }
        await io.shutdown()
    }

    @Test func bindErrorsAreThrownWithTheErrno() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let first = try await io.open(ZMQSocketConfiguration(kind: .router, binds: ["tcp://127.0.0.1:0"]))
        do {
            _ = try await io.open(ZMQSocketConfiguration(kind: .router, binds: first.endpoints))
            Issue.record("a second bind to the same port succeeded")
        } catch let error as ZMQError {
            #expect(error.code == EADDRINUSE)
            #expect(error.description.contains("zmq_bind \(first.endpoints[0])"))
        }
        do {
            _ = try await io.open(ZMQSocketConfiguration(kind: .router, binds: ["nonsense"]))
            Issue.record("a malformed endpoint was accepted")
        } catch let error as ZMQError {
            #expect(error.operation == "zmq_bind")
        }
        await io.shutdown()
    }

    @Test func shutdownFinishesInboundStreams() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let router = try await io.open(ZMQSocketConfiguration(kind: .router, binds: ["tcp://127.0.0.1:0"]))
        await io.shutdown()
        var inbound = router.inbound.makeAsyncIterator()
        #expect(await inbound.next() == nil)
        await io.shutdown()
    }
}
