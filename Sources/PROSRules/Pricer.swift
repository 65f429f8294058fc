/// Prices member-months under a rule book: the rules of SPEC.md, pure and deterministic.
public struct Pricer: Sendable {
    public let book: RuleBook

    public init(book: RuleBook) { self.book = book }

    public func price(_ m: MemberMonth) throws(PricingError) -> PricedClaim {
        guard let rules = book.ruleSet(for: m.month) else {  // SPEC §1
            throw .unsupportedMonth(m.month, earliest: book.earliestMonth)
        }
        var schedule: RateSchedule?
        if let name = m.rateSchedule {
            guard let s = book.rateSchedules[name] else { throw .unknownRateSchedule(name, known: Array(book.rateSchedules.keys)) }
            schedule = s
        }
        var run = MonthRun(m: m, rules: rules, schedule: schedule)
        return run.price()
    }
}

/// Accrued units per component: four counters, read and written many times a run, without hashing.
struct ComponentCounts {
    var crs = 0, ir = 0, ors = 0, ct = 0

    subscript(c: Component) -> Int {
        get {
            switch c {
            case .crs: crs
            case .ir: ir
            case .ors: ors
            case .ct: ct
            }
        }
        set {
            switch c {
            case .crs: crs = newValue
            case .ir: ir = newValue
            case .ors: ors = newValue
            case .ct: ct = newValue
            }
        }
    }

    subscript(c: Component, default _: Int) -> Int {
        get { self[c] }
        set { self[c] = newValue }
    }

    var dictionary: [Component: Int] { [.crs: crs, .ir: ir, .ors: ors, .ct: ct] }
}

/// One pricing run: the state of a member-month as the rules are applied in order.
struct MonthRun {
    let m: MemberMonth
    let rules: RuleSet
    let schedule: RateSchedule?
    let dateOfService: CivilDate
    var dispositions: [ServiceDisposition] = []
    var findings: [Finding] = []
    var byComponent = ComponentCounts()
    var accrued = 0
    var tierUnits = 0

    init(m: MemberMonth, rules: RuleSet, schedule: RateSchedule?) {
        self.m = m; self.rules = rules; self.schedule = schedule
        // SPEC §7: the month's last day, or the discharge date in the discharge month.
        if let d = m.member.dischargeDate, m.month.contains(d) { dateOfService = d } else { dateOfService = m.month.lastDay }
    }

    mutating func price() -> PricedClaim {
        let accrual = Accrual(services: m.services, rules: rules, dischargeDate: m.member.dischargeDate)
        dispositions = accrual.dispositions
        findings = accrual.findings
        for c in Component.allCases { byComponent[c] = 0 }
        // By index, here and below: iterating `zip` would copy each service and disposition (ids, arrays).
        for i in m.services.indices {
            byComponent[m.services[i].component] += dispositions[i].accrued
            accrued += dispositions[i].accrued
            tierUnits += dispositions[i].tierUnits
        }

        var lines: [ClaimLine] = []
        if accrued == 0 {  // SPEC §8
            note(.noBillableUnits, .info, "No service accrued a unit this month, so nothing is billable.")
        } else if m.member.status == .preadmission {
            lines = preadmissionLines()
        } else {
            lines = admittedLines()
        }
        for i in lines.indices { lines[i] = withTelehealthModifiers(lines[i]) }
        let total = priceAmounts(&lines)
        return PricedClaim(memberId: m.memberId, month: m.month, ruleSet: rules.id, rateSchedule: schedule?.id,
                           dateOfService: dateOfService,
                           units: UnitTotals(accrued: accrued, tier: tierUnits, byComponent: byComponent.dictionary),
                           lines: lines, total: total, services: dispositions, findings: findings)
    }

    mutating func note(_ code: FindingCode, _ severity: Severity, _ message: Sentence, _ ids: [String] = []) {
        findings.append(Finding(code: code, severity: severity, message: message, serviceIds: ids))
    }

