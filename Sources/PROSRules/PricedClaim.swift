/// The stable finding codes of SPEC §10. Part of the API: never renamed.
public enum FindingCode: String, Sendable, CaseIterable, Hashable {
    case belowUnitMinimum = "BELOW_UNIT_MINIMUM"
    case telehealthCountedOnsite = "TELEHEALTH_COUNTED_ONSITE"
    case dailyCapApplied = "DAILY_CAP_APPLIED"
    case serviceTimeOverlap = "SERVICE_TIME_OVERLAP"
    case baseMinimumNotMet = "BASE_MINIMUM_NOT_MET"
    case irMinimumNotMet = "IR_MINIMUM_NOT_MET"
    case orsMinimumNotMet = "ORS_MINIMUM_NOT_MET"
    /// Not in SPEC §10: reachable only when a rule set raises CT's minimums above one unit.
    case ctMinimumNotMet = "CT_MINIMUM_NOT_MET"
    case irOrsExclusive = "IR_ORS_EXCLUSIVE"
    case maxAddOns = "MAX_ADDONS"
    case ctRequiresBaseRate = "CT_REQUIRES_BASE_RATE"
    case ctRREMissing = "CT_RRE_MISSING"
    case ctPrescriberContactMissing = "CT_PRESCRIBER_CONTACT_MISSING"
    case addOnNotAllowedPreadmission = "ADDON_NOT_ALLOWED_PREADMISSION"
    case preadmissionConsecutiveLimit = "PREADMISSION_CONSECUTIVE_LIMIT"
    case serviceAfterDischarge = "SERVICE_AFTER_DISCHARGE"
    case employmentSettingNotOneToOne = "EMPLOYMENT_SETTING_NOT_ONE_TO_ONE"
    case noBillableUnits = "NO_BILLABLE_UNITS"
    case admissionMonth = "ADMISSION_MONTH"
    case noRate = "NO_RATE"
}

public enum Severity: String, Sendable, Hashable {
    /// An explanation; nothing was lost.
    case info
    /// A service or unit did not count.
    case warning
    /// A line that could have been billed was not.
    case denied
}

/// One decision explained: a stable code, a severity, a plain sentence, and the services concerned.
public struct Finding: Sendable, Equatable {
    public var code: FindingCode
    public var severity: Severity
    /// The message's UTF-8, as built: written to JSON as is, decoded to a `String` only if asked for.
    public internal(set) var messageUTF8: [UInt8]
    public var serviceIds: [String]

    public var message: String { String(decoding: messageUTF8, as: UTF8.self) }

    init(code: FindingCode, severity: Severity, message: Sentence, serviceIds: [String]) {
        self.code = code; self.severity = severity; messageUTF8 = message.bytes; self.serviceIds = serviceIds
    }
}

/// What became of one service (SPEC §10): units earned, accrued after the cap, tier units, or why excluded.
public struct ServiceDisposition: Sendable, Equatable {
    public var id: String
    /// Units the session's length earns (SPEC §2).
    public var units: Int
    /// Units after exclusions and the daily cap (SPEC §3).
    public var accrued: Int
    /// Accrued units with off-site units doubled.
    public var tierUnits: Int
    /// Where the service counted: telehealth counts on-site.
    public var countedAs: Location
    /// The finding that excluded it, if any: it then accrues nothing and takes up no time.
    public var excludedBy: FindingCode?
    /// Every finding that concerns this service.
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
    public var byComponent: [Component: Int]
}

/// The priced member-month (API.md `200`).
public struct PricedClaim: Sendable, Equatable {
    public var memberId: String
    public var month: YearMonth
    public var ruleSet: String
    public var rateSchedule: String?
    public var dateOfService: CivilDate
    public var units: UnitTotals
    /// In claim order: the base or pre-admission line first, then add-ons by rate code.
    public var lines: [ClaimLine]
    /// nil when a line has no rate.
    public var total: Money?
    /// One per request service, in request order.
    public var services: [ServiceDisposition]
    public var findings: [Finding]
}
