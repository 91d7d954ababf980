package import ArgumentParser
package import SwellCore
import Foundation

/// `--set NAME=VALUE`: split at the first `=`.
extension VarOverride: ExpressibleByArgument {
    package init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        self.init(name: String(argument[..<equals]), value: String(argument[argument.index(after: equals)...]))
    }

    package static var defaultCompletionKind: CompletionKind { .default }

    /// The names of `overrides` whose NAME=VALUE argument was not UTF-8 on the command line:
    /// the arguments come decoded with U+FFFD in place of such bytes, which would silently run
    /// the plan with another value than the one given.
    package static func notUTF8(_ overrides: [VarOverride], arguments: [[UInt8]]) -> [String] {
        let broken = arguments.filter { String(validating: $0, as: UTF8.self) == nil }.map { String(decoding: $0, as: UTF8.self) }
        guard !broken.isEmpty else { return [] }
        return overrides.filter { o in o.value.unicodeScalars.contains("\u{FFFD}") && broken.contains { $0.hasSuffix(o.name + "=" + o.value) } }
            .map(\.name)
    }

    /// This process's arguments as bytes.
    package static var rawArguments: [[UInt8]] {
        (0..<Int(CommandLine.argc)).compactMap { i in
            CommandLine.unsafeArgv[i].map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) }
        }
    }
}
