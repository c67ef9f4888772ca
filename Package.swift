// swift-tools-version: 6.0
// SMSKit — GSM modems and secure SMS. See README.md and docs/.
import PackageDescription

let package = Package(
    name: "SMSKit",
    // Linux only: SerialPort, ModemDiscovery and the emulator use Glibc, termios, PTYs, netlink and
    // libudev directly, so no Apple platform is declared (none would build).
    products: [
        .library(name: "SMSPDU", targets: ["SMSPDU"]),
        .library(name: "SerialPort", targets: ["SerialPort"]),
        .library(name: "ATModem", targets: ["ATModem"]),
        .library(name: "ModemDiscovery", targets: ["ModemDiscovery"]),
        .library(name: "SecureSMS", targets: ["SecureSMS"]),
        .library(name: "ModemEmulator", targets: ["ModemEmulator"]),
        .library(name: "SMSGateway", targets: ["SMSGateway"]),
        .executable(name: "smskit", targets: ["smskit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // System libraries (pkg-config; see scripts/setup.sh for the apt packages).
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CUDev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),

        // Pure 3GPP TS 23.040 / 23.038 codec. Foundation only.
        .target(name: "SMSPDU"),
        // termios ttys, UUCP locks, async byte I/O.
        .target(name: "SerialPort"),
        // AT channel framing and the Modem actor.
        .target(name: "ATModem", dependencies: [
            "SMSPDU", "SerialPort",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // libudev enumeration, classification, hot-plug.
        .target(name: "ModemDiscovery", dependencies: [
            "CUDev", "ATModem",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // End-to-end encryption over SMS (libsodium).
        .target(name: "SecureSMS", dependencies: [
            "CSodium", "SMSPDU", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // SecureSMS sessions over an ATModem.Modem (binary port-addressed or text frames).
        .target(name: "SecureTransport", dependencies: [
            "SecureSMS", "ATModem", "SMSPDU", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The SecureSMS state in SQLite (one sealed row per peer), for the gateway and the benchmark.
        .target(name: "SecureStateSQLite", dependencies: [
            "SecureSMS",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Virtual modems on PTYs and a virtual operator network.
        .target(name: "ModemEmulator", dependencies: [
            "SMSPDU",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The gateway service: durable store, scheduler over modems, inbound, HTTP API.
        .target(name: "SMSGateway", dependencies: [
            "CSodium", "SMSPDU", "ATModem", "ModemDiscovery", "ModemEmulator", "SecureSMS", "SecureStateSQLite",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // The command-line tool.
        .executableTarget(name: "smskit", dependencies: [
            "SMSPDU", "SerialPort", "ATModem", "ModemDiscovery", "SecureSMS", "SecureTransport", "ModemEmulator",
            "SMSGateway",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // libFuzzer target for the PDU decoder (docs/fuzzing.md); a replay tool in normal builds.
        .executableTarget(name: "FuzzPDU", dependencies: ["SMSPDU"]),
        // libFuzzer target for the SecureSMS frame parser (docs/fuzzing.md); a replay tool in normal builds.
        .executableTarget(name: "FuzzFrames", dependencies: ["SecureSMS"]),
        // SecureSMS v2 seal/open and per-message store figures (docs/benchmarks.md), SecureSMS only.
        .executableTarget(name: "SecureBench", dependencies: ["SecureSMS", "SecureStateSQLite", .product(name: "GRDB", package: "GRDB.swift")]),

        // Shared by the test targets: child processes (posix_spawn, reads on plain threads), temp dirs, paths.
        .target(name: "SMSKitTestSupport", dependencies: ["CTestSpawn"], path: "Tests/SMSKitTestSupport"),
        .target(name: "CTestSpawn", path: "Tests/CTestSpawn"),
        .testTarget(name: "SMSPDUTests", dependencies: ["SMSPDU", "SMSKitTestSupport"], exclude: ["Resources"]),
        .testTarget(name: "ATModemTests", dependencies: [
            "ATModem", "SMSKitTestSupport", "SerialPort", "ModemEmulator", "SMSPDU", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ModemEmulatorTests", dependencies: [
            "ModemEmulator", "SMSPDU", "SMSKitTestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "ModemDiscoveryTests", dependencies: ["ModemDiscovery", "SMSKitTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "SMSGatewayTests", dependencies: [
            "SMSGateway", "SMSKitTestSupport", "SMSPDU", "ATModem", "ModemEmulator", "SecureSMS", "SecureStateSQLite", "SecureTransport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "SecureSMSTests", dependencies: [
            "SecureSMS", "SecureTransport", "ATModem", "ModemEmulator", "SMSPDU", "SMSKitTestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
