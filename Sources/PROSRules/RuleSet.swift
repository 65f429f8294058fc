/// A billed claim line's coding: rate code, procedure code and modifiers (SPEC §4–§6).
public struct Coding: Sendable, Equatable {
    public var rateCode: String
    public var procedureCode: String
    public var modifiers: [String]

    public init(rateCode: String, procedureCode: String, modifiers: [String]) {
        self.rateCode = rateCode
        self.procedureCode = procedureCode
        self.modifiers = modifiers
    }
}

/// One base-rate tier (SPEC §4).
public struct Tier: Sendable, Equatable {
    public var tier: Int
    public var minUnits: Int
    /// nil: open-ended.
    public var maxUnits: Int?
    public var coding: Coding

    public init(tier: Int, minUnits: Int, maxUnits: Int? = nil, coding: Coding) {
        self.tier = tier
        self.minUnits = minUnits
        self.maxUnits = maxUnits
        self.coding = coding
    }
}

/// The conditions and coding of one add-on (SPEC §5).
public struct AddOnRule: Sendable, Equatable {
    public var component: Component
    public var coding: Coding
    /// Accrued units one service of the component must have.
    public var minServiceUnits: Int
    /// Accrued units of the component in the month.
    public var minComponentUnits: Int
    /// Accrued units of all components in the month (not doubled).
    public var minMonthUnits: Int

    public init(component: Component, coding: Coding, minServiceUnits: Int, minComponentUnits: Int, minMonthUnits: Int) {
        self.component = component
        self.coding = coding
        self.minServiceUnits = minServiceUnits
        self.minComponentUnits = minComponentUnits
        self.minMonthUnits = minMonthUnits
    }
}

/// The pre-admission line and its limit (SPEC §6).
public struct PreadmissionRule: Sendable, Equatable {
    public var coding: Coding
    public var units: Int
    public var minAccruedUnits: Int
    /// Consecutive months that may be billed; the next one is denied.
    public var maxConsecutiveMonths: Int

    public init(coding: Coding, units: Int, minAccruedUnits: Int, maxConsecutiveMonths: Int) {
        self.coding = coding
        self.units = units
        self.minAccruedUnits = minAccruedUnits
        self.maxConsecutiveMonths = maxConsecutiveMonths
    }
}

/// Every number, code and policy switch of SPEC.md for one effective period. Loaded from `config/rules/`.
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
    public var ctAllowedInPreadmission: Bool
    public var preadmission: PreadmissionRule
    public var telehealthModifiers: [Telehealth: String]

    public init(id: String, effectiveFrom: CivilDate, effectiveTo: CivilDate? = nil, unitMinutes: [ServiceFormat: Int], dailyCap: Int, offsiteMultiplier: Int, baseMinimumComponent: Component, baseMinimumUnits: Int, tiers: [Tier], addOns: [AddOnRule], addOnPriority: [Component], exclusiveAddOns: [[Component]], maxAddOns: Int, ctRequiresBaseRate: Bool, ctRequiredRRE: String? = nil, prescriberContactWindowMonths: Int, ctAllowedInPreadmission: Bool, preadmission: PreadmissionRule, telehealthModifiers: [Telehealth: String]) {
        self.id = id
        self.effectiveFrom = effectiveFrom
        self.effectiveTo = effectiveTo
        self.unitMinutes = unitMinutes
        self.dailyCap = dailyCap
        self.offsiteMultiplier = offsiteMultiplier
        self.baseMinimumComponent = baseMinimumComponent
        self.baseMinimumUnits = baseMinimumUnits
        self.tiers = tiers
        self.addOns = addOns
        self.addOnPriority = addOnPriority
        self.exclusiveAddOns = exclusiveAddOns
        self.maxAddOns = maxAddOns
        self.ctRequiresBaseRate = ctRequiresBaseRate
        self.ctRequiredRRE = ctRequiredRRE
        self.prescriberContactWindowMonths = prescriberContactWindowMonths
        self.ctAllowedInPreadmission = ctAllowedInPreadmission
        self.preadmission = preadmission
        self.telehealthModifiers = telehealthModifiers
    }

    public func covers(_ month: YearMonth) -> Bool {
        let day = month.firstDay
        return effectiveFrom <= day && (effectiveTo.map { day <= $0 } ?? true)
    }

    public func addOn(_ c: Component) -> AddOnRule? { addOns.first { $0.component == c } }
}

/// A rate per rate code over an effective period.
public struct Rate: Sendable, Equatable {
    public var rateCode: String
    public var effectiveFrom: CivilDate
    public var effectiveTo: CivilDate?
    public var amount: Money

    public init(rateCode: String, effectiveFrom: CivilDate, effectiveTo: CivilDate? = nil, amount: Money) {
        self.rateCode = rateCode
        self.effectiveFrom = effectiveFrom
        self.effectiveTo = effectiveTo
        self.amount = amount
    }
}

/// One provider's or region's rates (SPEC §9). Loaded from `config/rates/`.
public struct RateSchedule: Sendable, Equatable {
    public var id: String
    public var description: String
    public var rates: [Rate]

    public init(id: String, description: String, rates: [Rate]) {
        self.id = id
        self.description = description
        self.rates = rates
    }

    /// The rate for a code on a date of service, if any.
    public func amount(for rateCode: String, on date: CivilDate) -> Money? {
        rates.first { $0.rateCode == rateCode && $0.effectiveFrom <= date && ($0.effectiveTo.map { date <= $0 } ?? true) }?.amount
    }
}
