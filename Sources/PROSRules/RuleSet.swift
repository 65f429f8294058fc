/// A billed claim line's coding: rate code, procedure code and modifiers.
public struct Coding: Sendable, Equatable {
    public var rateCode: String
    public var procedureCode: String
    public var modifiers: [String]

    public init(rateCode: String, procedureCode: String, modifiers: [String]) {
        self.rateCode = rateCode; self.procedureCode = procedureCode; self.modifiers = modifiers
    }
}

/// One base-rate tier (docs/rules.md#tiers).
public struct Tier: Sendable, Equatable {
    public var tier: Int
    public var minUnits: Int
    /// nil: open-ended.
    public var maxUnits: Int?
    public var coding: Coding

    public init(tier: Int, minUnits: Int, maxUnits: Int? = nil, coding: Coding) {
        self.tier = tier; self.minUnits = minUnits; self.maxUnits = maxUnits; self.coding = coding
    }

    public func contains(_ units: Int) -> Bool { units >= minUnits && maxUnits.map { units <= $0 } ?? true }
}

/// The conditions and coding of one add-on (docs/rules.md#add-ons).
public struct AddOnRule: Sendable, Equatable {
    public var component: Component
    public var coding: Coding
    /// Units one service of the component must provide.
    public var minServiceUnits: Int
    /// Units the component must provide in the month.
    public var minComponentUnits: Int
    /// Accrued units of all components in the month (after the daily cap, not doubled).
    public var minMonthUnits: Int

    public init(
        component: Component, coding: Coding, minServiceUnits: Int, minComponentUnits: Int,
        minMonthUnits: Int
    ) {
        self.component = component; self.coding = coding; self.minServiceUnits = minServiceUnits
        self.minComponentUnits = minComponentUnits; self.minMonthUnits = minMonthUnits
    }
}

/// The longer, better-paid pre-admission of the target population (docs/rules.md#target-population).
public struct TargetPopulationRule: Sendable, Equatable {
    /// Consecutive pre-admission months that may be billed; the next one is denied.
    public var maxConsecutiveMonths: Int
    /// The pre-admission rate is multiplied by this (the regulation's "plus 25 percent": 1.25).
    public var rateFactor: RateFactor

    public init(maxConsecutiveMonths: Int, rateFactor: RateFactor) {
        self.maxConsecutiveMonths = maxConsecutiveMonths; self.rateFactor = rateFactor
    }
}

/// The pre-admission line and its limit (docs/rules.md#pre-admission).
public struct PreadmissionRule: Sendable, Equatable {
    public var coding: Coding
    public var units: Int
    public var minAccruedUnits: Int
    /// Consecutive months that may be billed; the next one is denied.
    public var maxConsecutiveMonths: Int
    /// nil: the target-population rule is off.
    public var targetPopulation: TargetPopulationRule?

    public init(
        coding: Coding, units: Int, minAccruedUnits: Int, maxConsecutiveMonths: Int,
        targetPopulation: TargetPopulationRule? = nil
    ) {
        self.coding = coding; self.units = units; self.minAccruedUnits = minAccruedUnits
        self.maxConsecutiveMonths = maxConsecutiveMonths; self.targetPopulation = targetPopulation
    }
}

/// Every number, code and policy switch of the rules for one effective period, loaded from
/// `config/rules/`. docs/rules.md explains each.
public struct RuleSet: Sendable, Equatable {
    public var id: String
    public var effectiveFrom: CivilDate
    public var effectiveTo: CivilDate?
    public var unitMinutes: [ServiceFormat: Int]
    public var dailyCap: Int
    public var offsiteMultiplier: Int
    public var baseMinimumComponent: Component
    public var baseMinimumUnits: Int
    public var tiers: [Tier]
    public var addOns: [AddOnRule]
    public var addOnPriority: [Component]
    public var exclusiveAddOns: [[Component]]
    public var maxAddOns: Int
    public var ctRequiresBaseRate: Bool
    public var ctRequiredRRE: String?
    public var prescriberContactWindowMonths: Int
    /// A contact in any of the first N admission months covers that month and the earlier ones.
    public var prescriberContactAdmissionMonths: Int
    /// R/E codes a member may have; more is priced with RRE_CODES_OVER_LIMIT.
    public var maxRRECodes: Int
    public var preadmission: PreadmissionRule
    /// Policy: the CT add-on may be billed beside the pre-admission line.
    public var ctAllowedInPreadmission: Bool
    /// Policy: add-ons count units after the daily cap (the first rules) instead of provided units.
    public var dailyCapAppliesToAddOns: Bool
    /// Policy: components whose services must be one-to-one (a group service of one does not count).
    public var oneToOneComponents: [Component]
    /// Policy: the modifier added to a line for each kind of telehealth.
    public var telehealthModifiers: [Telehealth: String]

