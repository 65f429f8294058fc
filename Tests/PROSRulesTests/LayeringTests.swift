import Foundation
import Testing

/// The architecture, checked: which module may import which (the README's diagram), and what the rules
/// module must never contain. A new `import` that breaks the layering fails here, not in review.
@Suite struct LayeringTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// The modules each module may import (system modules included). Anything else is a layering error.
    static let allowed: [String: Set<String>] = [
        "JSON": [],
        "CSV": [],
        "PROSRules": [],
        "PROSWire": ["JSON", "PROSRules"],
        "HTTPServer": ["CSystem", "CZlib", "Glibc", "Synchronization", "Logging"],
        "PROSService": [
            "HTTPServer", "JSON", "CSV", "PROSRules", "PROSWire", "Glibc", "Darwin", "Dispatch", "Synchronization",
            "Logging",
        ],
        "pros-pricer": [
            "PROSService", "PROSWire", "PROSRules", "HTTPServer", "JSON", "CSV", "Glibc", "Dispatch",
            "ArgumentParser", "Logging",
        ],
    ]

    static func swiftFiles(of module: String) throws -> [URL] {
        let dir = sources.appendingPathComponent(module)
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
    }

    static func imports(of file: URL) throws -> [String] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
                words[..<i].allSatisfy({ $0.hasPrefix("@") })
            else { return nil }
            return String(words[i + 1])
        }
    }

    @Test(arguments: allowed.keys.sorted())
    func importsFollowTheLayers(module: String) throws {
        let files = try Self.swiftFiles(of: module)
        #expect(!files.isEmpty, "no sources for \(module)")
        for file in files {
            for imported in try Self.imports(of: file) {
                #expect(
                    Self.allowed[module]!.contains(imported),
                    "\(module)/\(file.lastPathComponent) imports \(imported)")
            }
        }
    }

    /// Every Swift source module is listed above, so a new one is placed in the layering on purpose (the
    /// C ones, a module map or C sources, are not).
    @Test func everyModuleHasItsLayer() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
            .filter { name in try !name.hasPrefix(".") && !Self.swiftFiles(of: name).isEmpty }
        #expect(Set(modules) == Set(Self.allowed.keys))
    }

    /// The rules read as the rules: no unsafe pointers, no HTTP, no I/O in PROSRules.
    @Test func theRulesModuleIsPure() throws {
        for file in try Self.swiftFiles(of: "PROSRules") {
            let text = try String(contentsOf: file, encoding: .utf8)
            for word in ["Unsafe", "HTTP", "problem+json", "Problem", "Dispatch", "print("] {
                #expect(!text.contains(word), "PROSRules/\(file.lastPathComponent) contains \(word)")
            }
        }
    }
}
