import Foundation
import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

@Suite struct ConfigTests {
    func files(_ dir: String) throws -> [(name: String, bytes: [UInt8])] {
        let url = packageRoot.appendingPathComponent("config/\(dir)")
        return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".json") }.sorted()
            .map {
                ("\(dir)/\($0)", Array(try Data(contentsOf: url.appendingPathComponent($0))))
            }
    }

    @Test func theBuiltInConfigIsTheShippedConfigFolder() throws {
        let disk = try files("rules").map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }
        #expect(disk.map(\.0) == BuiltinConfig.rules.map(\.0), "run scripts/embed-config.sh")
        #expect(disk.map(\.1) == BuiltinConfig.rules.map(\.1), "run scripts/embed-config.sh")
        let rates = try files("rates").map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }
        #expect(rates.map(\.0) == BuiltinConfig.rates.map(\.0), "run scripts/embed-config.sh")
        #expect(rates.map(\.1) == BuiltinConfig.rates.map(\.1), "run scripts/embed-config.sh")
        let payers = try files("payers").map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }
        #expect(payers.map(\.0) == BuiltinConfig.payers.map(\.0), "run scripts/embed-config.sh")
        #expect(payers.map(\.1) == BuiltinConfig.payers.map(\.1), "run scripts/embed-config.sh")
        let diskBook = try RuleBook.load(
            rules: try files("rules"), rates: try files("rates"), payers: try files("payers"))
        #expect(diskBook.digest == book.digest)
    }

    @Test func theShippedRuleSetCarriesTheSpecsNumbers() throws {
        let r = try #require(book.ruleSet(for: month("2025-04")))
        #expect(r.id == "pros-2025-04")
        #expect(r.effectiveTo == nil)
        #expect(r.unitMinutes == [.individual: 15, .collateral: 15, .group: 30])
        #expect((r.dailyCap, r.offsiteMultiplier, r.baseMinimumUnits, r.maxAddOns) == (5, 2, 4, 2))
        #expect(r.tiers.map(\.coding.rateCode) == ["4516", "4517", "4518"])
        #expect(r.addOnPriority == [.ct, .ir, .ors])
        #expect(r.ctAllowedInPreadmission == true)
        #expect(r.dailyCapAppliesToAddOns == false)
        #expect(r.oneToOneComponents == [.ors])
        #expect((r.prescriberContactWindowMonths, r.prescriberContactAdmissionMonths, r.maxRRECodes) == (2, 3, 2))
        #expect(
            r.preadmission.targetPopulation
                == TargetPopulationRule(maxConsecutiveMonths: 4, rateFactor: RateFactor("1.25")!))
        #expect(r.telehealthModifiers == [.audioVideo: "GT", .audioOnly: "93"])
        #expect(book.ruleSet(for: month("2025-03")) == nil)
        #expect(book.ruleSet(for: month("2031-01"))?.id == "pros-2025-04")
    }

    func loadError(_ edit: (String) -> String) throws -> ConfigError? {
        var rules = try files("rules")
        rules[0].bytes = Array(edit(String(decoding: rules[0].bytes, as: UTF8.self)).utf8)
        do { _ = try RuleBook.load(rules: rules, rates: []); return nil } catch { return error }
    }

    @Test(arguments: [
        (#""dailyCap": 5"#, #""dailyCap": "5""#, "/dailyCap"),
        (#""dailyCap": 5"#, #""dailyCap": 0"#, "/dailyCap"),
        (#""group": 30"#, #""group": -1"#, "/unitMinutes/group"),
        (#""effectiveFrom": "2025-04-01""#, #""effectiveFrom": "2025-04-02""#, "/effectiveFrom"),
        (#""minUnits": 12"#, #""minUnits": 13"#, "/tiers/1/minUnits"),
        (#""addOnPriority": ["CT", "IR", "ORS"]"#, #""addOnPriority": ["CT", "IR"]"#, "/addOnPriority"),
        (#""ctAllowedInPreadmission": true"#, #""ctAllowedInPreadmission": "no""#, "/ctAllowedInPreadmission"),
        (#""rateFactor": "1.25""#, #""rateFactor": "1.2.5""#, "/preadmission/targetPopulation/rateFactor"),
        (#""oneToOneComponents": ["ORS"]"#, #""oneToOneComponents": ["XX"]"#, "/oneToOneComponents/0"),
        (#""ctRequiresBaseRate": true,"#, "", "/ctRequiresBaseRate"),
        (#""audio-only": "93""#, #""audio-only": 93"#, "/telehealthModifiers/audio-only"),
    ])
    func aBadValueNamesItsFileAndKey(find: String, replace: String, key: String) throws {
        let e = try #require(try loadError { $0.replacingOccurrences(of: find, with: replace) })
        #expect(e.file == "rules/pros-2025-04.json")
        #expect(e.key == key)
    }

    @Test func badJSONNamesTheFile() throws {
        let e = try #require(try loadError { $0 + "}" })
        #expect(e.file == "rules/pros-2025-04.json")
        #expect(e.reason.contains("invalid JSON at byte"))
    }

    @Test func aBadRateNamesItsFileAndKey() throws {
        let bad = Array(
            #"{"id":"x","rates":[{"rateCode":"4516","effectiveFrom":"2025-04-01","amount":"12.345"}]}"#.utf8)
        do {
            _ = try RuleBook.load(rules: try files("rules"), rates: [("rates/x.json", bad)]); Issue.record("loaded")
        } catch {
            #expect(
                error as? ConfigError
                    == ConfigError(
                        file: "rates/x.json", key: "/rates/0/amount",
                        reason: "must be a decimal string with at most 2 places"))
        }
    }

    @Test func overlappingRuleSetsAreRejected() throws {
        let r = try files("rules")
        // A second rule set with its own id, open-ended like the first: the two overlap from 2025-04 on.
        let other = Array(
            String(decoding: r[0].bytes, as: UTF8.self)
                .replacingOccurrences(of: #""id": "pros-2025-04""#, with: #""id": "pros-later""#).utf8)
        let e = #expect(throws: ConfigError.self) {
            try RuleBook.load(rules: [r[0], ("rules/later.json", other)], rates: [])
        }
        #expect(e?.key == "/effectiveTo")
        #expect(
            e?.reason == "rule sets pros-2025-04 and pros-later overlap"
                || e?.reason == "rule sets pros-later and pros-2025-04 overlap")
    }

    @Test func theExampleSchedulesAreLabelledAsExamples() {
        for s in book.rateSchedules.values { #expect(s.description.hasPrefix("EXAMPLE ONLY")) }
    }
}

/// `rateSchedule(named:)` and `payer(named:)` find what the dictionaries hold, whether they compare ids in
/// turn (a few) or look them up (more than `scanLimit`).
@Suite struct RuleBookLookupTests {
    @Test(arguments: [0, 1, 2, RuleBook.scanLimit, RuleBook.scanLimit + 1, 20])
    func namedLookupsAgreeWithTheDictionaries(count: Int) {
        let ids = (0..<count).map { "example-provider-\($0)" }  // longer than a string stored inline
        let book = RuleBook(
            ruleSets: [], rateSchedules: ids.map { RateSchedule(id: $0, description: "d\($0)", rates: []) },
            payers: ids.map { PayerProfile(id: $0, description: "p\($0)", policy: PolicyOverrides()) })
        for id in ids + ["", "example-provider-", "example-provider-99", "Example-Provider-0"] {
            #expect(book.rateSchedule(named: id)?.description == book.rateSchedules[id]?.description, "\(id)")
            #expect(book.payer(named: id)?.description == book.payers[id]?.description, "\(id)")
        }
        for id in ids {
            #expect(book.rateSchedule(named: id)?.id == id)
            #expect(book.payer(named: id)?.id == id)
        }
    }
}
