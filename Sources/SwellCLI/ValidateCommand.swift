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

    @Option(help: ArgumentHelp("The folder each node's --workdir stands for, as for swell run.", valueName: "dir"))
    var root: String?

    func run() throws {
        do {
            let parsed = try PlanParser.load(path: plan)
            let base = URL(fileURLWithPath: plan).standardizedFileURL.deletingLastPathComponent().path
            let scopes = try PartitionResolver.staticScopes(of: parsed, baseDirectory: base)
            _ = try PromptFiles.load(parsed, baseDirectory: base)
            let (rootPath, folder) = try PlanRunner.root(of: base, root)
            for warning in parsed.warnings { StandardStreams.err("\(warning)\n") }
            let place = folder.isEmpty ? "in each node's --workdir" : "in \(folder)/ below each node's --workdir"
            // Through StandardStreams: a stdout that cannot be written (closed, a full disk) is an error.
            StandardStreams.out(Data((PlanSummary.render(parsed, scopes: scopes)
                + "on a cluster, tasks run \(place), which stands for \(rootPath)\n").utf8))
        } catch let error as ClientError {
            StandardStreams.err(error.description + "\n")
            throw ExitCode(error.exit.rawValue)
        } catch {
            StandardStreams.err("\(error)\n")
            throw ExitCode(2)
        }
    }
}
