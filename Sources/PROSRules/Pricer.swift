/// Prices member-months under a rule book: the rules of docs/rules.md, pure and deterministic.
///
/// One run applies the rules in the order the rules page gives them: units and exclusions, the daily cap
/// and doubling (`Accrual`), then the base rate or the pre-admission line, the add-ons, the telehealth
/// modifiers and the amounts; then the month is explained (`summary`, `hints`).
public struct Pricer: Sendable {
    public let book: RuleBook

    public init(book: RuleBook) { self.book = book }

    public func price(_ month: MemberMonth) throws(PricingError) -> PricedClaim {
        // Each name is looked up once; only a month that fails is described, by `configErrors`.
        let schedule = month.rateSchedule.flatMap { book.rateSchedule(named: $0) }
        let profile = month.payer.flatMap { book.payer(named: $0) }
        guard var rules = book.ruleSet(for: month.month), (month.rateSchedule == nil) == (schedule == nil),
            (month.payer == nil) == (profile == nil)
        else {
            let errors = configErrors(month: month.month, rateSchedule: month.rateSchedule, payer: month.payer)
            throw PricingError(errors: errors, earliest: book.earliestMonth)
        }
        if let profile { rules = rules.applying(profile.policy) }
        var run = MonthRun(month, rules: rules, schedule: schedule)
        return run.price()
    }

    /// What the loaded config cannot price: a month no rule set covers, an unknown rate schedule or payer.
    /// Empty when all are known (nil names count as known).
    public func configErrors(month: YearMonth?, rateSchedule: String?, payer: String?) -> [FieldError] {
        var errors: [FieldError] = []
        if let month, book.ruleSet(for: month) == nil {
            let earliest = book.earliestMonth.map { "; the earliest supported month is \($0)" } ?? ""
            errors.append(FieldError("/month", "no rule set covers \(month)\(earliest)"))
        }
        if let name = rateSchedule, book.rateSchedules[name] == nil {
            let known = book.rateSchedules.keys.sorted().joined(separator: ", ")
            errors.append(
                FieldError(
                    "/rateSchedule", "no rate schedule named \"\(name)\" is loaded (loaded: \(known))"))
        }
        if let name = payer, book.payers[name] == nil {
            let known = book.payers.keys.sorted()
            errors.append(
                FieldError(
                    "/payer",
                    "no payer profile named \"\(name)\" is loaded (loaded: "
                        + (known.isEmpty ? "none" : known.joined(separator: ", ")) + ")"))
        }
        return errors
    }
}

/// Units per component: four counters, read and written many times a run, without hashing.
public struct ComponentCounts: Sendable, Equatable {
    public var crs = 0, ir = 0, ors = 0, ct = 0

    public init() {}

    public subscript(c: Component) -> Int {
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
}

/// One pricing run: the state of a member-month as the rules are applied in order.
struct MonthRun {
    let month: MemberMonth
    let rules: RuleSet
    let schedule: RateSchedule?
    let dateOfService: CivilDate
    var dispositions: [ServiceDisposition] = []
    /// Units each counting service earned before the daily cap.
    var provided: [Int] = []
    var findings: [Finding] = []
    /// The lines not billed, in a few words each, for the summary.
    var notBilled: [Sentence] = []
    /// Accrued units (after the daily cap) by component.
    var accruedBy = ComponentCounts()
    /// Provided units (before the daily cap) by component.
    var providedBy = ComponentCounts()
    var accrued = 0
    var tierUnits = 0

    init(_ month: MemberMonth, rules: RuleSet, schedule: RateSchedule?) {
        self.month = month; self.rules = rules; self.schedule = schedule
        // docs/rules.md#date-of-service-and-discharge: the month's last day, or the discharge date.
        if let d = month.member.dischargeDate, month.month.contains(d) {
            dateOfService = d
        } else {
            dateOfService = month.month.lastDay
        }
    }

    var services: [Service] { month.services }
    var member: Member { month.member }

    mutating func price() -> PricedClaim {
        findings.reserveCapacity(8)
        if !month.unknownFields.isEmpty { note(Explain.unknownFields(month.unknownFields)) }
        let accrual = Accrual(services: services, rules: rules, dischargeDate: member.dischargeDate)
        dispositions = accrual.dispositions
        provided = accrual.provided
        for (n, indices) in accrual.notes { note(n, indices) }
        // By index: iterating `zip` would copy each service and disposition (ids, arrays).
        for i in services.indices {
            accruedBy[services[i].component] += dispositions[i].accrued
            providedBy[services[i].component] += provided[i]
            accrued += dispositions[i].accrued
            tierUnits += dispositions[i].tierUnits
        }
        if member.rreCodes.count > rules.maxRRECodes {
            note(Explain.rreCodesOverLimit(count: member.rreCodes.count, limit: rules.maxRRECodes))
        }

        var lines: [ClaimLine] = []
        if accrued == 0 {
            note(Explain.noBillableUnits(serviceCount: services.count, month: month.month))
        } else if member.status == .preadmission {
            lines = preadmissionLines()
        } else {
            lines = admittedLines()
        }
        for i in lines.indices { addTelehealthModifiers(&lines[i]) }
        let total = priceAmounts(&lines)

        // docs/api.md#services: each service lists every finding that names it.
        for f in findings {
            for i in f.serviceIndices where dispositions[i].findings.last != f.code {
                dispositions[i].findings.append(f.code)
            }
        }
        // The month explained from its lines, then the claim made once (filling a claim's summary from the
        // claim itself copied the whole claim).
        let summaryUTF8 = summary(lines: lines, total: total)
        let hints = hints(lines: lines)
        return PricedClaim(
            memberId: month.memberId, month: month.month, ruleSet: rules.id, rateSchedule: schedule?.id,
            payer: month.payer, dateOfService: dateOfService,
            units: UnitTotals(
                accrued: accrued, tier: tierUnits, byComponent: accruedBy, providedByComponent: providedBy),
            lines: lines, total: total, services: dispositions, findings: findings, summaryUTF8: summaryUTF8,
            hints: hints)
    }

    mutating func note(_ note: Note, _ indices: [Int] = []) {
        findings.append(Finding(note, services: services, indices: indices))
        if let reason = note.notBilled { notBilled.append(reason) }
    }

    /// The units add-ons count: provided units, or accrued ones when the daily cap applies to add-ons.
    func addOnUnits(_ c: Component) -> Int { rules.dailyCapAppliesToAddOns ? accruedBy[c] : providedBy[c] }

    /// A service's units as add-ons count them.
    func addOnUnits(ofService i: Int) -> Int {
        rules.dailyCapAppliesToAddOns ? dispositions[i].accrued : provided[i]
    }

    /// Services of a component whose units add-ons count.
    func addOnServices(_ c: Component) -> [Int] { services.indices.filter { countsForAddOn($0, c) } }

    /// Whether service `i` is of component `c` and has units add-ons count.
    func countsForAddOn(_ i: Int, _ c: Component) -> Bool {
        services[i].component == c && addOnUnits(ofService: i) > 0
    }

    /// The same for several components, one after the other.
    func addOnServices(_ components: [Component]) -> [Int] {
        var indices: [Int] = []
        indices.reserveCapacity(services.count)
        for c in components {
            for i in services.indices where countsForAddOn(i, c) { indices.append(i) }
        }
        return indices
    }

    /// Services that accrued units (what the base and pre-admission lines report).
    func accruingServices() -> [Int] { services.indices.filter { dispositions[$0].accrued > 0 } }
}
