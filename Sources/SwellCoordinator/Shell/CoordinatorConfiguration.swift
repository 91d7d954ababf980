package import SwellSecurity

/// How a coordinator listens and where it keeps its journal.
package struct CoordinatorConfiguration: Sendable {
    /// Endpoints to bind: `tcp://HOST:PORT` (port 0 picks a free one) or `inproc://NAME`.
    package var listen: [String]
    /// The journal's folder.
    package var stateDirectory: String
    package var settings: CoordinatorSettings
    /// CURVE: the coordinator's key pair and who may connect. Nil: no authentication.
    package var security: Security?
    /// Called once the socket is bound, with the endpoints actually bound.
    package var onListening: @Sendable ([String]) -> Void
    /// Serve Prometheus metrics here (`HOST:PORT`, `--metrics`); nil: no metrics.
    package var metrics: String?
    /// Called once the metrics server listens, with its `HOST:PORT`.
    package var onMetrics: @Sendable (String) -> Void = { _ in }

    /// A CURVE server's keys and the keys it admits.
    package struct Security: Sendable {
        package var publicKey: String
        package var secretKey: String
        package var authorized: AuthorizedKeys
        /// The file `authorized` was read from: read again on SIGHUP.
        package var authorizedFile: String?

        package init(publicKey: String, secretKey: String, authorized: AuthorizedKeys, authorizedFile: String? = nil) {
            self.publicKey = publicKey
            self.secretKey = secretKey
            self.authorized = authorized
            self.authorizedFile = authorizedFile
        }
    }

    package init(listen: [String], stateDirectory: String, settings: CoordinatorSettings = CoordinatorSettings(),
                security: Security? = nil,
                onListening: @escaping @Sendable ([String]) -> Void = { _ in }) {
        self.listen = listen
        self.stateDirectory = stateDirectory
        var settings = settings
        if security != nil { settings.security = .curve }
        self.settings = settings
        self.security = security
        self.onListening = onListening
    }
}