    /// Services of a component (or all) that accrued units.
    func countedIds(_ component: Component?) -> [String] {
        m.services.indices.compactMap { i in
            (component == nil || m.services[i].component == component) && dispositions[i].accrued >= 1 ? dispositions[i].id : nil
        }
    }

    // MARK: SPEC §6 — pre-admission

    mutating func preadmissionLines() -> [ClaimLine] {
        let rule = rules.preadmission
        var lines: [ClaimLine] = []
        let previous = (1...rule.maxConsecutiveMonths).map { m.month.advanced(by: -$0) }
        if accrued < rule.minAccruedUnits {
            note(.noBillableUnits, .info, "The pre-admission rate needs \(rule.minAccruedUnits) accrued units; the month has \(accrued).")
        } else if previous.allSatisfy(m.priorPreadmissionMonths.contains) {
            note(.preadmissionConsecutiveLimit, .denied,
                 "The pre-admission rate was billed for \(previous.reversed().map(\.description).joined(separator: " and ")); it may not be billed for more than \(rule.maxConsecutiveMonths) consecutive months (SPEC §6).")
        } else {
            lines.append(ClaimLine(kind: .preadmission, tier: nil, component: nil, rateCode: rule.coding.rateCode,
                                   procedureCode: rule.coding.procedureCode, modifiers: rule.coding.modifiers,
                                   units: rule.units, dateOfService: dateOfService, amount: nil))
        }
        var refused: [Component] = []
        var refusedIds: [String] = []
        for c in rules.addOnPriority where byComponent[c, default: 0] > 0 {
            if c == .ct && rules.ctAllowedInPreadmission { continue }
            refused.append(c)
            refusedIds += countedIds(c)
        }
        if !refused.isEmpty {
            note(.addOnNotAllowedPreadmission, .denied,
                 "Add-ons are not billed in pre-admission (SPEC §6); \(refused.map(\.rawValue).joined(separator: ", ")) units count only toward the pre-admission line.",
                 refusedIds)
        }
        if rules.ctAllowedInPreadmission, let ct = rules.addOn(.ct), byComponent[.ct, default: 0] > 0,
           qualifies(ct, baseBilled: !lines.isEmpty, baseName: "the pre-admission rate") {
            lines.append(addOnLine(ct))
        }
        return lines
    }

    // MARK: SPEC §4, §5 — admitted

    mutating func admittedLines() -> [ClaimLine] {
        var lines: [ClaimLine] = []
        if let a = m.member.admissionDate, m.month.contains(a) {
            note(.admissionMonth, .info, "The member was admitted on \(a): the admission month bills as admitted, counting all its services, and add-ons may be billed (SPEC §6).")
        }
        // SPEC §4: the minimum counts accrued units of one component (CRS), never doubled.
        let minimumUnits = byComponent[rules.baseMinimumComponent, default: 0]
        if minimumUnits < rules.baseMinimumUnits {
            note(.baseMinimumNotMet, .denied,
                 "The base rate needs \(rules.baseMinimumUnits) accrued \(rules.baseMinimumComponent.rawValue) units; the month has \(minimumUnits) (off-site doubling never counts toward it) (SPEC §4).")
        } else if let tier = rules.tiers.first(where: { tierUnits >= $0.minUnits && ($0.maxUnits.map { tierUnits <= $0 } ?? true) }) {
            lines.append(ClaimLine(kind: .base, tier: tier.tier, component: nil, rateCode: tier.coding.rateCode,
                                   procedureCode: tier.coding.procedureCode, modifiers: tier.coding.modifiers,
                                   units: accrued, dateOfService: dateOfService, amount: nil))
        } else {
            note(.baseMinimumNotMet, .denied, "The month's \(tierUnits) tier units are below the lowest tier (SPEC §4).")
        }

        var qualified: [AddOnRule] = []
        for c in rules.addOnPriority {
            if byComponent[c] > 0, let rule = rules.addOn(c), qualifies(rule, baseBilled: !lines.isEmpty, baseName: "a base rate") {
                qualified.append(rule)
            }
        }
        qualified = applyExclusivity(qualified)
        if qualified.count > rules.maxAddOns {  // SPEC §5: at most 2 add-ons, kept by priority
            let dropped = qualified[rules.maxAddOns...]
            note(.maxAddOns, .denied,
                 "At most \(rules.maxAddOns) add-ons a month; not billed: \(dropped.map(\.component.rawValue).joined(separator: ", ")) (SPEC §5).",
                 dropped.flatMap { countedIds($0.component) })
            qualified = Array(qualified.prefix(rules.maxAddOns))
        }
        lines += qualified.map(addOnLine).sorted { $0.rateCode.count != $1.rateCode.count ? $0.rateCode.count < $1.rateCode.count : $0.rateCode < $1.rateCode }
        return lines
    }

