// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pros-pricer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pros-pricer", targets: ["pros-pricer"]),
        .library(name: "PROSRules", targets: ["PROSRules"]),
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Pure: the member-month model, the rules, rule sets and rates as values. No I/O.
        .target(name: "PROSRules"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // epoll, eventfd and accept4 wrappers: the Linux calls Glibc's Swift module does not import.
        .target(name: "CSystem"),
        // Our HTTP/1.1 server on POSIX sockets and epoll. Knows nothing of PROS.
        .target(name: "HTTPServer", dependencies: ["CZlib", "CSystem"]),
        // RFC 4180 CSV reading and writing over bytes. Knows nothing of PROS.
        .target(name: "CSV"),
        // The only place rules meet HTTP (and CSV billing exports).
        .target(name: "PROSService", dependencies: ["PROSRules", "HTTPServer", "CSV"]),
        .executableTarget(name: "pros-pricer", dependencies: [
            "PROSService", "PROSRules", "HTTPServer", "CSV",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // libcurl, used only by the integration tests as a real HTTP client.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .testTarget(name: "PROSRulesTests", dependencies: ["PROSRules"], exclude: ["Fixtures"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "CSVTests", dependencies: ["CSV"]),
        .testTarget(name: "IntegrationTests", dependencies: ["PROSService", "HTTPServer", "PROSRules", "CCurl"]),
    ],
    swiftLanguageModes: [.v6]
)
