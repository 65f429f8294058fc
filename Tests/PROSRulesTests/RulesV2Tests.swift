import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// The rules as the OMH manual's 2025 update has them (docs/rules.md), each at its boundaries.
@Suite struct RulesV2Tests {
    // MARK: The daily cap is a base-rate rule (docs/rules.md#daily-cap)

    /// Five units of groups in the morning, then a psychiatrist visit: the visit accrues nothing toward the
    /// base rate but still bills the CT add-on with its provided units.
    static let morningThenPsychiatrist =
        crsUnits(8) + [
            svc("g1", .crs, .group, minutes: 90, day: 12, at: "09:00"),
            svc("g2", .crs, .group, minutes: 60, day: 12, at: "10:30"),
            svc("psych", .ct, .individual, minutes: 30, day: 12, at: "13:00"),
        ]

    @Test func aCappedCTVisitStillBillsTheCTAddOnWithItsProvidedUnits() throws {
        let claim = try price(makeMonth(Self.morningThenPsychiatrist))
        let psych = try #require(claim.services.first { $0.id == "psych" })
        #expect(psych.accrued == 0 && psych.units == 2)
        #expect(psych.findings == [.dailyCapApplied])
        #expect(claim.rateCodes == ["4517", "4525"])
        #expect(claim.lines.last?.units == 2)
        #expect(claim.units.byComponent[.ct] == 0 && claim.units.providedByComponent[.ct] == 2)
    }

    @Test func thePolicyRestoresTheCapOnAddOns() throws {
        let p = makePricer { $0.dailyCapAppliesToAddOns = true }
        let claim = try price(makeMonth(Self.morningThenPsychiatrist), with: p)
        #expect(claim.rateCodes == ["4517"])
        #expect(claim.finding(.dailyCapApplied)?.message.contains("Add-ons still count") == false)
    }

    @Test func anIRLineReportsProvidedUnitsButTheMonthMinimumCountsAccruedOnes() throws {
        // Day 3: 5 CRS units, then a 60-minute IR session (4 units) capped to nothing.
        let day3 = [
            svc("crs", .crs, minutes: 75, day: 3, at: "08:00"), svc("ir", .ir, minutes: 60, day: 3, at: "10:00"),
        ]
        let claim = try price(makeMonth(day3 + crsUnits(1, firstDay: 4)))
        #expect(claim.units.accrued == 6)
        #expect(claim.lines.first { $0.rateCode == "4526" }?.units == 4)
        // With 5 accrued units in the month the IR minimum (6) is not met, whatever IR provided.
        let short = try price(makeMonth(day3))
        #expect(!short.rateCodes.contains("4526"))
        #expect(short.finding(.irMinimumNotMet)?.message.contains("needs 6 accrued units") == true)
    }

    @Test func cappedORSUnitsStillQualifyTheORSAddOn() throws {
        let services = [
            svc("crs", .crs, minutes: 75, day: 3, at: "08:00"), svc("ors", .ors, minutes: 60, day: 3, at: "10:00"),
        ]
        let claim = try price(makeMonth(services))
        #expect(claim.lines.map(\.rateCode) == ["4516", "4527"])
        #expect(claim.lines.last?.units == 4)
    }

    // MARK: ORS is one-to-one (docs/rules.md#ors-is-one-to-one)

    @Test func groupORSDoesNotCount() throws {
        let services = (0..<4).map { svc("ors-\($0)", .ors, .group, minutes: 60, day: 10 + $0) } + crsUnits(4)
        let claim = try price(makeMonth(services))
        #expect(claim.rateCodes == ["4516"])
        #expect(claim.units.accrued == 4)
        #expect(claim.services[0].excludedBy == .orsNotOneToOne)
        #expect(claim.finding(.orsNotOneToOne)?.serviceIds == ["ors-0", "ors-1", "ors-2", "ors-3"])
        #expect(claim.finding(.orsNotOneToOne)?.severity == .warning)
        let p = makePricer { $0.oneToOneComponents = [] }
        #expect(try price(makeMonth(services), with: p).rateCodes == ["4517", "4527"])
    }

    // MARK: Prescriber contacts (docs/rules.md#prescriber-contact-window and after)

    func ctMonth(
        _ m: String, admission: String = "2024-11-04", last: String? = nil, dates: [String] = [],
        ctContact: Bool = false, minutes: Int = 30
    ) -> MemberMonth {
        let member = Member(
            status: .admitted, admissionDate: date(admission), rreCodes: ["84"],
            medicationManagement: true, lastPrescriberContact: last.map(date),
            prescriberContactDates: dates.map(date))
        let services =
            (0..<4).map { svc("crs-\($0)", on: "\(m)-0\($0 + 1)") }
            + [svc("ct", .ct, minutes: minutes, prescriber: ctContact, on: "\(m)-20")]
        return makeMonth(services, member: member, month: m)
    }

