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
        // The ecosystem's logging API; our JSON lines and bounded buffer are its LogHandler (PROSService).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Pure: the member-month model, the rules, rule sets and rates as values. No I/O.
        .target(name: "PROSRules"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // epoll, eventfd and accept4 wrappers: the Linux calls Glibc's Swift module does not import.
        .target(name: "CSystem"),
        // Our HTTP/1.1 server on POSIX sockets and epoll. Knows nothing of PROS.
        .target(name: "HTTPServer",
                dependencies: ["CZlib", "CSystem", .product(name: "Logging", package: "swift-log")]),
        // The only place rules meet HTTP.
        .target(name: "PROSService",
                dependencies: ["PROSRules", "HTTPServer", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "pros-pricer",
                          dependencies: ["PROSService", "PROSRules", "HTTPServer",
                                         .product(name: "Logging", package: "swift-log")]),
        // libcurl, used only by the integration tests as a real HTTP client.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .testTarget(name: "PROSRulesTests", dependencies: ["PROSRules"], exclude: ["Fixtures"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "IntegrationTests",
                    dependencies: ["PROSService", "HTTPServer", "PROSRules", "CCurl",
                                   .product(name: "Logging", package: "swift-log")]),
    ],
    swiftLanguageModes: [.v6]
)
