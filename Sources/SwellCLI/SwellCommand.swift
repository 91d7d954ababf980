package import ArgumentParser
import SwellProtocol

/// `swell`: run and inspect plans.
package struct SwellCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "swell",
        abstract: "Run wave-based parallel plans on this machine or across a cluster.",
        version: SwellVersion.current,
        subcommands: [RunCommand.self, ValidateCommand.self, StatusCommand.self, LogsCommand.self, CancelCommand.self,
                      KeygenCommand.self, PruneCommand.self, ReportCommand.self])

    package init() {}
}