    func addOnLine(_ rule: AddOnRule) -> ClaimLine {
        ClaimLine(kind: .addOn, tier: nil, component: rule.component, rateCode: rule.coding.rateCode,
                  procedureCode: rule.coding.procedureCode, modifiers: rule.coding.modifiers,
                  units: byComponent[rule.component, default: 0], dateOfService: dateOfService, amount: nil)
    }

    /// Whether an add-on's conditions hold (SPEC §5); records a finding for each one that does not.
    mutating func qualifies(_ rule: AddOnRule, baseBilled: Bool, baseName: String) -> Bool {
        let c = rule.component
        var ids: [String] { countedIds(c) }  // listed only in a finding
        guard m.services.indices.contains(where: { m.services[$0].component == c && dispositions[$0].accrued >= rule.minServiceUnits }) else {
            minimumNotMet(c, "needs a \(c.rawValue) service with \(rule.minServiceUnits) accrued units", ids)
            return false
        }
        let componentUnits = byComponent[c, default: 0]
        if componentUnits < rule.minComponentUnits {
            minimumNotMet(c, "needs \(rule.minComponentUnits) accrued \(c.rawValue) units; the month has \(componentUnits)", ids)
            return false
        }
        if accrued < rule.minMonthUnits {
            minimumNotMet(c, "needs \(rule.minMonthUnits) accrued units in the month, all components, not doubled; the month has \(accrued)", ids)
            return false
        }
        guard c == .ct else { return true }
        var ok = true
        if rules.ctRequiresBaseRate && !baseBilled {
            note(.ctRequiresBaseRate, .denied, "The Clinical Treatment add-on is billed only with \(baseName), which this month does not bill (SPEC §5).", ids)
            ok = false
        }
        if let rre = rules.ctRequiredRRE, !m.member.rreCodes.contains(rre) {
            note(.ctRREMissing, .denied, "The Clinical Treatment add-on needs R/E code \(rre) on the member; the member has \(m.member.rreCodes.isEmpty ? "none" : m.member.rreCodes.joined(separator: ", ")) (SPEC §5).", ids)
            ok = false
        }
        if m.member.medicationManagement && !hasPrescriberContact() {
            let from = m.month.advanced(by: -rules.prescriberContactWindowMonths)
            note(.ctPrescriberContactMissing, .denied,
                 "A member receiving medication management needs a psychiatrist or psychiatric NP contact from \(from) to \(m.month) for the Clinical Treatment add-on; none is recorded (SPEC §5).", ids)
            ok = false
        }
        return ok
    }

    mutating func minimumNotMet(_ c: Component, _ reason: Sentence, _ ids: [String]) {
        let code: FindingCode = switch c {
        case .ir: .irMinimumNotMet
        case .ors: .orsMinimumNotMet
        default: .ctMinimumNotMet
        }
        note(code, .denied, "The \(c.rawValue) add-on \(reason) (SPEC §5).", ids)
    }