    @Test(arguments: [("2025-03-15", true), ("2025-02-28", false)])
    func aContactCoversItsMonthAndTheTwoAfter(contact: String, covered: Bool) throws {
        let claim = try price(ctMonth("2025-05", last: contact))
        #expect(claim.rateCodes.contains("4525") == covered)
        #expect(claim.codes.contains(.ctPrescriberContactMissing) == !covered)
    }

    /// The hint counts from the latest contact known in or before the month, whatever its source: a date
    /// in `prescriberContactDates`, `lastPrescriberContact`, or a CT visit marked as a contact; a contact
    /// after the month is not yet a fact of it.
    @Test(
        arguments: [
            (nil, ["2025-05-12", "2025-03-01"], false, "on 2025-05-12", "by 2025-08-31"),
            ("2025-05-03", ["2025-04-02"], false, "on 2025-05-03", "by 2025-08-31"),
            ("2025-04-02", ["2025-06-02", "2025-05-01"], false, "on 2025-05-01", "by 2025-08-31"),
            ("2025-03-10", [], true, "on 2025-05-20", "by 2025-08-31"),
            ("2025-03-10", ["2025-05-25"], true, "on 2025-05-25", "by 2025-08-31"),
            ("2025-03-10", ["2025-06-01"], false, "on 2025-03-10", "by 2025-06-30"),
        ] as [(String?, [String], Bool, String, String)])
    func theContactHintCountsFromTheLatestKnownContact(
        last: String?, dates: [String], ctContact: Bool, on: String, by: String
    ) throws {
        let claim = try price(ctMonth("2025-05", last: last, dates: dates, ctContact: ctContact))
        let hint = try #require(claim.hints.first { $0.code == .ctContactDue })
        #expect(hint.message.contains(on) && hint.message.contains(by), "\(hint.message)")
    }

    @Test func contactDatesAfterTheMonthDoNotCoverItOutsideTheAdmissionMonths() throws {
        #expect(!(try price(ctMonth("2025-05", dates: ["2025-06-02"])).rateCodes.contains("4525")))
    }

    @Test func aShortCTVisitMarkedAsAContactCounts() throws {
        let claim = try price(ctMonth("2025-05", ctContact: true, minutes: 10))
        #expect(claim.services.last?.excludedBy == .belowUnitMinimum)
        #expect(!claim.codes.contains(.ctPrescriberContactMissing))
    }

    /// Admitted 2025-06-10: June (A), July and August (A+2) are the first three admission months.
    @Test(arguments: [("2025-06", true), ("2025-08", true), ("2025-09", false)])
    func anEarlyAdmissionMonthWithoutAContactIsPending(month m: String, pending: Bool) throws {
        let claim = try price(ctMonth(m, admission: "2025-06-10"))
        #expect(!claim.rateCodes.contains("4525"))
        #expect(claim.codes.contains(.ctPrescriberContactPending) == pending)
        #expect(claim.codes.contains(.ctPrescriberContactMissing) == !pending)
        if pending {
            let f = try #require(claim.finding(.ctPrescriberContactPending))
            #expect(f.severity == .warning)
            #expect(f.message.contains("a contact by 2025-08-31 makes it billable"))
            #expect(f.serviceIds == ["ct"])
        }
    }

    @Test(arguments: [("2025-08-02", true), ("2025-09-02", false)])
    func aContactInTheFirstThreeAdmissionMonthsCoversTheEarlierOnes(contact: String, covered: Bool) throws {
        let claim = try price(ctMonth("2025-06", admission: "2025-06-10", dates: [contact]))
        #expect(claim.rateCodes.contains("4525") == covered)
    }

    // MARK: CT in pre-admission (docs/rules.md#ct-in-pre-admission)

    @Test func ctNeedsThe4510Line() throws {
        let member = Member(status: .preadmission)
        let claim = try price(
            makeMonth(
                [svc("ct", .ct, minutes: 30)], member: member,
                prior: ["2025-03", "2025-04"]))
        #expect(claim.rateCodes.isEmpty)
        #expect(claim.codes.contains(.preadmissionConsecutiveLimit))
        #expect(claim.finding(.ctRequiresBaseRate)?.serviceIds == ["ct"])
    }

    @Test func theContactRuleAppliesInPreadmission() throws {
        let member = Member(status: .preadmission, medicationManagement: true)
        let claim = try price(makeMonth([svc("ct", .ct, minutes: 30)], member: member))
        #expect(claim.rateCodes == ["4510"])
        #expect(claim.codes.contains(.ctPrescriberContactMissing))
    }

