/// What became of one service (docs/api.md#services): units earned, accrued after the cap, tier units, or
/// why it was excluded.
public struct ServiceDisposition: Sendable, Equatable {
    public var id: String
    /// Units the session's length earns (docs/rules.md#units-per-service).
    public var units: Int
    /// Units after exclusions and the daily cap (docs/rules.md#daily-cap).
    public var accrued: Int
    /// Accrued units with off-site units doubled.
    public var tierUnits: Int
    /// Where the service counted: telehealth counts on-site.
    public var countedAs: Location
    /// The finding that excluded it, if any: it then accrues nothing and takes up no time.
    public var excludedBy: FindingCode?
    /// Every finding that names this service, month-level ones included, in the order of `findings`.
    public var findings: [FindingCode]
}

public enum LineKind: String, Sendable { case base, preadmission, addOn }

/// One line of the claim.
public struct ClaimLine: Sendable, Equatable {
    public var kind: LineKind
    public var tier: Int?
    public var component: Component?
    public var rateCode: String
    public var procedureCode: String
    public var modifiers: [String]
    public var units: Int
    public var dateOfService: CivilDate
    public var amount: Money?
}

public struct UnitTotals: Sendable, Equatable {
    public var accrued: Int
    public var tier: Int
    /// Accrued units by component.
    public var byComponent: ComponentCounts
    /// Units earned by counting services before the daily cap: what add-on lines report.
    public var providedByComponent: ComponentCounts
}

/// The priced member-month (docs/api.md, the `200` answer).
public struct PricedClaim: Sendable, Equatable {
    public var memberId: String
    public var month: YearMonth
    public var ruleSet: String
    public var rateSchedule: String?
    public var payer: String?
    public var dateOfService: CivilDate
    public var units: UnitTotals
    /// In claim order: the base or pre-admission line first, then add-ons by rate code.
    public var lines: [ClaimLine]
    /// nil when a line has no rate.
    public var total: Money?
    /// One per request service, in request order.
    public var services: [ServiceDisposition]
    public var findings: [Finding]
    /// One sentence on what is billed and why, as the UTF-8 it was built in (written to JSON as is).
    public var summaryUTF8: [UInt8]
    public var summary: String { String(decoding: summaryUTF8, as: UTF8.self) }
    /// What would change the claim.
    public var hints: [Hint]
}