    /// SPEC §5: a prescriber contact this month (a counted CT service marked so) or in the window before it.
    func hasPrescriberContact() -> Bool {
        let inMonth = m.services.indices.contains { i in
            m.services[i].component == .ct && m.services[i].prescriberContact
                && (dispositions[i].excludedBy == nil || dispositions[i].excludedBy == .belowUnitMinimum)
        }
        if inMonth { return true }
        guard let last = m.member.lastPrescriberContact else { return false }
        let from = m.month.advanced(by: -rules.prescriberContactWindowMonths).firstDay
        return from <= last && last <= m.month.lastDay
    }

    /// SPEC §5: of add-ons that may not be billed together, keep the higher configured amount, else the first by priority.
    mutating func applyExclusivity(_ qualified: [AddOnRule]) -> [AddOnRule] {
        var kept = qualified
        for group in rules.exclusiveAddOns {
            var inGroup = 0
            for i in kept.indices where group.contains(kept[i].component) { inGroup += 1 }
            guard inGroup > 1 else { continue }  // the common case: nothing to choose, nothing built
            let contenders = kept.filter { group.contains($0.component) }
            let amounts = contenders.map { schedule?.amount(for: $0.coding.rateCode, on: dateOfService) }
            var winner = contenders[0]  // `kept` is in priority order
            var reason = "it comes first in the configured add-on priority"
            if amounts.allSatisfy({ $0 != nil }) {
                let values = amounts.map { $0! }
                let best = values.max()!
                if values.filter({ $0 == best }).count == 1 {
                    winner = contenders[values.firstIndex(of: best)!]
                    reason = "its rate (\(best)) is the higher"
                }
            }
            let dropped = contenders.filter { $0.component != winner.component }
            kept.removeAll { r in dropped.contains { $0.component == r.component } }
            note(.irOrsExclusive, .denied,
                 "\(contenders.map(\.component.rawValue).joined(separator: " and ")) may not be billed in the same month: kept \(winner.component.rawValue) because \(reason); not billed: \(dropped.map(\.component.rawValue).joined(separator: ", ")) (SPEC §5).",
                 dropped.flatMap { countedIds($0.component) })
        }
        return kept
    }

    // MARK: SPEC §8 — telehealth modifiers

    func withTelehealthModifiers(_ line: ClaimLine) -> ClaimLine {
        var line = line
        var audioVideo = false, audioOnly = false
        for i in m.services.indices where dispositions[i].accrued > 0 && (line.component == nil || m.services[i].component == line.component) {
            let t = m.services[i].telehealth
            if t == .audioVideo { audioVideo = true } else if t == .audioOnly { audioOnly = true }
        }
        for (kind, used) in [(Telehealth.audioVideo, audioVideo), (.audioOnly, audioOnly)] where used {
            if let modifier = rules.telehealthModifiers[kind], !line.modifiers.contains(modifier) { line.modifiers.append(modifier) }
        }
        return line
    }

    // MARK: SPEC §9 — amounts

    mutating func priceAmounts(_ lines: inout [ClaimLine]) -> Money? {
        guard !lines.isEmpty else { return .zero }
        guard let schedule else {
            note(.noRate, .info, "No rate schedule was named, so amounts are null (SPEC §9).")
            return nil
        }
        var total: Money? = .zero
        var missing: [String] = []
        for i in lines.indices {
            lines[i].amount = schedule.amount(for: lines[i].rateCode, on: lines[i].dateOfService)
            if let a = lines[i].amount { total = total.map { $0 + a } } else { total = nil; missing.append(lines[i].rateCode) }
        }
        if !missing.isEmpty {
            note(.noRate, .warning, "Rate schedule \(schedule.id) has no rate for \(missing.joined(separator: ", ")) on \(dateOfService); those amounts and the total are null (SPEC §9).")
        }
        return total
    }
}
