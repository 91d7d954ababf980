// The shared driver of Swell's fuzz targets.
//
// A normal build replays inputs: `fuzz-x FILE|DIR...` runs every file through the target once,
// which is how a crash found by the fuzzer becomes a reproducible case. `fuzz-x --seeds DIR`
// writes the target's seed inputs. A build with FUZZING defined and libFuzzer linked
// (scripts/fuzz) hands the remaining arguments to libFuzzer instead.
package import Foundation

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// libFuzzer's callback is a C function pointer, so the target lives in a global.
nonisolated(unsafe) private var currentTarget: ((UnsafeRawBufferPointer) -> Void)?
#endif

package enum FuzzMain {
    package static func run(name: String, seeds: () -> [Data], testOne: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let flag = arguments.firstIndex(of: "--seeds") {
            guard flag + 1 < arguments.count else { fail(name, "--seeds needs a directory") }
            let directory = URL(fileURLWithPath: arguments[flag + 1])
            writeSeeds(seeds(), to: directory, name: name)
            arguments.removeSubrange(flag...(flag + 1))
            if arguments.isEmpty { exit(0) }
        }
        #if FUZZING
        currentTarget = testOne
        // libFuzzer reads its options from argv: hand it the arguments without our own flags.
        let kept = [CommandLine.arguments[0]] + arguments
        let storage = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: kept.count + 1)
        for (index, argument) in kept.enumerated() { storage[index] = strdup(argument) }
        storage[kept.count] = nil
        var argc = CInt(kept.count)
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = storage
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            currentTarget?(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        exit(status)
        #else
        guard !arguments.isEmpty else {
            fail(name, "usage: \(name) FILE|DIR... (replay) or \(name) --seeds DIR; scripts/fuzz builds the fuzzing variant")
        }
        var count = 0
        for path in arguments {
            for file in files(at: path, name: name) {
                guard let data = FileManager.default.contents(atPath: file) else { fail(name, "cannot read \(file)") }
                data.withUnsafeBytes { testOne($0) }
                count += 1
            }
        }
        print("\(name): replayed \(count) input(s) without a crash")
        exit(0)
        #endif
    }

    private static func writeSeeds(_ seeds: [Data], to directory: URL, name: String) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (index, seed) in seeds.enumerated() {
                try seed.write(to: directory.appendingPathComponent("seed-\(index)"))
            }
        } catch {
            fail(name, "cannot write seeds to \(directory.path): \(error)")
        }
    }

    private static func files(at path: String, name: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { fail(name, "no such file: \(path)") }
        guard isDirectory.boolValue else { return [path] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return entries.sorted().map { path + "/" + $0 }.filter {
            var dir: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &dir) && !dir.boolValue
        }
    }

    private static func fail(_ name: String, _ message: String) -> Never {
        FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
        exit(2)
    }
}
