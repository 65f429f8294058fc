import Foundation
import Testing

@testable import PROSRules

/// The findings catalogue: complete, self-contained, and the same text as `docs/findings.md`.
@Suite struct FindingCatalogueTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs")

    static func read(_ name: String) throws -> String {
        try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
    }

    /// Every code the rules can report: the findings (v1, v2 and the project's own) and the hints.
    static let findingCodes = [
        "BELOW_UNIT_MINIMUM", "TELEHEALTH_COUNTED_ONSITE", "DAILY_CAP_APPLIED", "SERVICE_TIME_OVERLAP",
        "BASE_MINIMUM_NOT_MET", "IR_MINIMUM_NOT_MET", "ORS_MINIMUM_NOT_MET", "CT_MINIMUM_NOT_MET",
        "IR_ORS_EXCLUSIVE", "MAX_ADDONS", "CT_REQUIRES_BASE_RATE", "CT_RRE_MISSING",
        "CT_PRESCRIBER_CONTACT_MISSING", "ADDON_NOT_ALLOWED_PREADMISSION", "PREADMISSION_CONSECUTIVE_LIMIT",
        "SERVICE_AFTER_DISCHARGE", "EMPLOYMENT_SETTING_NOT_ONE_TO_ONE", "NO_BILLABLE_UNITS", "ADMISSION_MONTH",
        "NO_RATE", "ORS_NOT_ONE_TO_ONE", "CT_PRESCRIBER_CONTACT_PENDING", "UNITS_BELOW_TIER_RANGE",
        "RRE_CODES_OVER_LIMIT", "TARGET_POPULATION", "UNKNOWN_FIELDS_IGNORED",
    ]
    static let hintCodes = ["BASE_MINIMUM_GAP", "NEXT_TIER_GAP", "IR_MINIMUM_GAP", "ORS_MINIMUM_GAP", "CT_CONTACT_DUE"]

    /// `PROS_REGENERATE_DOCS=1 swift test --filter FindingCatalogueTests` rewrites the page from the catalogue.
    @Test func docsFindingsIsTheRenderedCatalogue() throws {
        let rendered = FindingCatalogue.markdown() + "\n"
        if ProcessInfo.processInfo.environment["PROS_REGENERATE_DOCS"] == "1" {
            try rendered.write(to: Self.docs.appendingPathComponent("findings.md"), atomically: true, encoding: .utf8)
        }
        // On a drift, run: PROS_REGENERATE_DOCS=1 swift test --filter FindingCatalogueTests
        #expect(try Self.read("findings.md") == rendered, "docs/findings.md differs from the catalogue")
    }

    @Test func coversEveryFindingAndHintCodeExactlyOnce() {
        let codes = FindingCatalogue.entries.map(\.code)
        #expect(Set(codes).count == codes.count, "duplicate codes")
        #expect(codes.filter { !Self.findingCodes.contains($0) && !Self.hintCodes.contains($0) } == [])
        #expect(Self.findingCodes.filter { !codes.contains($0) } == [])
        #expect(Self.hintCodes.filter { !codes.contains($0) } == [])
        #expect(Set(FindingCatalogue.entries.filter { $0.kind == "hint" }.map(\.code)) == Set(Self.hintCodes))
    }

    @Test func coversEveryCodeTheRulesCanReport() {
        let codes = Set(FindingCatalogue.entries.map(\.code))
        #expect(FindingCode.allCases.filter { !codes.contains($0.rawValue) } == [])
    }

    @Test func everyEntryIsCompleteAndStandsAlone() {
        for e in FindingCatalogue.entries {
            let texts = [e.code, e.kind, e.severity, e.title, e.meaning, e.action, e.source, e.rule]
            #expect(texts.allSatisfy { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }, "\(e.code)")
            for t in texts {
                #expect(!t.contains("SPEC") && !t.contains("§") && !t.lowercased().contains("seed"), "\(e.code): \(t)")
                #expect(!t.contains("\n") && !t.contains("  "), "\(e.code): one line, single spaces: \(t)")
            }
            #expect(
                e.kind == "finding" ? ["info", "warning", "denied"].contains(e.severity) : e.severity == "hint",
                "\(e.code)")
            #expect(e.rule.hasPrefix("docs/rules.md#"), "\(e.code)")
        }
    }

    @Test func severitiesAreTheOnesTheRulesUse() {
        let pairs = FindingCatalogue.entries.map { ($0.code, $0.severity) }
        let severity = Dictionary(pairs, uniquingKeysWith: { first, _ in first })  // duplicates: another test
        let expected = [
            "BELOW_UNIT_MINIMUM": "warning", "TELEHEALTH_COUNTED_ONSITE": "info", "DAILY_CAP_APPLIED": "info",
            "SERVICE_TIME_OVERLAP": "warning", "BASE_MINIMUM_NOT_MET": "denied", "IR_ORS_EXCLUSIVE": "denied",
            "CT_PRESCRIBER_CONTACT_PENDING": "warning", "UNITS_BELOW_TIER_RANGE": "info",
            "RRE_CODES_OVER_LIMIT": "warning", "TARGET_POPULATION": "info", "UNKNOWN_FIELDS_IGNORED": "info",
            "SERVICE_AFTER_DISCHARGE": "warning", "EMPLOYMENT_SETTING_NOT_ONE_TO_ONE": "warning",
            "NO_BILLABLE_UNITS": "info", "ADMISSION_MONTH": "info", "PREADMISSION_CONSECUTIVE_LIMIT": "denied",
        ]
        for (code, want) in expected { #expect(severity[code] == want, "\(code)") }
    }

    /// The anchors of a page's headings, as GitHub makes them: lower case, punctuation dropped, spaces as hyphens.
    static func anchors(_ page: String) throws -> Set<String> {
        var inCode = false
        var result = Set<String>()
        for line in try read(page).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode, line.hasPrefix("#") else { continue }
            let text = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
            result.insert(
                String(
                    text.compactMap { c -> Character? in
                        c == " " ? "-" : (c.isLetter || c.isNumber || c == "-" || c == "_") ? c : nil
                    }))
        }
        return result
    }

    @Test func everyRuleLinkNamesAHeadingOfTheRulesPage() throws {
        let anchors = try Self.anchors("rules.md")
        for e in FindingCatalogue.entries {
            let anchor = String(e.rule.split(separator: "#").last ?? "")
            #expect(anchors.contains(anchor), "\(e.code): no heading for \(e.rule)")
        }
    }

    static let pages = ["rules.md", "api.md", "findings.md"]

    @Test(arguments: pages)
    func everyLinkBetweenThePagesResolves(_ page: String) throws {
        let text = try Self.read(page)
        var rest = Substring(text)
        while let open = rest.range(of: "](") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: ")") else { break }
            let target = rest[..<close]
            rest = rest[close...]
            let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let file = parts[0].isEmpty ? page : String(parts[0])
            guard Self.pages.contains(file) else { continue }  // a link outside docs/ (none today)
            if parts.count == 2 {
                #expect(try Self.anchors(file).contains(String(parts[1])), "\(page): no heading for \(target)")
            }
        }
    }

    @Test(arguments: pages)
    func thePagesCiteNoInternalDocuments(_ page: String) throws {
        let text = try Self.read(page)
        for word in ["SPEC", "§", "../" + "shared", "API.md", "seed 0", "seeds/"] {
            #expect(!text.contains(word), "\(page) mentions \(word)")
        }
    }
}
