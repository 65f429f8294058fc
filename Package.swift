// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way (a test, LayeringTests, keeps it so):
//   pros-pricer -> PROSService -> PROSWire -> PROSRules
//                             \-> HTTPServer -> CZlib, CSystem
//   PROSWire, PROSService -> JSON;  PROSService, pros-pricer -> CSV
// PROSRules, JSON and CSV depend on nothing; HTTPServer never sees PROS.
// The codec's and the rules' small functions are inlined into their callers across modules, as they were
// when one module held them all (without it, pricing a month costs about 19% more instructions).
let crossModule: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "pros-pricer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pros-pricer", targets: ["pros-pricer"]),
        .library(name: "PROSRules", targets: ["PROSRules"]),
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
    ],
    dependencies: [
        // The ecosystem's logging API; our JSON lines and bounded buffer are its LogHandler (PROSService).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The command line's parsing, help and usage errors.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // A PROS-free JSON reader, writer and value tree: bytes in, values or typed errors out.
        .target(name: "JSON", swiftSettings: crossModule),
        // Pure: the member-month model, the rules, rule sets and rates as values. No I/O, no JSON.
        .target(name: "PROSRules", swiftSettings: crossModule),
        // JSON <-> the rules' model: the member-month decoder, the claim encoder, config files.
        .target(name: "PROSWire", dependencies: ["PROSRules", "JSON"], swiftSettings: crossModule),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // epoll, eventfd and accept4 wrappers: the Linux calls Glibc's Swift module does not import.
        .target(name: "CSystem"),
        // Our HTTP/1.1 server on POSIX sockets and epoll. Knows nothing of PROS.
        .target(name: "HTTPServer",
                dependencies: ["CZlib", "CSystem", .product(name: "Logging", package: "swift-log")]),
        // RFC 4180 CSV reading and writing over bytes. Knows nothing of PROS.
        .target(name: "CSV", swiftSettings: crossModule),
        // The only place rules meet HTTP: routes, problem+json, config loading, metrics, logs, CSV billing exports.
        .target(name: "PROSService",
                dependencies: ["PROSRules", "PROSWire", "JSON", "HTTPServer", "CSV",
                               .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "pros-pricer",
                          dependencies: ["PROSService", "PROSWire", "PROSRules", "HTTPServer", "JSON", "CSV",
                                         .product(name: "Logging", package: "swift-log"),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // libcurl, used only by the integration tests as a real HTTP client.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(
            name: "PROSRulesTests", dependencies: ["PROSRules", "PROSWire", "JSON", "PROSService"],
            exclude: ["Fixtures"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "CSVTests", dependencies: ["CSV"]),
        .testTarget(name: "IntegrationTests",
                    dependencies: ["PROSService", "PROSWire", "HTTPServer", "PROSRules", "JSON", "CSV", "CCurl",
                                   .product(name: "Logging", package: "swift-log")]),
    ],
    swiftLanguageModes: [.v6]
)
