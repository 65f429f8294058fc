/// Units, exclusions, the daily cap, overlapping times and off-site doubling (SPEC §2, §3, §7, §8).
struct Accrual {
    var dispositions: [ServiceDisposition]
    var findings: [Finding] = []

    init(services: [Service], rules: RuleSet, dischargeDate: CivilDate?) {
        dispositions = []
        dispositions.reserveCapacity(services.count)
        var dischargedIds: [String] = [], employmentIds: [String] = [], belowIds: [String] = [], telehealthIds: [String] = []

        // Minutes per unit by format, looked up once a month rather than once a service.
        let perUnit = (individual: rules.unitMinutes[.individual] ?? 15, collateral: rules.unitMinutes[.collateral] ?? 15,
                       group: rules.unitMinutes[.group] ?? 15)
        for i in services.indices {  // by index: iterating would copy each service
            // SPEC §2: units stack; floor(minutes / minutes-per-unit).
            let minutesPerUnit = switch services[i].format {
            case .individual: perUnit.individual
            case .collateral: perUnit.collateral
            case .group: perUnit.group
            }
            let units = services[i].minutes / minutesPerUnit
            var d = ServiceDisposition(id: services[i].id, units: units, accrued: 0, tierUnits: 0,
                                       countedAs: services[i].telehealth == .none ? services[i].location : .onsite, excludedBy: nil, findings: [])
            if let discharge = dischargeDate, services[i].date > discharge {  // SPEC §7
                d.excludedBy = .serviceAfterDischarge; dischargedIds.append(services[i].id)
            } else if services[i].format == .group && services[i].employmentSetting {  // SPEC §8
                d.excludedBy = .employmentSettingNotOneToOne; employmentIds.append(services[i].id)
            } else if units == 0 {  // SPEC §2
                d.excludedBy = .belowUnitMinimum; belowIds.append(services[i].id)
            }
            if let e = d.excludedBy { d.findings.append(e) }
            if services[i].telehealth != .none && services[i].location == .offsite && d.excludedBy == nil {  // SPEC §3
                d.findings.append(.telehealthCountedOnsite); telehealthIds.append(services[i].id)
            }
            dispositions.append(d)
        }

        // docs/rules.md#daily-cap: each day accrues in time order: services with a start time by it, then
        // those without, in request order.
        let order = services.indices.sorted { a, b in
            (services[a].date, services[a].startMinute ?? Int.max, a) < (services[b].date, services[b].startMinute ?? Int.max, b)
        }
        // `order` runs day by day: one day is accrued at a time, its timed services' intervals kept in
        // one flat list from `dayStart` on (no per-day allocations, no Service copied).
        var day: CivilDate?
        var used = 0
        var intervals: [(start: Int, end: Int, index: Int)] = []
        intervals.reserveCapacity(services.count)
        var dayStart = 0
        var overlapNotes = Sentence(), overlapIds: [String] = []
        var capNotes = Sentence(), capIds: [String] = []
        for i in order where dispositions[i].excludedBy == nil {
            let date = services[i].date
            if day != date { day = date; used = 0; dayStart = intervals.count }
            if let start = services[i].startMinute {
                let end = start + services[i].minutes
                if let other = intervals[dayStart...].first(where: { start < $0.end && $0.start < end }) {
                    dispositions[i].excludedBy = .serviceTimeOverlap
                    dispositions[i].findings.append(.serviceTimeOverlap)
                    overlapIds.append(services[i].id)
                    if !overlapNotes.isEmpty { overlapNotes.append("; ") }
                    overlapNotes.append("\(services[i].id) overlaps \(services[other.index].id) on \(date)")
                    continue
                }
                // Takes up its time even if the cap leaves it nothing to accrue.
                intervals.append((start, end, i))
            }
            let accrued = min(dispositions[i].units, max(0, rules.dailyCap - used))
            if accrued < dispositions[i].units {
                dispositions[i].findings.append(.dailyCapApplied)
                capIds.append(services[i].id)
                if !capNotes.isEmpty { capNotes.append("; ") }
                capNotes.append("\(services[i].id) on \(date) accrued \(accrued) of \(dispositions[i].units) units")
            }
            used += accrued
            dispositions[i].accrued = accrued
            // SPEC §3: each accrued off-site unit counts twice toward the tier (never toward a minimum).
            dispositions[i].tierUnits = accrued * (dispositions[i].countedAs == .offsite ? rules.offsiteMultiplier : 1)
        }

        if !dischargedIds.isEmpty {
            add(.serviceAfterDischarge, .warning, "\(count(dischargedIds)) dated after the discharge date \(dischargeDate!) excluded (SPEC §7).", dischargedIds)
        }
        if !employmentIds.isEmpty {
            add(.employmentSettingNotOneToOne, .warning, "\(count(employmentIds)) in the member's place of employment excluded: services there must be one-to-one, not group (SPEC §8).", employmentIds)
        }
        if !belowIds.isEmpty {
            // The unit lengths are the rule set's own, so the sentence follows a new memo's numbers.
            let lengths: Sentence = perUnit.individual == perUnit.collateral
                ? "\(perUnit.individual) minutes individual or collateral, \(perUnit.group) minutes group"
                : "\(perUnit.individual) minutes individual, \(perUnit.collateral) minutes collateral, \(perUnit.group) minutes group"
            add(.belowUnitMinimum, .warning, "\(count(belowIds)) shorter than one unit (\(lengths)) earned no units (SPEC §2).", belowIds)
        }
        if !telehealthIds.isEmpty {
            add(.telehealthCountedOnsite, .info, "\(count(telehealthIds)) delivered by telehealth but sent as off-site counted as on-site, not doubled (SPEC §3).", telehealthIds)
        }
        if !overlapIds.isEmpty {
            add(.serviceTimeOverlap, .warning, "Overlapping times cannot be credited twice; excluded: \(overlapNotes) (SPEC §3).", overlapIds)
        }
        if !capIds.isEmpty {
            add(.dailyCapApplied, .info, "The daily cap of \(rules.dailyCap) units applied: \(capNotes) (SPEC §3).", capIds)
        }
    }

    mutating func add(_ code: FindingCode, _ severity: Severity, _ message: Sentence, _ ids: [String]) {
        findings.append(Finding(code: code, severity: severity, message: message, serviceIds: ids))
    }
}

func count(_ ids: [String]) -> Sentence { ids.count == 1 ? "1 service" : "\(ids.count) services" }
