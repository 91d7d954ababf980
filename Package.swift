// swift-tools-version: 6.2
import PackageDescription

// Release binaries carry the Swift runtime and Foundation inside them, so `.build/release/swell*` run
// on a host that has no Swift toolchain: only libzmq and SQLite come from the system (docs/deploy.md).
// Compiling against the static modules makes Foundation's own libraries part of the link, so every
// module is compiled so and every executable (the test runner too) linked so. Debug builds, which
// the tests use, keep the shared runtime and link faster.
let standalone: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]
let standaloneLink: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
] + standalone

let package = Package(
    name: "swell",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swell", targets: ["swell"]),
        .executable(name: "swell-coordinator", targets: ["swell-coordinator"]),
        .executable(name: "swell-node", targets: ["swell-node"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // libzmq's header is in /usr/include and the module map links it. No pkg-config: Debian's
        // libzmq.pc adds -isystem flags (krb5, pgm, libxml2) that SwiftPM refuses with a warning.
        .systemLibrary(
            name: "CZeroMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // glibc's <malloc.h>, for mallopt: the Glibc module does not export it.
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CSpawn"),
        // What every binary checks before main: closed standard streams (made /dev/null), an
        // open-file limit too low to start.
        .target(name: "CStartup"),
        .target(
            name: "SwellZMQ",
            dependencies: ["CZeroMQ", .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: strict
        ),
        .target(
            name: "SwellCore",
            swiftSettings: strict
        ),
        .target(
            name: "SwellSecurity",
            dependencies: ["SwellCore", "SwellZMQ"],
            swiftSettings: strict
        ),
        .target(
            name: "SwellPlan",
            dependencies: ["SwellCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "SwellProtocol",
            dependencies: ["SwellCore", "SwellPlan"],
            swiftSettings: strict
        ),
        .target(
            name: "SwellWire",
            dependencies: ["SwellCore", "SwellProtocol"],
            swiftSettings: strict
        ),
        .target(
            name: "SwellJournal",
            dependencies: ["SwellCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "SwellNode",
            dependencies: [
                "CSpawn", "SwellCore", "SwellPlan", "SwellProtocol", "SwellWire", "SwellZMQ", "SwellSecurity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SwellCoordinator",
            dependencies: [
                "CMalloc",
                "SwellCore", "SwellPlan", "SwellProtocol", "SwellWire", "SwellZMQ", "SwellJournal", "SwellSecurity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SwellClient",
            dependencies: [
                "SwellCore", "SwellPlan", "SwellProtocol", "SwellWire", "SwellZMQ", "SwellJournal", "SwellSecurity",
                "SwellCoordinator", "SwellNode", "CStartup",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SwellCLI",
            dependencies: [
                "SwellCore", "SwellPlan", "SwellClient", "SwellCoordinator", "SwellNode", "SwellZMQ", "SwellSecurity", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "swell", dependencies: ["SwellCLI"], swiftSettings: strict, linkerSettings: standaloneLink),
        // What every test target shares: waiting on a condition with a deadline, seeded random input.
        .target(name: "SwellTestSupport", dependencies: ["SwellCore"], path: "Tests/SwellTestSupport", swiftSettings: strict),
        .testTarget(name: "SwellCoreTests", dependencies: ["SwellCore"], swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(name: "SwellPlanTests", dependencies: ["SwellPlan", "SwellCore"], swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(name: "SwellProtocolTests", dependencies: ["SwellProtocol", "SwellCore", "SwellPlan"], swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(name: "SwellWireTests", dependencies: ["SwellTestSupport", "SwellWire", "SwellProtocol", "SwellCore", "SwellPlan"], swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(name: "SwellZMQTests", dependencies: ["SwellTestSupport", "SwellZMQ"], swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(name: "SwellSecurityTests", dependencies: ["SwellSecurity", "SwellCore", "SwellZMQ"], swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(
            name: "SwellJournalTests",
            dependencies: ["SwellJournal", "SwellCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(
            name: "SwellNodeTests", dependencies: ["SwellTestSupport", "SwellNode", "SwellProtocol", "SwellCore", "SwellPlan", "SwellSecurity"],
            swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(
            name: "SwellCoordinatorTests",
            dependencies: ["SwellCoordinator", "SwellProtocol", "SwellWire", "SwellCore", "SwellPlan", "SwellJournal", "SwellZMQ",
                           "SwellTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(
            name: "SwellClientTests", dependencies: ["SwellClient", "SwellProtocol", "SwellCore", "SwellPlan"],
            swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(
            name: "SwellCLITests", dependencies: ["SwellCLI", "SwellPlan", "SwellCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict, linkerSettings: standaloneLink),
        .testTarget(
            name: "IntegrationTests",
            // CZeroMQ, SwellProtocol and SwellWire: the hostile peer speaks raw ZeroMQ.
            dependencies: ["SwellTestSupport", "SwellCore", "SwellProtocol", "SwellWire", "CZeroMQ", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict, linkerSettings: standaloneLink),
        .executableTarget(name: "swell-coordinator", dependencies: ["SwellCLI"], swiftSettings: strict, linkerSettings: standaloneLink),
        .executableTarget(name: "swell-node", dependencies: ["SwellCLI"], swiftSettings: strict, linkerSettings: standaloneLink),
        // Fuzz targets: replay inputs in a normal build; scripts/fuzz builds them with libFuzzer.
        .target(name: "FuzzSupport", swiftSettings: strict),
        .executableTarget(
            name: "fuzz-wire", dependencies: ["FuzzSupport", "SwellCoordinator", "SwellProtocol", "SwellWire", "SwellCore"],
            swiftSettings: strict, linkerSettings: standaloneLink),
        .executableTarget(
            name: "fuzz-plan", dependencies: ["FuzzSupport", "SwellPlan", "SwellCore", "SwellSecurity"], swiftSettings: strict, linkerSettings: standaloneLink),
    ],
    swiftLanguageModes: [.v6]
)
