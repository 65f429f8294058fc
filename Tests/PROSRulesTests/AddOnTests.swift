import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// The IR, ORS and CT add-ons (docs/rules.md#add-ons).
@Suite struct AddOnTests {
    @Test(arguments: [(5, false), (6, true)])
    func irNeedsSixAccruedUnitsInTheMonth(monthUnits: Int, billed: Bool) throws {
        // 2 IR units and the rest CRS, on-site.
        let claim = try price(makeMonth([svc("ir", .ir, minutes: 30, day: 20)] + crsUnits(monthUnits - 2)))
        #expect(claim.rateCodes.contains("4526") == billed)
        #expect(claim.codes.contains(.irMinimumNotMet) == !billed)
    }

    @Test func irMonthUnitsAreNotDoubled() throws {
        let claim = try price(
            makeMonth([svc("ir", .ir, minutes: 45, day: 20, .offsite), svc("crs", minutes: 30, day: 21, .offsite)]))
        #expect(claim.units.tier == 10)
        #expect(!claim.rateCodes.contains("4526"))
        #expect(claim.finding(.irMinimumNotMet)?.serviceIds == ["ir"])
    }

    @Test func irIsBilledWithoutABaseRate() throws {
        let claim = try price(makeMonth([svc("ir", .ir, minutes: 60, day: 20), svc("ir2", .ir, minutes: 30, day: 21)]))
        #expect(claim.rateCodes == ["4526"])
        #expect(claim.lines[0].units == 6)
        #expect(claim.lines[0].modifiers == ["HE"])
        #expect(claim.lines[0].procedureCode == "H2018")
    }

    @Test(arguments: [(3, false), (4, true)])
    func orsNeedsFourAccruedORSUnits(orsUnits: Int, billed: Bool) throws {
        let claim = try price(
            makeMonth((0..<orsUnits).map { svc("ors-\($0)", .ors, minutes: 15, day: 10 + $0, .offsite) }))
        #expect(claim.rateCodes.contains("4527") == billed)
        #expect(claim.codes.contains(.orsMinimumNotMet) == !billed)
        if billed { #expect(claim.lines.last?.units == 4) }
    }

    @Test func irAndOrsAreNeverBilledTogetherPriorityKeepsIR() throws {
        let claim = try price(
            makeMonth([svc("ir", .ir, minutes: 90, day: 20), svc("ors", .ors, minutes: 60, day: 21)]))
        #expect(claim.rateCodes == ["4526"])
        let f = try #require(claim.finding(.irOrsExclusive))
        #expect(f.serviceIds == ["ors"])
        #expect(
            f.message.contains("kept IR because it comes first in the configured add-on priority; ORS was not billed"))
    }

    @Test func theHigherConfiguredAmountWins() throws {
        let p = makePricer(rates: ["4526": "100.00", "4527": "150.00"])
        let claim = try price(
            makeMonth(
                [svc("ir", .ir, minutes: 90, day: 20), svc("ors", .ors, minutes: 60, day: 21)], schedule: "test"),
            with: p)
        #expect(claim.rateCodes == ["4527"])
        #expect(claim.finding(.irOrsExclusive)?.serviceIds == ["ir"])
    }

    @Test func equalAmountsFallBackToPriority() throws {
        let p = makePricer(rates: ["4526": "100.00", "4527": "100.00"])
        let claim = try price(
            makeMonth(
                [svc("ir", .ir, minutes: 90, day: 20), svc("ors", .ors, minutes: 60, day: 21)], schedule: "test"),
            with: p)
        #expect(claim.rateCodes == ["4526"])
    }

    @Test func atMostTheConfiguredNumberOfAddOns() throws {
        let p = makePricer { $0.maxAddOns = 1 }
        let claim = try price(
            makeMonth(crsUnits(4) + [svc("ct", .ct, minutes: 15, day: 20), svc("ir", .ir, minutes: 30, day: 21)]),
            with: p)
        #expect(claim.rateCodes == ["4516", "4525"])
        #expect(claim.finding(.maxAddOns)?.serviceIds == ["ir"])
    }

    @Test func addOnsFollowTheBaseLineByRateCode() throws {
        let claim = try price(
            makeMonth(crsUnits(4) + [svc("ir", .ir, minutes: 30, day: 21), svc("ct", .ct, minutes: 15, day: 20)]))
        #expect(claim.rateCodes == ["4516", "4525", "4526"])
        #expect(claim.lines.map(\.kind) == [.base, .addOn, .addOn])
    }

