import Foundation

/// ACK goes out once per coordinator pass and node event: written and read without Codable,
/// in the same JSON as the Codable form.
extension Ack {
    func header() -> Data {
        var w = JSONWriter(capacity: 32 + 8 * acks.count)
        w.raw("{")
        w.key("id", first: true); w.integer(id)
        w.key("acks"); w.raw("[")
        for (i, ack) in acks.enumerated() {
            if i > 0 { w.raw(",") }
            w.integer(ack)
        }
        w.raw("]}")
        return Data(w.bytes)
    }

    static func read(_ header: Data) throws(WireError) -> Ack {
        let json: JSONValue
        do {
            json = try JSONReader.parse(header)
        } catch {
            throw WireError(.malformed, "ACK header: \(error.problem) at byte \(error.offset)")
        }
        func id(_ value: JSONValue?) -> UInt64? {
            guard let value, case .number(_, let integer?) = value else { return nil }
            return UInt64(exactly: integer)
        }
        guard let own = id(json["id"]), case .array(let items)? = json["acks"] else {
            throw WireError(.malformed, "ACK: missing or bad fields")
        }
        var acks: [UInt64] = []
        acks.reserveCapacity(items.count)
        for item in items {
            guard let ack = id(item) else { throw WireError(.malformed, "ACK: bad id in 'acks'") }
            acks.append(ack)
        }
        return Ack(id: own, acks: acks)
    }
}
