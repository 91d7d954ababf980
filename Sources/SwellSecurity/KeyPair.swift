import SwellZMQ

/// A CurveZMQ key pair read from a secret key file.
package struct KeyPair: Sendable, Equatable {
    package var publicKey: String
    package var secretKey: String
}
