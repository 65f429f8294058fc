import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// Units, telehealth, the daily cap, overlaps and doubling (docs/rules.md#units-per-service to #off-site-doubling).
@Suite struct UnitRuleTests {
    @Test(arguments: [
        (ServiceFormat.individual, 14, 0), (.individual, 15, 1), (.individual, 29, 1), (.individual, 30, 2),
        (.individual, 45, 3),
        (.collateral, 15, 1), (.collateral, 44, 2), (.group, 29, 0), (.group, 30, 1), (.group, 40, 1), (.group, 59, 1),
        (.group, 60, 2),
    ])
    func unitsAreWholeUnitsOfTheFormatsMinutes(format: ServiceFormat, minutes: Int, units: Int) throws {
        let claim = try price(makeMonth([svc("s", .crs, format, minutes: minutes)]))
        #expect(claim.services[0].units == units)
        #expect(claim.services[0].findings.contains(.belowUnitMinimum) == (units == 0))
    }

    @Test func aSessionShorterThanOneUnitEarnsNothingAndSaysWhy() throws {
        let claim = try price(makeMonth([svc("short", minutes: 10)]))
        #expect(claim.services[0].excludedBy == .belowUnitMinimum)
        #expect(claim.finding(.belowUnitMinimum)?.serviceIds == ["short"])
        #expect(claim.codes.contains(.noBillableUnits))
        #expect(claim.lines.isEmpty)
    }

    @Test func theBelowUnitSentenceNamesTheRuleSetsUnitLengths() throws {
        let shipped = try price(makeMonth([svc("short", minutes: 10)]))
        #expect(
            shipped.finding(.belowUnitMinimum)?.message.contains(
                "(15 minutes individual or collateral, 30 minutes group)") == true)
        let memo = makePricer {
            $0.unitMinutes[.group] = 60; $0.unitMinutes[.collateral] = 20
        }
        let changed = try price(makeMonth([svc("g", .crs, .group, minutes: 45)]), with: memo)
        #expect(changed.services[0].units == 0)
        #expect(
            changed.finding(.belowUnitMinimum)?.message.contains(
                "(15 minutes individual, 20 minutes collateral, 60 minutes group)") == true)
    }

    @Test(arguments: [Telehealth.audioVideo, .audioOnly])
    func telehealthSentAsOffsiteCountsOnsite(kind: Telehealth) throws {
        let claim = try price(makeMonth([svc("t", minutes: 30, .offsite, telehealth: kind)]))
        #expect(claim.services[0].countedAs == .onsite)
        #expect(claim.services[0].tierUnits == 2)
        #expect(claim.finding(.telehealthCountedOnsite)?.serviceIds == ["t"])
    }

    @Test func offsiteUnitsCountTwiceTowardTheTier() throws {
        let claim = try price(makeMonth([svc("o", minutes: 45, .offsite)]))
        #expect(claim.services[0].accrued == 3)
        #expect(claim.services[0].tierUnits == 6)
        #expect(claim.units.tier == 6)
    }

    @Test func theCapOfFiveHoldsAtFiveWithoutAFinding() throws {
        let claim = try price(makeMonth([svc("a", minutes: 45, at: "09:00"), svc("b", minutes: 30, at: "10:00")]))
        #expect(claim.units.accrued == 5)
        #expect(!claim.codes.contains(.dailyCapApplied))
    }

    @Test func theCapCutsTheServiceThatCrossesItAndLaterOnesAccrueNothing() throws {
        // On-site 3 units, then 4 off-site units (2 fit), then 1 more (0 fit).
        let claim = try price(
            makeMonth([
                svc("late", minutes: 15, at: "15:00"),
                svc("first", minutes: 45, at: "09:00"),
                svc("offsite", minutes: 60, at: "10:00", .offsite),
            ]))
        let byId = Dictionary(uniqueKeysWithValues: claim.services.map { ($0.id, $0) })
        #expect(byId["first"]!.accrued == 3)
        #expect(byId["offsite"]!.accrued == 2)
        #expect(byId["offsite"]!.tierUnits == 4)
        #expect(byId["late"]!.accrued == 0)
        #expect(claim.units.accrued == 5)
        #expect(claim.units.tier == 7)
        let f = try #require(claim.finding(.dailyCapApplied))
        #expect(f.serviceIds == ["offsite", "late"])
        #expect(f.message.contains("offsite on 2025-05-05 counted 2 of its 4 units"))
    }

    @Test func anAllOffsiteDayHoldsAtMostTenTierUnits() throws {
        let claim = try price(
            makeMonth([svc("a", minutes: 60, at: "09:00", .offsite), svc("b", minutes: 60, at: "11:00", .offsite)]))
        #expect(claim.units.accrued == 5)
        #expect(claim.units.tier == 10)
    }

    @Test func timedServicesAccrueBeforeUntimedOnesThenRequestOrder() throws {
        let claim = try price(
            makeMonth([
                svc("untimed-1", minutes: 30), svc("untimed-2", minutes: 30), svc("timed", minutes: 45, at: "16:00"),
            ]))
        #expect(claim.services.map(\.accrued) == [2, 0, 3])
    }

    @Test func theCapIsPerCalendarDay() throws {
        let claim = try price(makeMonth([svc("a", minutes: 90, day: 5), svc("b", minutes: 90, day: 6)]))
        #expect(claim.services.map(\.accrued) == [5, 5])
    }

    @Test func overlappingTimesAreCreditedOnceTheLaterIsExcluded() throws {
        let claim = try price(makeMonth([svc("b", minutes: 30, at: "09:15"), svc("a", minutes: 30, at: "09:00")]))
        #expect(claim.services[1].accrued == 2)
        #expect(claim.services[0].excludedBy == .serviceTimeOverlap)
        #expect(claim.services[0].accrued == 0)
        #expect(claim.finding(.serviceTimeOverlap)?.serviceIds == ["b"])
    }

    @Test func backToBackServicesDoNotOverlap() throws {
        let claim = try price(makeMonth([svc("a", minutes: 30, at: "09:00"), svc("b", minutes: 30, at: "09:30")]))
        #expect(claim.services.map(\.accrued) == [2, 2])
    }

    @Test func aServiceThatEarnsNothingTakesUpNoTime() throws {
        let claim = try price(
            makeMonth([svc("short", minutes: 10, at: "09:00"), svc("real", minutes: 30, at: "09:05")]))
        #expect(claim.services[1].accrued == 2)
        #expect(!claim.codes.contains(.serviceTimeOverlap))
    }

    @Test func anExcludedServiceTakesUpNoTime() throws {
        let claim = try price(
            makeMonth([
                svc("job", .crs, .group, minutes: 60, at: "09:00", employment: true),
                svc("real", minutes: 30, at: "09:30"),
            ]))
        #expect(claim.services[1].accrued == 2)
        #expect(!claim.codes.contains(.serviceTimeOverlap))
    }

    @Test func aServiceCappedToZeroStillTakesUpItsTime() throws {
        let claim = try price(
            makeMonth([
                svc("full", minutes: 75, at: "08:00"), svc("capped", minutes: 30, at: "10:00"),
                svc("overlapping", minutes: 30, at: "10:15"),
            ]))
        #expect(claim.services[1].accrued == 0)
        #expect(claim.services[2].excludedBy == .serviceTimeOverlap)
    }

    @Test func servicesWithoutStartTimesNeverOverlap() throws {
        let claim = try price(makeMonth([svc("a", minutes: 30), svc("b", minutes: 30)]))
        #expect(claim.services.map(\.accrued) == [2, 2])
    }
}