    @Test func ctIsBilledWithABaseRateAndRRE84() throws {
        let claim = try price(makeMonth(crsUnits(4) + [svc("ct", .ct, minutes: 30, day: 20)]))
        let ct = try #require(claim.lines.last)
        #expect(ct.rateCode == "4525")
        #expect(ct.procedureCode == "T1015")
        #expect(ct.modifiers == ["HE"])
        #expect(ct.units == 2)
        #expect(ct.component == .ct)
    }

    @Test func ctRequiresABaseRate() throws {
        let claim = try price(makeMonth([svc("ct", .ct, minutes: 30, day: 20)]))
        #expect(claim.lines.isEmpty)
        #expect(claim.finding(.ctRequiresBaseRate)?.serviceIds == ["ct"])
    }

    @Test func ctRequiresBaseRateIsASwitch() throws {
        let p = makePricer { $0.ctRequiresBaseRate = false }
        let claim = try price(makeMonth([svc("ct", .ct, minutes: 30, day: 20)]), with: p)
        #expect(claim.rateCodes == ["4525"])
    }

    @Test func ctRequiresRRE84() throws {
        let claim = try price(
            makeMonth(crsUnits(4) + [svc("ct", .ct, minutes: 30, day: 20)], member: admitted(rre: ["12"])))
        #expect(claim.rateCodes == ["4516"])
        #expect(claim.codes.contains(.ctRREMissing))
    }

    @Test(arguments: [
        ("2025-05-20", true), ("2025-04-01", true), ("2025-03-01", true), ("2025-03-31", true), ("2025-02-28", false),
        (nil as String?, false),
    ])
    func medicationManagementNeedsAPrescriberContactInTheMonthOrTheTwoBefore(lastContact: String?, billed: Bool) throws
    {
        let claim = try price(
            makeMonth(
                crsUnits(4) + [svc("ct", .ct, minutes: 30, day: 20)],
                member: admitted(medication: true, lastContact: lastContact)))
        #expect(claim.rateCodes.contains("4525") == billed)
        #expect(claim.codes.contains(.ctPrescriberContactMissing) == !billed)
    }

    @Test func aPrescriberContactThisMonthSatisfiesTheWindow() throws {
        let claim = try price(
            makeMonth(
                crsUnits(4) + [svc("ct", .ct, minutes: 30, day: 20, prescriber: true)],
                member: admitted(medication: true, lastContact: "2024-01-01")))
        #expect(claim.rateCodes.contains("4525"))
    }

    @Test func withoutMedicationManagementNoContactIsNeeded() throws {
        let claim = try price(
            makeMonth(crsUnits(4) + [svc("ct", .ct, minutes: 30, day: 20)], member: admitted(medication: false)))
        #expect(claim.rateCodes.contains("4525"))
    }

    @Test func everyFailedCTConditionIsReported() throws {
        let claim = try price(
            makeMonth([svc("ct", .ct, minutes: 30, day: 20)], member: admitted(rre: [], medication: true)))
        #expect(claim.codes.contains(.ctRequiresBaseRate))
        #expect(claim.codes.contains(.ctRREMissing))
        #expect(claim.codes.contains(.ctPrescriberContactMissing))
    }

    @Test func addOnsMayBeBilledInTheAdmissionMonth() throws {
        let claim = try price(
            makeMonth(
                [svc("ir", .ir, minutes: 90, day: 2)] + crsUnits(4, firstDay: 10),
                member: admitted(admission: "2025-05-08")))
        #expect(claim.rateCodes == ["4516", "4526"])
        #expect(claim.codes.contains(.admissionMonth))
        #expect(claim.units.accrued == 9)  // 5 (capped) + 4: services before the admission date in that month count too
    }

    /// Add-on lines follow the base line in rate-code order, whatever the configured priority.
    @Test func addOnLinesAreSortedByRateCode() throws {
        let p = makePricer { $0.addOnPriority = [.ir, .ct, .ors] }
        let month = makeMonth(
            crsUnits(6) + [svc("ir", .ir, minutes: 30, day: 20), svc("ct", .ct, minutes: 30, day: 21)])
        #expect(try price(month, with: p).rateCodes == ["4516", "4525", "4526"])
    }
}
