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

    /// A ROUTER with a connection limit keeps that many connections and closes the others as
    /// libzmq accepts them, saying how many it turned away.
    @Test func connectionsPastTheLimitAreTurnedAwayAndSaid() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let router = try await io.open(ZMQSocketConfiguration(kind: .router, connectionLimit: 2, binds: ["tcp://127.0.0.1:0"]))
        let endpoint = try #require(router.endpoints.first)
        var inbound = router.inbound.makeAsyncIterator()
        var dealers: [ZMQSocketHandle] = []
        for name in ["d1", "d2"] {
            let dealer = try await io.open(ZMQSocketConfiguration(kind: .dealer, routingID: Array(name.utf8), connects: [endpoint]))
            dealer.send([Data(name.utf8)])
            #expect(try #require(await inbound.next()).peer == Data(name.utf8))
            dealers.append(dealer)
        }
        let third = try await io.open(ZMQSocketConfiguration(kind: .dealer, routingID: Array("d3".utf8), connects: [endpoint]))
        third.send([Data("d3".utf8)])
        var events = router.events.makeAsyncIterator()
        guard case .turnedAway(let at, let count, let held)? = await events.next() else {
            Issue.record("no turnedAway event")
            return
        }
        #expect(at == endpoint && count >= 1 && held == 2)
        // The two kept go on. (What the third sent before it was closed may have come in: it
        // is closed once libzmq has accepted it, and its handshake can be quicker.)
        dealers[1].send([Data("again".utf8)])
        var message = try #require(await inbound.next())
        if message.peer == Data("d3".utf8) { message = try #require(await inbound.next()) }
        #expect(message.peer == Data("d2".utf8) && message.frames == [Data("again".utf8)])
        await io.shutdown()
    }

    /// Only a connected stream socket on an endpoint bound is ever shut down.
    @Test func onlyAConnectionToAnEndpointBoundCountsAsOne() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        #expect(!ZMQIOThread.isConnection(ends[0], toOneOf: ["tcp://127.0.0.1:1"]))
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound && listen(listener, 4) == 0)
        let port = UInt16(bigEndian: address.sin_port)
        #expect(!ZMQIOThread.isConnection(listener, toOneOf: ["tcp://127.0.0.1:\(port)"]), "a listening socket is not a connection")
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let accepted = accept(listener, nil, nil)
        defer { close(accepted) }
        #expect(ZMQIOThread.isConnection(accepted, toOneOf: ["tcp://127.0.0.1:\(port)"]))
        #expect(!ZMQIOThread.isConnection(accepted, toOneOf: ["tcp://127.0.0.1:\(port == 1 ? 2 : 1)"]))
        // The client's end has another local port: not a connection to that endpoint.
        #expect(!ZMQIOThread.isConnection(client, toOneOf: ["tcp://127.0.0.1:\(port)"]))
    }
}
