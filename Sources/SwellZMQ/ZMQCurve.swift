import CZeroMQ
package import Foundation

/// CurveZMQ keys: 32-byte Curve25519 keys written as 40 Z85 characters.
package enum ZMQCurve {
    /// A new key pair from libzmq (libsodium underneath).
    package static func generateKeyPair() throws(ZMQError) -> (publicKey: String, secretKey: String) {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        defer { secretKey.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        return (text(publicKey), text(secretKey))
    }

    /// The public key that goes with a secret key, or nil if `secretKey` is not a Z85 key.
    package static func publicKey(forSecret secretKey: String) -> String? {
        guard isKey(secretKey) else { return nil }
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else { return nil }
        return text(publicKey)
    }

    /// Z85 text of 32 bytes (a key as ZAP hands it over).
    package static func z85(_ key: Data) -> String? {
        guard key.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        let ok = key.withUnsafeBytes { raw in
            zmq_z85_encode(&text, raw.bindMemory(to: UInt8.self).baseAddress, 32) != nil
        }
        return ok ? self.text(text) : nil
    }

    /// Whether `text` is a key: 40 characters of the Z85 alphabet that decode to 32 bytes.
    package static func isKey(_ text: String) -> Bool {
        guard text.utf8.count == 40, text.utf8.allSatisfy(isZ85) else { return false }
        var bytes = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&bytes, text) != nil
    }

    static func isZ85(_ byte: UInt8) -> Bool {
        // 0-9 a-z A-Z . - : + = ^ ! / * ? & < > ( ) [ ] { } @ % $ #
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return Array(".-:+=^!/*?&<>()[]{}@%$#".utf8).contains(byte)
        }
    }

    private static func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