    public init(
        id: String, effectiveFrom: CivilDate, effectiveTo: CivilDate? = nil, unitMinutes: [ServiceFormat: Int],
        dailyCap: Int, offsiteMultiplier: Int, baseMinimumComponent: Component, baseMinimumUnits: Int,
        tiers: [Tier], addOns: [AddOnRule], addOnPriority: [Component], exclusiveAddOns: [[Component]],
        maxAddOns: Int, ctRequiresBaseRate: Bool, ctRequiredRRE: String? = nil, prescriberContactWindowMonths: Int,
        prescriberContactAdmissionMonths: Int, maxRRECodes: Int, preadmission: PreadmissionRule,
        ctAllowedInPreadmission: Bool, dailyCapAppliesToAddOns: Bool, oneToOneComponents: [Component],
        telehealthModifiers: [Telehealth: String]
    ) {
        self.id = id; self.effectiveFrom = effectiveFrom; self.effectiveTo = effectiveTo
        self.unitMinutes = unitMinutes; self.dailyCap = dailyCap; self.offsiteMultiplier = offsiteMultiplier
        self.baseMinimumComponent = baseMinimumComponent; self.baseMinimumUnits = baseMinimumUnits
        self.tiers = tiers; self.addOns = addOns; self.addOnPriority = addOnPriority
        self.exclusiveAddOns = exclusiveAddOns; self.maxAddOns = maxAddOns
        self.ctRequiresBaseRate = ctRequiresBaseRate; self.ctRequiredRRE = ctRequiredRRE
        self.prescriberContactWindowMonths = prescriberContactWindowMonths
        self.prescriberContactAdmissionMonths = prescriberContactAdmissionMonths
        self.maxRRECodes = maxRRECodes; self.preadmission = preadmission
        self.ctAllowedInPreadmission = ctAllowedInPreadmission; self.dailyCapAppliesToAddOns = dailyCapAppliesToAddOns
        self.oneToOneComponents = oneToOneComponents; self.telehealthModifiers = telehealthModifiers
    }

    public func covers(_ month: YearMonth) -> Bool {
        let day = month.firstDay
        return effectiveFrom <= day && (effectiveTo.map { day <= $0 } ?? true)
    }

    public func addOn(_ c: Component) -> AddOnRule? { addOns.first { $0.component == c } }

    /// The rule set with a payer profile's policy in place of its own.
    public func applying(_ policy: PolicyOverrides) -> RuleSet {
        var rules = self
        if let v = policy.telehealthModifiers { rules.telehealthModifiers.merge(v) { _, new in new } }
        if let v = policy.ctAllowedInPreadmission { rules.ctAllowedInPreadmission = v }
        if let v = policy.dailyCapAppliesToAddOns { rules.dailyCapAppliesToAddOns = v }
        if let v = policy.oneToOneComponents { rules.oneToOneComponents = v }
        if policy.targetPopulation == false { rules.preadmission.targetPopulation = nil }
        return rules
    }
}

/// The policy switches a payer profile may set (docs/rules.md#payer-profiles): nil keeps the rule set's.
/// Codes, tiers and minimums are the state's and cannot be changed by a payer.
public struct PolicyOverrides: Sendable, Equatable {
    public var telehealthModifiers: [Telehealth: String]?
    public var ctAllowedInPreadmission: Bool?
    public var dailyCapAppliesToAddOns: Bool?
    public var oneToOneComponents: [Component]?
    /// false turns the target-population rule off; true keeps the rule set's.
    public var targetPopulation: Bool?

    /// The names a profile's `policy` object may use.
    public static let keys = [
        "telehealthModifiers", "ctAllowedInPreadmission", "dailyCapAppliesToAddOns", "oneToOneComponents",
        "targetPopulation",
    ]

    public init(
        telehealthModifiers: [Telehealth: String]? = nil, ctAllowedInPreadmission: Bool? = nil,
        dailyCapAppliesToAddOns: Bool? = nil, oneToOneComponents: [Component]? = nil,
        targetPopulation: Bool? = nil
    ) {
        self.telehealthModifiers = telehealthModifiers; self.ctAllowedInPreadmission = ctAllowedInPreadmission
        self.dailyCapAppliesToAddOns = dailyCapAppliesToAddOns; self.oneToOneComponents = oneToOneComponents
        self.targetPopulation = targetPopulation
    }
}

/// One plan's billing preferences (docs/rules.md#payer-profiles). Loaded from `config/payers/`.
public struct PayerProfile: Sendable, Equatable {
    public var id: String
    public var description: String
    public var policy: PolicyOverrides
    /// A digest of the profile's file, to tell one version from another.
    public var digest: String

    public init(id: String, description: String, policy: PolicyOverrides, digest: String = "") {
        self.id = id; self.description = description; self.policy = policy; self.digest = digest
    }
}

/// A rate per rate code over an effective period.
public struct Rate: Sendable, Equatable {
    public var rateCode: String
    public var effectiveFrom: CivilDate
    public var effectiveTo: CivilDate?
    public var amount: Money

    public init(rateCode: String, effectiveFrom: CivilDate, effectiveTo: CivilDate? = nil, amount: Money) {
        self.rateCode = rateCode; self.effectiveFrom = effectiveFrom; self.effectiveTo = effectiveTo
        self.amount = amount
    }
}

/// One provider's or region's rates (docs/rules.md#amounts-and-rate-schedules). Loaded from `config/rates/`.
public struct RateSchedule: Sendable, Equatable {
    public var id: String
    public var description: String
    public var rates: [Rate]

    public init(id: String, description: String, rates: [Rate]) {
        self.id = id; self.description = description; self.rates = rates
    }

    /// The rate for a code on a date of service, if any.
    public func amount(for rateCode: String, on date: CivilDate) -> Money? {
        rates.first { r in
            r.rateCode == rateCode && r.effectiveFrom <= date && (r.effectiveTo.map { date <= $0 } ?? true)
        }?.amount
    }
}
