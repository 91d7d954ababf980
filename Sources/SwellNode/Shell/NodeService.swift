import Foundation
package import Logging
import ServiceLifecycle
import SwellCore
import SwellProtocol
import SwellWire
import SwellSecurity
package import SwellZMQ

/// A worker node: joins a coordinator over a DEALER socket, runs the shares it is given in
/// sub-orchestrators, and reports every task as it ends.
///
/// One event loop owns all state; child processes run in a task group and post their outcome
/// back to the loop. Reports and summaries stay in an outbox until the coordinator acknowledges
/// them, and are resent until it does.
package final class NodeService: Service, Sendable {
    package let configuration: NodeConfiguration
    let io: ZMQIOThread
    let logger: Logger
    /// Unique per process start.
    package let incarnation: String

    package init(configuration: NodeConfiguration, io: ZMQIOThread, logger: Logger) {
        self.configuration = configuration
        self.io = io
        self.logger = logger
        self.incarnation = UUID().uuidString.lowercased()
    }

    package func run() async throws {
        let socket = try await io.open(ZMQSocketConfiguration(
            kind: .dealer,
            // A routing id of its own, never shown to anyone: the coordinator's ROUTER hands a
            // connection over to a peer that presents the same id, so it must not be guessable.
            routingID: Array("node/\(UUID().uuidString.lowercased())".utf8),
            // Only the coordinator talks to a node; a stage's stdin may be large.
            maxFrameSize: 1 << 30,
            heartbeat: configuration.transportHeartbeat,
            reconnectIntervalMax: 2_000,
            curve: configuration.curve,
            monitorHandshakes: !configuration.join.hasPrefix("inproc://"),
            connects: [configuration.join]))
        defer { socket.close() }
        // Inputs fetched in pieces, a file each, while assignments need them.
        let inputDirectory = try Self.makeInputDirectory()
        defer { try? FileManager.default.removeItem(atPath: inputDirectory) }
        let (events, sink) = AsyncStream.makeStream(of: NodeEvent.self)
        var loop = NodeLoop(configuration: configuration, incarnation: incarnation, inputDirectory: inputDirectory, at: .now)
        var stops: [ProcessKey: StopSignal] = [:]
        let interval = min(configuration.heartbeatInterval, configuration.resendAfter) / 2
        await withDiscardingTaskGroup { group in
            /// Carries out what the loop asked for.
            func perform(_ actions: [NodeAction]) {
                for action in actions {
                    switch action {
                    case .send(let message), .resend(let message):
                        socket.send(WireCodec.encode(message))
                    case .start(let work):
                        let stop = StopSignal()
                        stops[work.key] = stop
                        group.addTask {
                            sink.yield(.ended(work, await TaskRunner.run(work.execution, stop: stop)))
                        }
                    case .stop(let key):
                        stops[key]?.stop()
                    case .reconnect:
                        socket.reconnect(configuration.join)
                    case .stopFor(let key, let reason):
                        stops[key]?.stop(reason)
                    case .storeInput(let key, let path, let data):
                        do throws(AppendFileError) {
                            _ = try AppendFile.append([data], to: path)
                            sink.yield(.inputStored(key, bytes: data.count))
                        } catch {
                            sink.yield(.inputFailed(key, error.description))
                        }
                    case .removeInput(let path):
                        unlink(path)
                    case .log(let level, let message):
                        logger.log(level: level, "\(message)")
                    }
                }
            }
            group.addTask {
                for await message in socket.inbound {
                    do throws(WireError) {
                        sink.yield(.message(try WireCodec.decode(message.frames)))
                    } catch {
                        sink.yield(.undecodable(error))
                    }
                }
            }
            group.addTask {
                while (try? await Task.sleep(for: interval)) != nil { sink.yield(.tick) }
            }
            group.addTask { await self.watchHandshakes(socket) }
            perform(loop.start(at: .now, jitter: Self.jitter()))
            await withGracefulShutdownHandler {
                for await event in events {
                    if case .ended(let work, _) = event { stops[work.key] = nil }
                    perform(loop.handle(event, at: .now, jitter: Self.jitter()))
                    if loop.isLeaving && loop.isIdle(at: .now) { break }
                }
            } onGracefulShutdown: {
                sink.yield(.shutdown)
            }
            group.cancelAll()
        }
    }

    /// A factor from 0.8 to 1.2 for the next HELLO's delay.
    static func jitter() -> Double { .random(in: 0.8...1.2) }

    /// A new folder, private to the user, in the temporary directory (`$TMPDIR`, else /tmp):
    /// `swell-node-PID-XXXXXX`. Folders that node processes killed outright left there (their
    /// process is gone) are removed first.
    static func makeInputDirectory(in parent: String = FileManager.default.temporaryDirectory.path) throws -> String {
        removeAbandonedInputDirectories(in: parent)
        var template = Array((parent + "/swell-node-\(getpid())-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw InputDirectoryError(path: parent, errno: errno)
        }
        return String(cString: made)
    }

    /// Removes `swell-node-PID-*` folders of this user in `parent` whose process no longer runs.
    static func removeAbandonedInputDirectories(in parent: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for name in names where name.hasPrefix("swell-node-") {
            let fields = name.dropFirst("swell-node-".count).split(separator: "-", maxSplits: 1)
            guard fields.count == 2, let pid = Int32(fields[0]), pid > 0 else { continue }
            let path = parent + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else { continue }
            // Alive (or someone else's, EPERM): left alone.
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

extension NodeService {
    /// How long after a refused key the node connects again (libzmq itself does not): the key
    /// may be admitted meanwhile (the coordinator reads its authorized file again on SIGHUP).
    static let refusedKeyRetry: Duration = .seconds(5)

    /// Says why the coordinator will not have this node, once, and again every 30 s while it
    /// lasts; after a refused key, connects again every few seconds.
    func watchHandshakes(_ socket: ZMQSocketHandle) async {
        var lastSaid: (message: String, at: ContinuousClock.Instant)?
        var retry: Task<Void, Never>?
        defer { retry?.cancel() }
        for await event in socket.events {
            guard let trouble = HandshakeTrouble(event, secured: configuration.curve != nil) else {
                lastSaid = nil
                continue
            }
            if trouble == .keyNotAuthorized {
                retry?.cancel()
                let endpoint = configuration.join
                retry = Task {
                    guard (try? await Task.sleep(for: Self.refusedKeyRetry)) != nil else { return }
                    socket.reconnect(endpoint)
                }
            }
            var publicKey: String?
            if case .client(let key, _, _)? = configuration.curve { publicKey = key }
            let message = trouble.explanation(coordinator: configuration.join, as: .node, publicKey: publicKey)
            if let lastSaid, lastSaid.message == message, ContinuousClock.now - lastSaid.at < .seconds(30) { continue }
            lastSaid = (message, ContinuousClock.now)
            logger.error("\(message)")
        }
    }
}