    // MARK: Target population (docs/rules.md#target-population)

    @Test(arguments: [(3, true), (4, false)])
    func fourConsecutiveMonthsAtTheRatePlusAQuarter(priorMonths: Int, billed: Bool) throws {
        let p = makePricer(rates: ["4510": "100.02"])
        let prior = (1...priorMonths).map { YearMonth(year: 2025, month: 5)!.advanced(by: -$0).description }
        let member = Member(status: .preadmission, targetPopulation: true)
        let claim = try price(makeMonth(crsUnits(1), member: member, schedule: "test", prior: prior), with: p)
        #expect(claim.rateCodes == (billed ? ["4510"] : []))
        if billed { #expect(claim.total == Money("125.03")) }  // 125.025 rounded half up
        #expect(claim.codes.contains(.targetPopulation))
        #expect(claim.codes.contains(.preadmissionConsecutiveLimit) == !billed)
        // Without the target population the third month is already denied.
        let plain = Member(status: .preadmission)
        #expect(try price(makeMonth(crsUnits(1), member: plain, schedule: "test", prior: prior), with: p).lines.isEmpty)
    }

    @Test func theTargetPopulationRuleCanBeTurnedOff() throws {
        let p = makePricer(rates: ["4510": "100.00"]) { $0.preadmission.targetPopulation = nil }
        let member = Member(status: .preadmission, targetPopulation: true)
        let claim = try price(makeMonth(crsUnits(1), member: member, schedule: "test"), with: p)
        #expect(claim.total == Money("100.00"))
        #expect(!claim.codes.contains(.targetPopulation))
    }

    // MARK: R/E codes and tier ranges

    @Test(arguments: [(2, false), (3, true)])
    func moreThanTwoRRECodesIsPricedWithAWarning(count: Int, warned: Bool) throws {
        let codes = ["84"] + (1..<count).map { "1\($0)" }
        let claim = try price(makeMonth(crsUnits(4), member: admitted(rre: codes)))
        #expect(claim.rateCodes == ["4516"])
        #expect(claim.codes.contains(.rreCodesOverLimit) == warned)
    }

    @Test(arguments: [(6, true), (12, false)])
    func doublingThatLiftsTheTierAboveTheActualUnitsIsNoted(units: Int, noted: Bool) throws {
        // `units` off-site CRS units: tier units are twice as many, tier 2 from 12 tier units.
        let claim = try price(makeMonth(crsUnits(units, .offsite)))
        #expect(claim.lines.first?.tier == 2)
        #expect(claim.codes.contains(.unitsBelowTierRange) == noted)
    }

    // MARK: Findings per service (docs/rules.md#findings)

    @Test func aServiceListsEveryFindingThatNamesItMonthLevelOnesIncluded() throws {
        let claim = try price(
            makeMonth(crsUnits(4) + [svc("ct", .ct, minutes: 30, day: 20)], member: admitted(rre: [])))
        #expect(claim.services.last?.findings == [.ctRREMissing])
    }

    @Test func exclusionsFollowTheirOrderAndAShortServiceListsBoth() throws {
        let services =
            [
                svc("late-group", .crs, .group, minutes: 60, day: 20, employment: true),
                svc("late-short", .crs, .individual, minutes: 10, day: 21),
                svc("work-short", .crs, .group, minutes: 20, day: 2, employment: true),
            ] + crsUnits(4)
        let claim = try price(makeMonth(services, member: admitted(discharge: "2025-05-15")))
        #expect(claim.services[0].excludedBy == .serviceAfterDischarge)
        #expect(claim.services[1].excludedBy == .serviceAfterDischarge)
        #expect(claim.services[1].findings == [.serviceAfterDischarge, .belowUnitMinimum])
        #expect(claim.services[2].excludedBy == .employmentSettingNotOneToOne)
        #expect(claim.services[2].findings == [.employmentSettingNotOneToOne, .belowUnitMinimum])
    }

    @Test func aTelehealthNoteNeverLandsOnAnExcludedService() throws {
        let services =
            [
                svc("a", minutes: 60, day: 3, at: "09:00"),
                svc("b", minutes: 30, day: 3, at: "09:30", .offsite, telehealth: .audioVideo),
            ] + crsUnits(4)
        let claim = try price(makeMonth(services))
        #expect(claim.services[1].excludedBy == .serviceTimeOverlap)
        #expect(!claim.codes.contains(.telehealthCountedOnsite))
    }

    // MARK: Payer profiles (docs/rules.md#payer-profiles)

    @Test func theExampleProfileBillsAudioOnlyWithFQ() throws {
        var m = makeMonth(crsUnits(3) + [svc("t", minutes: 15, day: 20, telehealth: .audioOnly)])
        #expect(try price(m).lines[0].modifiers == ["U1", "93"])
        m.payer = "example-fq"
        let claim = try price(m)
        #expect(claim.lines[0].modifiers == ["U1", "FQ"])
        #expect(claim.payer == "example-fq")
    }

    @Test func anUnknownPayerIsAnErrorOnItsField() throws {
        var m = makeMonth(crsUnits(4))
        m.payer = "nope"
        let error = #expect(throws: PricingError.self) { try price(m) }
        #expect(error?.fieldErrors.map(\.pointer) == ["/payer"])
    }
}

/// The explanation: a summary for every priced month, hints that say what would change the claim.
@Suite struct ExplanationTests {
    @Test func aCleanMonthIsSummarized() throws {
        let claim = try price(
            makeMonth(
                crsUnits(12) + [svc("ir", .ir, minutes: 45, day: 20, .offsite)],
                schedule: "example-provider-a"))
        #expect(
            claim.summary == "Tier 2 base rate (18 tier units from 15 accrued) and the IR add-on (3 units): 1,187.21.")
    }

