import Foundation
import SwellZMQ
package import SwellCore

/// Who may connect to a secured coordinator: one line per key, `ROLE NAME PUBLIC-KEY`.
///
///     # role   name    public key (Z85)
///     node     n1      rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7
///     client   alice   Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID
///
/// Roles are `node` and `client`. Names use letters, digits, `_`, `-` and `.`; a name appears
/// once per role and a key once in the file. Lines starting with `#` and blank lines are ignored.
package struct AuthorizedKeys: Sendable {
    package struct Entry: Sendable, Equatable {
        package var role: PeerRole
        package var name: String
        package var key: String
        package var line: Int

        /// What ZAP hands to the coordinator as the connection's User-Id.
        package var userID: String { PeerIdentity(role: role, name: name, key: key).userID }
    }

    package private(set) var entries: [Entry]
    private let byKey: [String: Entry]

    /// Files larger than this are refused.
    package static let maximumBytes = 1 << 20

    package init(entries: [Entry]) {
        self.entries = entries
        self.byKey = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    package func entry(forKey key: String) -> Entry? { byKey[key] }

    package static func load(_ path: String) throws -> AuthorizedKeys {
        var info = stat()
        guard stat(path, &info) == 0 else { throw KeyError("cannot read \(path): \(String(cString: strerror(errno)))") }
        guard info.st_size <= maximumBytes else { throw KeyError("\(path) is \(info.st_size) bytes; the limit is \(maximumBytes)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw KeyError("cannot read \(path)") }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses the file's text; every problem is reported as `FILE:LINE: message`.
    package static func parse(_ text: String, file: String) throws -> AuthorizedKeys {
        var entries: [Entry] = []
        var problems: [String] = []
        var keys: [String: Int] = [:]
        var names: [String: Int] = [:]
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = raw.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count == 3 else {
                problems.append("\(file):\(number): expected `ROLE NAME PUBLIC-KEY`, found \(fields.count) field(s)")
                continue
            }
            guard let role = PeerRole(rawValue: fields[0]) else {
                problems.append("\(file):\(number): unknown role '\(fields[0].prefix(40))'; use node or client")
                continue
            }
            let name = fields[1]
            guard name.count <= 64, !name.isEmpty, name.unicodeScalars.allSatisfy(isNameCharacter) else {
                problems.append("\(file):\(number): invalid name '\(name.prefix(64))'; use letters, digits, `_`, `-` and `.`")
                continue
            }
            let key = fields[2]
            guard ZMQCurve.isKey(key) else {
                problems.append("\(file):\(number): not a public key: expected 40 Z85 characters (as in a .pub file from swell keygen)")
                continue
            }
            if let first = keys[key] {
                problems.append("\(file):\(number): this key is already listed on line \(first)")
                continue
            }
            if let first = names["\(role.rawValue):\(name)"] {
                problems.append("\(file):\(number): \(role.rawValue) '\(name)' is already listed on line \(first)")
                continue
            }
            keys[key] = number
            names["\(role.rawValue):\(name)"] = number
            entries.append(Entry(role: role, name: name, key: key, line: number))
        }
        guard problems.isEmpty else { throw KeyError(problems.joined(separator: "\n")) }
        return AuthorizedKeys(entries: entries)
    }

    static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-" || c == "."
    }
}
