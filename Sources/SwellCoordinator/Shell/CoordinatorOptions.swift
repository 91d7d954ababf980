import Logging
import ServiceLifecycle
import SwellSecurity
import SwellZMQ

/// What a `swell-coordinator` process is asked to do, its options checked.
package struct CoordinatorOptions: Sendable {
    package var listen: String
    package var stateDirectory: String
    /// This coordinator's secret key file and the authorized file: both or neither.
    package var keyFile: String?
    package var authorizedFile: String?
    /// Listen beyond loopback without keys.
    package var insecure: Bool
    package var settings: CoordinatorSettings
    /// Where to serve Prometheus metrics (`--metrics HOST:PORT`); nil: nowhere.
    package var metrics: String?

    package init(listen: String, stateDirectory: String, keyFile: String? = nil, authorizedFile: String? = nil,
                 insecure: Bool = false, settings: CoordinatorSettings = CoordinatorSettings(), metrics: String? = nil) {
        self.metrics = metrics
        self.listen = listen
        self.stateDirectory = stateDirectory
        self.keyFile = keyFile
        self.authorizedFile = authorizedFile
        self.insecure = insecure
        self.settings = settings
    }
}
