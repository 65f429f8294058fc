import Foundation
import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// MVP Health Care's worked examples (February 2025 training), laid on real calendar dates, as JSON fixtures.
@Suite struct SeedExampleTests {
    struct Fixture {
        let name: String
        let request: [UInt8]
        let expected: JSONValue
    }

    static func load(_ name: String) throws -> Fixture {
        let url = packageRoot.appendingPathComponent("Tests/PROSRulesTests/Fixtures/seed-\(name).json")
        let doc = try JSONValue.parse(Array(try Data(contentsOf: url)))
        var w = JSONWriter()
        w.value(doc["request"]!)
        return Fixture(name: name, request: w.bytes, expected: doc["expected"]!)
    }

    @Test(arguments: ["ashley", "jorge", "joe", "mary"])
    func pricesTheSeedExampleExactly(_ name: String) throws {
        let f = try Self.load(name)
        let claim = try pricer.price(json: f.request).get()
        let e = f.expected
        #expect(.number(String(claim.units.accrued)) == e["accrued"])
        #expect(.number(String(claim.units.tier)) == e["tier"])
        for c in Component.allCases {
            #expect(.number(String(claim.units.byComponent[c])) == e["byComponent"]![c.rawValue], "\(c)")
        }
        guard case .array(let lines) = e["lines"]! else { Issue.record("lines"); return }
        #expect(claim.lines.count == lines.count)
        for (line, want) in zip(claim.lines, lines) {
            #expect(.string(line.rateCode) == want["rateCode"])
            #expect(.string(line.procedureCode) == want["procedureCode"])
            #expect(.array(line.modifiers.map(JSONValue.string)) == want["modifiers"])
            #expect(.number(String(line.units)) == want["units"])
            #expect((line.amount.map { JSONValue.string($0.description) } ?? .null) == want["amount"])
        }
        #expect((claim.total.map { JSONValue.string($0.description) } ?? .null) == e["total"])
        #expect(.array(claim.codes.map { .string($0.rawValue) }) == e["findings"])
    }

    @Test func ashleyPricesToTheSeedTotalCorrected() throws {
        // The training prints 1,177.21; its own parts sum to 1,187.21.
        let claim = try pricer.price(json: try Self.load("ashley").request).get()
        #expect(claim.total == Money("1187.21"))
        #expect(claim.dateOfService == date("2025-05-31"))
    }
}
