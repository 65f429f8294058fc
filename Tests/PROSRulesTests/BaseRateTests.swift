import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// The CRS minimum and the three tiers (docs/rules.md#base-rate-minimum, #tiers).
@Suite struct BaseRateTests {
    @Test(arguments: [
        (3, nil as String?), (4, "4516"), (11, "4516"), (12, "4517"), (43, "4517"), (44, "4518"), (60, "4518"),
    ])
    func tierEdges(tierUnits: Int, rateCode: String?) throws {
        let claim = try price(makeMonth(crsUnits(tierUnits)))
        #expect(claim.units.tier == tierUnits)
        #expect(claim.lines.first?.rateCode == rateCode)
        if rateCode == nil { #expect(claim.codes.contains(.baseMinimumNotMet)) }
    }

    @Test(arguments: [(1, "U1", 4), (2, "U2", 12), (3, "U3", 44)])
    func theBaseLineCarriesTierCodingAndActualUnits(tier: Int, modifier: String, units: Int) throws {
        let line = try #require(try price(makeMonth(crsUnits(units))).lines.first)
        #expect(line.kind == .base)
        #expect(line.tier == tier)
        #expect(line.procedureCode == "H2019")
        #expect(line.modifiers == [modifier])
        #expect(line.units == units)
    }

    @Test func theLineReportsAccruedUnitsWhileTheTierUsesDoubledUnits() throws {
        // 4 on-site CRS + 4 off-site CRS units: 8 accrued, 12 tier units: tier 2 with 8 units on the line.
        let claim = try price(
            makeMonth(
                crsUnits(4)
                    + crsUnits(4, firstDay: 10, .offsite).enumerated().map { i, s in
                        var s = s; s.id = "off-\(i)"; return s
                    }))
        #expect(claim.units.accrued == 8)
        #expect(claim.units.tier == 12)
        #expect(claim.lines[0].tier == 2)
        #expect(claim.lines[0].units == 8)
    }

    @Test func doublingNeverHelpsMeetTheMinimum() throws {
        let claim = try price(makeMonth(crsUnits(3, .offsite)))
        #expect(claim.units.tier == 6)
        #expect(claim.lines.isEmpty)
        #expect(claim.finding(.baseMinimumNotMet)?.severity == .denied)
    }

    @Test func theMinimumCountsCRSUnitsOnly() throws {
        let claim = try price(makeMonth(crsUnits(3) + [svc("ir", .ir, minutes: 60, day: 20)]))
        #expect(claim.units.accrued == 7)
        #expect(!claim.lines.contains { $0.kind == .base })
        #expect(claim.codes.contains(.baseMinimumNotMet))
    }
}
