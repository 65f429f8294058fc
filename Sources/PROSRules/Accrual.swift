/// What each service earns: its units, whether a rule excludes it, what the daily cap leaves it, and its
/// tier units with off-site doubling (docs/rules.md#units-per-service to #off-site-doubling).
struct Accrual {
    var dispositions: [ServiceDisposition]
    /// Units each counting service earned before the daily cap (0 for an excluded one).
    var provided: [Int]
    /// Findings about single services, with the services they name.
    var notes: [(note: Note, services: [Int])] = []

    init(services: [Service], rules: RuleSet, dischargeDate: CivilDate?) {
        dispositions = []
        dispositions.reserveCapacity(services.count)
        var discharged: [Int] = [], employment: [Int] = [], notOneToOne: [Int] = [], below: [Int] = []

        // Minutes per unit by format, looked up once a month rather than once a service.
        // One walk over the few entries, rather than a hashed lookup for each.
        var perUnit = (individual: 15, collateral: 15, group: 30)
        for (format, minutes) in rules.unitMinutes {
            switch format {
            case .individual: perUnit.individual = minutes
            case .collateral: perUnit.collateral = minutes
            case .group: perUnit.group = minutes
            }
        }
        let oneToOne = rules.oneToOneComponents
        // A list of services gets room for all of them at its first, rather than regrowing as it doubles.
        func collect(_ i: Int, in list: inout [Int]) {
            if list.capacity == 0 { list.reserveCapacity(services.count) }
            list.append(i)
        }
        for i in services.indices {  // by index: iterating or a `let` would copy each service
            // Units stack within a session: floor(minutes / minutes per unit).
            let minutesPerUnit =
                switch services[i].format {
                case .individual: perUnit.individual
                case .collateral: perUnit.collateral
                case .group: perUnit.group
                }
            let units = services[i].minutes / minutesPerUnit
            // The one rule that excludes it, first in this order (docs/rules.md#findings).
            var excludedBy: FindingCode?
            if let discharge = dischargeDate, services[i].date > discharge {
                excludedBy = .serviceAfterDischarge; collect(i, in: &discharged)
            } else if services[i].format == .group && services[i].employmentSetting {
                excludedBy = .employmentSettingNotOneToOne; collect(i, in: &employment)
            } else if services[i].format == .group && oneToOne.contains(services[i].component) {
                excludedBy = .orsNotOneToOne; collect(i, in: &notOneToOne)
            } else if units == 0 {
                excludedBy = .belowUnitMinimum
            }
            if units == 0 { collect(i, in: &below) }  // listed even when another rule excluded it
            dispositions.append(
                ServiceDisposition(
                    id: services[i].id, units: units, accrued: 0, tierUnits: 0,
                    countedAs: services[i].telehealth == .none ? services[i].location : .onsite,
                    excludedBy: excludedBy, findings: []))
        }

        // docs/rules.md#daily-cap: each day accrues in time order: services with a start time by it, then
        // those without, in request order.
        var keys: [(day: Int, start: Int, index: Int)] = []
        keys.reserveCapacity(services.count)
        for i in services.indices {
            keys.append((day: services[i].date.dayNumber, start: services[i].startMinute ?? Int.max, index: i))
        }
        let order = keys.sorted { a, b in (a.day, a.start, a.index) < (b.day, b.start, b.index) }.map(\.index)
        // `order` runs day by day: one day is accrued at a time, its timed services' intervals kept in one
        // flat list from `dayStart` on.
        var day: CivilDate?
        var used = 0
        var intervals: [(start: Int, end: Int, index: Int)] = []
        intervals.reserveCapacity(services.count)
        var dayStart = 0
        var overlapNotes = Sentence(), overlapping: [Int] = []
        var capNotes = Sentence(), capped: [Int] = []
        for i in order where dispositions[i].excludedBy == nil {
            let date = services[i].date
            if day != date { day = date; used = 0; dayStart = intervals.count }
            if let start = services[i].startMinute {
                // docs/rules.md#overlapping-times: the later one in accrual order is excluded.
                let end = start + services[i].minutes
                if let other = intervals[dayStart...].first(where: { start < $0.end && $0.start < end }) {
                    dispositions[i].excludedBy = .serviceTimeOverlap
                    collect(i, in: &overlapping)
                    // Room for a few at the first, rather than regrowing at each.
                    if overlapNotes.isEmpty {
                        overlapNotes.reserveCapacity(256)
                    } else {
                        overlapNotes.append(literal: "; ")
                    }
                    overlapNotes.append(Explain.overlap(services[i].id, services[other.index].id, on: date))
                    continue
                }
                // Takes up its time even if the cap leaves it nothing to accrue.
                intervals.append((start, end, i))
            }
            let units = dispositions[i].units
            let accrued = min(units, max(0, rules.dailyCap - used))
            if accrued < units {
                collect(i, in: &capped)
                if capNotes.isEmpty { capNotes.reserveCapacity(256) } else { capNotes.append(literal: "; ") }
                capNotes.append(Explain.capped(services[i].id, on: date, accrued: accrued, of: units))
            }
            used += accrued
            dispositions[i].accrued = accrued
            // docs/rules.md#off-site-doubling: each accrued off-site unit counts twice toward the tier only.
            let multiplier = dispositions[i].countedAs == .offsite ? rules.offsiteMultiplier : 1
            dispositions[i].tierUnits = accrued * multiplier
        }
        provided = []
        provided.reserveCapacity(services.count)
        // docs/rules.md#location-and-telehealth: only a service that counts gets the telehealth note.
        var telehealth: [Int] = []
        for i in services.indices {
            let counts = dispositions[i].excludedBy == nil
            provided.append(counts ? dispositions[i].units : 0)
            if services[i].telehealth != .none && services[i].location == .offsite && counts {
                collect(i, in: &telehealth)
            }
        }

        func add(_ note: Note, _ indices: [Int]) { notes.append((note, indices)) }
        func list(_ indices: [Int]) -> Sentence { Explain.ids(indices, of: services) }
        if let discharge = dischargeDate, !discharged.isEmpty {
            add(
                Explain.serviceAfterDischarge(list(discharged), count: discharged.count, discharge: discharge),
                discharged)
        }
        if !employment.isEmpty {
            add(Explain.employmentSetting(list(employment), count: employment.count), employment)
        }
        if !notOneToOne.isEmpty {
            let components = oneToOne.map(\.rawValue).joined(separator: ", ")
            add(
                Explain.orsNotOneToOne(list(notOneToOne), count: notOneToOne.count, components: "\(components)"),
                notOneToOne)
        }
        if !below.isEmpty {
            // The unit lengths are the rule set's own, so the sentence follows a new memo's numbers.
            let lengths = Explain.unitLengths(
                individual: perUnit.individual, collateral: perUnit.collateral, group: perUnit.group)
            add(Explain.belowUnitMinimum(list(below), count: below.count, lengths: lengths), below)
        }
        if !telehealth.isEmpty {
            add(Explain.telehealthCountedOnsite(list(telehealth), count: telehealth.count), telehealth)
        }
        if !overlapping.isEmpty {
            add(Explain.serviceTimeOverlap(overlapNotes, count: overlapping.count), overlapping)
        }
        if !capped.isEmpty {
            add(
                Explain.dailyCapApplied(capNotes, cap: rules.dailyCap, addOnsKeepUnits: !rules.dailyCapAppliesToAddOns),
                capped)
        }
    }
}
