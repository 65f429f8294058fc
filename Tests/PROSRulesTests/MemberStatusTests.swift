import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// Pre-admission, discharge, employment, telehealth modifiers, amounts (docs/rules.md).
@Suite struct MemberStatusTests {
    let preadmission = Member(status: .preadmission)

    @Test func preadmissionBillsOneLineOfOneUnit() throws {
        let claim = try price(makeMonth(crsUnits(20), member: preadmission))
        #expect(claim.lines.count == 1)
        let line = claim.lines[0]
        #expect(line.kind == .preadmission)
        #expect((line.rateCode, line.procedureCode, line.modifiers, line.units) == ("4510", "H0002", ["HE"], 1))
    }

    @Test func preadmissionNeedsOneAccruedUnit() throws {
        let claim = try price(makeMonth([svc("short", minutes: 10)], member: preadmission))
        #expect(claim.lines.isEmpty)
        #expect(claim.codes.contains(.noBillableUnits))
    }

    /// The NYS PROS utilization-management guidelines (2015): billed A, nothing B, billed C and D, E denied, F and G billed, H denied.
    @Test func theTwoConsecutiveMonthSequenceOfSeed002() throws {
        let months = ["2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
        var billedMonths: [String] = []
        var outcome: [Bool] = []
        for (i, m) in months.enumerated() {
            let services = i == 1 ? [] : [svc("s", minutes: 30, on: m + "-10")]
            let claim = try price(makeMonth(services, member: preadmission, month: m, prior: billedMonths))
            let billed = claim.rateCodes == ["4510"]
            outcome.append(billed)
            if billed { billedMonths.append(m) }
            if i == 4 || i == 7 { #expect(claim.finding(.preadmissionConsecutiveLimit)?.severity == .denied) }
        }
        #expect(outcome == [true, false, true, true, false, true, true, false])
    }

    @Test func onlyTheTwoImmediatelyPreviousMonthsCount() throws {
        let claim = try price(makeMonth(crsUnits(1), member: preadmission, prior: ["2025-02", "2025-03"]))
        #expect(claim.rateCodes == ["4510"])
        let gap = try price(makeMonth(crsUnits(1), member: preadmission, prior: ["2025-03", "2025-04"]))
        #expect(gap.rateCodes.isEmpty)
    }

    @Test func irAndOrsAreRefusedInPreadmissionButCTRidesWithThe4510Line() throws {
        let services = crsUnits(4) + [svc("ir", .ir, minutes: 90, day: 20), svc("ct", .ct, minutes: 30, day: 21)]
        let claim = try price(makeMonth(services, member: preadmission))
        #expect(claim.rateCodes == ["4510", "4525"])
        let f = try #require(claim.finding(.addOnNotAllowedPreadmission))
        #expect(f.serviceIds == ["ir"])
        // No R/E 84 is needed in pre-admission.
        #expect(preadmission.rreCodes.isEmpty && !claim.codes.contains(.ctRREMissing))
    }

    @Test func ctInPreadmissionIsAPolicySwitch() throws {
        let p = makePricer { $0.ctAllowedInPreadmission = false }
        let claim = try price(
            makeMonth(
                [svc("ct", .ct, minutes: 30, day: 21), svc("ir", .ir, minutes: 90, day: 20)],
                member: preadmission), with: p)
        #expect(claim.rateCodes == ["4510"])
        #expect(Set(claim.finding(.addOnNotAllowedPreadmission)?.serviceIds ?? []) == ["ir", "ct"])
    }

    @Test func theDateOfServiceIsTheMonthsLastDay() throws {
        let claim = try price(makeMonth(crsUnits(4), month: "2025-06"))
        #expect(claim.dateOfService == date("2025-06-30"))
        #expect(claim.lines.allSatisfy { $0.dateOfService == date("2025-06-30") })
    }

    @Test func inTheDischargeMonthTheDateOfServiceIsTheDischargeDate() throws {
        let claim = try price(
            makeMonth(crsUnits(6) + [svc("after", minutes: 60, day: 20)], member: admitted(discharge: "2025-05-15")))
        #expect(claim.dateOfService == date("2025-05-15"))
        #expect(claim.lines.allSatisfy { $0.dateOfService == date("2025-05-15") })
        #expect(claim.services.last?.excludedBy == .serviceAfterDischarge)
        #expect(claim.finding(.serviceAfterDischarge)?.serviceIds == ["after"])
        #expect(claim.units.accrued == 6)
    }

    @Test func aDischargeAfterTheMonthLeavesTheLastDay() throws {
        let claim = try price(makeMonth(crsUnits(4), member: admitted(discharge: "2025-06-02")))
        #expect(claim.dateOfService == date("2025-05-31"))
    }

    @Test func groupServicesAtTheWorkplaceAreExcluded() throws {
        let claim = try price(
            makeMonth([
                svc("group", .crs, .group, minutes: 60, employment: true),
                svc("one", .crs, .individual, minutes: 60, day: 6, employment: true),
            ]))
        #expect(claim.services[0].excludedBy == .employmentSettingNotOneToOne)
        #expect(claim.services[1].accrued == 4)
        #expect(claim.finding(.employmentSettingNotOneToOne)?.serviceIds == ["group"])
    }

    @Test(arguments: [
        ([Telehealth.audioVideo], ["U1", "GT"]), ([.audioOnly], ["U1", "93"]),
        ([.audioVideo, .audioOnly], ["U1", "GT", "93"]), ([.none], ["U1"]),
    ])
    func telehealthModifiersFollowTheLinesOwn(kinds: [Telehealth], modifiers: [String]) throws {
        let services = crsUnits(4).enumerated().map { i, s in
            var s = s; s.telehealth = kinds[i % kinds.count]; return s
        }
        #expect(try price(makeMonth(services)).lines[0].modifiers == modifiers)
    }

    @Test func anAddOnLineCarriesTelehealthModifiersOnlyForItsOwnServices() throws {
        var services = crsUnits(4)
        services[0].telehealth = .audioOnly
        services.append(svc("ir", .ir, minutes: 30, day: 20))
        let claim = try price(makeMonth(services))
        #expect(claim.lines.map(\.modifiers) == [["U1", "93"], ["HE"]])
    }

    @Test func audioOnlyModifierIsAPolicy() throws {
        let p = makePricer { $0.telehealthModifiers[.audioOnly] = "FQ" }
        let claim = try price(
            makeMonth(
                crsUnits(4).map {
                    var s = $0; s.telehealth = .audioOnly; return s
                }), with: p)
        #expect(claim.lines[0].modifiers == ["U1", "FQ"])
    }

    @Test func amountsAreExactAndTotalled() throws {
        let p = makePricer(rates: ["4516": "0.10", "4526": "0.20"])
        let claim = try price(
            makeMonth(crsUnits(4) + [svc("ir", .ir, minutes: 30, day: 20)], schedule: "test"), with: p)
        #expect(claim.lines.map { $0.amount?.description } == ["0.10", "0.20"])
        #expect(claim.total?.description == "0.30")  // not 0.30000000000000004
    }

    @Test func aMissingRateLeavesAmountsNullWithAFinding() throws {
        let p = makePricer(rates: ["4516": "10.00"])
        let claim = try price(
            makeMonth(crsUnits(4) + [svc("ir", .ir, minutes: 30, day: 20)], schedule: "test"), with: p)
        #expect(claim.lines.map { $0.amount?.description } == ["10.00", nil])
        #expect(claim.total == nil)
        #expect(claim.finding(.noRate)?.severity == .warning)
    }

    @Test func ratesAreEffectiveDated() throws {
        let schedule = RateSchedule(
            id: "dated", description: "",
            rates: [
                Rate(
                    rateCode: "4516", effectiveFrom: date("2025-04-01"), effectiveTo: date("2025-06-30"),
                    amount: Money("100.00")!),
                Rate(rateCode: "4516", effectiveFrom: date("2025-07-01"), effectiveTo: nil, amount: Money("110.00")!),
            ])
        let p = Pricer(book: RuleBook(ruleSets: book.ruleSets, rateSchedules: [schedule]))
        #expect(
            try price(makeMonth(crsUnits(4), month: "2025-06", schedule: "dated"), with: p).total == Money("100.00"))
        let july = crsUnits(4).map {
            var s = $0; s.date = CivilDate(year: 2025, month: 7, day: s.date.day)!; return s
        }
        #expect(try price(makeMonth(july, month: "2025-07", schedule: "dated"), with: p).total == Money("110.00"))
    }

    @Test func anUnknownScheduleIsAnErrorOnItsField() throws {
        let error = #expect(throws: PricingError.self) { try price(makeMonth(crsUnits(4), schedule: "nope")) }
        #expect(error?.fieldErrors.map(\.pointer) == ["/rateSchedule"])
        #expect(error?.fieldErrors.first?.detail.contains(#"no rate schedule named "nope""#) == true)
        #expect(error?.isUnsupportedMonth == false)
    }

    @Test func monthsBeforeTheRedesignAreNeverGuessed() throws {
        let m = makeMonth([svc("s", minutes: 30, on: "2025-03-10")], month: "2025-03")
        let error = #expect(throws: PricingError.self) { try price(m) }
        #expect(error?.isUnsupportedMonth == true)
        #expect(
            error?.fieldErrors.first?.detail == "no rule set covers 2025-03; the earliest supported month is 2025-04")
    }

    @Test func anEmptyMonthBillsNothingAndSaysWhy() throws {
        let claim = try price(makeMonth([]))
        #expect(claim.lines.isEmpty)
        #expect(claim.codes == [.noBillableUnits])
        #expect(claim.total == .zero)
    }
}
