import Foundation
import Testing
@testable import SwellNode

@Suite struct InputDirectoryTests {
    @Test func aNodeStartsWithAPrivateFolderAndRemovesThoseOfNodesThatWereKilled() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("inputs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        // A process that has ended: its pid is free.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let dead = ended.processIdentifier
        let me = getpid()
        for name in ["swell-node-\(dead)-abc123", "swell-node-\(me)-live01", "swell-node-junk"] {
            try FileManager.default.createDirectory(atPath: parent + "/" + name, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: parent + "/swell-node-\(dead)-file", contents: nil)

        let made = try NodeService.makeInputDirectory(in: parent)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: parent))
        #expect(!left.contains("swell-node-\(dead)-abc123"), "the killed node's folder is gone")
        #expect(left.isSuperset(of: ["swell-node-\(me)-live01", "swell-node-junk", "swell-node-\(dead)-file"]))
        let name = (made as NSString).lastPathComponent
        #expect(name.hasPrefix("swell-node-\(me)-"))
        #expect(try FileManager.default.attributesOfItem(atPath: made)[.posixPermissions] as? Int == 0o700)
    }
}
