import ArgumentParser
import Foundation
import SwellClient
import SwellPlan

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a plan and print its stage waves and task counts.")

    @Argument(help: "The plan file (YAML).")
    var plan: String

    func run() throws {
        do {
            let parsed = try PlanParser.load(path: plan)
            let base = URL(fileURLWithPath: plan).standardizedFileURL.deletingLastPathComponent().path
            let scopes = try PartitionResolver.staticScopes(of: parsed, baseDirectory: base)
            print(PlanSummary.render(parsed, scopes: scopes), terminator: "")
        } catch {
            StandardStreams.err(error.description + "\n")
            throw ExitCode(2)
        }
    }
}