    @Test func aDeniedMonthSaysWhatWasNotBilled() throws {
        let claim = try price(makeMonth(crsUnits(2)))
        #expect(
            claim.summary
                == "Nothing is billed for 2025-05; not billed: the base rate (2 of the 4 accrued CRS units it needs).")
    }

    @Test(arguments: [(3, 1), (4, nil as Int?)])
    func theBaseMinimumGap(crs: Int, needed: Int?) throws {
        let claim = try price(makeMonth(crsUnits(crs)))
        #expect(claim.hints.first { $0.code == .baseMinimumGap }?.needed == needed)
    }

    @Test(arguments: [(11, 1), (12, 32), (44, nil as Int?)])
    func theNextTierGap(units: Int, needed: Int?) throws {
        let claim = try price(makeMonth(crsUnits(units)))
        #expect(claim.hints.first { $0.code == .nextTierGap }?.needed == needed)
    }

    @Test func theNextTierGapNamesTheAmountItAdds() throws {
        let p = makePricer(rates: ["4516": "300.00", "4517": "690.40"])
        let claim = try price(makeMonth(crsUnits(10), schedule: "test"), with: p)
        #expect(
            claim.hints.first?.message
                == "2 more tier units would reach tier 2 (4517, from 12 tier units), adding 390.40.")
    }

    @Test(arguments: [(3, 1), (4, nil as Int?)])
    func theORSGap(ors: Int, needed: Int?) throws {
        let services = (0..<ors).map { svc("ors-\($0)", .ors, minutes: 15, day: 10 + $0) } + crsUnits(4)
        #expect(try price(makeMonth(services)).hints.first { $0.code == .orsMinimumGap }?.needed == needed)
    }

    @Test func theIRGapCountsTheMonthsAccruedUnits() throws {
        let claim = try price(makeMonth([svc("ir", .ir, minutes: 30, day: 20)] + crsUnits(2)))
        #expect(claim.hints.first { $0.code == .irMinimumGap }?.needed == 2)
    }

    @Test func aContactIsDueThreeMonthsAfterTheLastOne() throws {
        let claim = try price(makeMonth(crsUnits(4), member: admitted(medication: true, lastContact: "2025-04-10")))
        let hint = try #require(claim.hints.first { $0.code == .ctContactDue })
        #expect(hint.message.contains("by 2025-07-31"))
    }

    @Test func aDischargeMonthHasNoHints() throws {
        let claim = try price(makeMonth(crsUnits(3), member: admitted(discharge: "2025-05-20")))
        #expect(claim.hints.isEmpty)
        #expect(!(try price(makeMonth(crsUnits(3)))).hints.isEmpty)
    }

    @Test func noMessageCitesAnInternalDocument() throws {
        let months = [
            makeMonth(
                crsUnits(2) + [svc("ct", .ct, minutes: 10, day: 20)], member: admitted(rre: [], medication: true)),
            makeMonth(
                RulesV2Tests.morningThenPsychiatrist, member: Member(status: .preadmission),
                prior: ["2025-03", "2025-04"]),
        ]
        for m in months {
            let claim = try price(m)
            for text in claim.findings.map(\.message) + claim.hints.map(\.message) + [claim.summary] {
                #expect(!text.contains("SPEC") && !text.contains("§"), "\(text)")
            }
        }
    }
}
