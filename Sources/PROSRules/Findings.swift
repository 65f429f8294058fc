/// The stable finding codes (docs/findings.md). Part of the API: never renamed.
public enum FindingCode: String, Sendable, CaseIterable, Hashable {
    case belowUnitMinimum = "BELOW_UNIT_MINIMUM"
    case telehealthCountedOnsite = "TELEHEALTH_COUNTED_ONSITE"
    case dailyCapApplied = "DAILY_CAP_APPLIED"
    case serviceTimeOverlap = "SERVICE_TIME_OVERLAP"
    case baseMinimumNotMet = "BASE_MINIMUM_NOT_MET"
    case unitsBelowTierRange = "UNITS_BELOW_TIER_RANGE"
    case irMinimumNotMet = "IR_MINIMUM_NOT_MET"
    case orsMinimumNotMet = "ORS_MINIMUM_NOT_MET"
    case orsNotOneToOne = "ORS_NOT_ONE_TO_ONE"
    /// Reachable only when a rule set raises CT's minimums above one unit.
    case ctMinimumNotMet = "CT_MINIMUM_NOT_MET"
    case irOrsExclusive = "IR_ORS_EXCLUSIVE"
    case maxAddOns = "MAX_ADDONS"
    case ctRequiresBaseRate = "CT_REQUIRES_BASE_RATE"
    case ctRREMissing = "CT_RRE_MISSING"
    case ctPrescriberContactMissing = "CT_PRESCRIBER_CONTACT_MISSING"
    case ctPrescriberContactPending = "CT_PRESCRIBER_CONTACT_PENDING"
    case addOnNotAllowedPreadmission = "ADDON_NOT_ALLOWED_PREADMISSION"
    case preadmissionConsecutiveLimit = "PREADMISSION_CONSECUTIVE_LIMIT"
    case targetPopulation = "TARGET_POPULATION"
    case serviceAfterDischarge = "SERVICE_AFTER_DISCHARGE"
    case employmentSettingNotOneToOne = "EMPLOYMENT_SETTING_NOT_ONE_TO_ONE"
    case rreCodesOverLimit = "RRE_CODES_OVER_LIMIT"
    case noBillableUnits = "NO_BILLABLE_UNITS"
    case admissionMonth = "ADMISSION_MONTH"
    case noRate = "NO_RATE"
    case unknownFieldsIgnored = "UNKNOWN_FIELDS_IGNORED"
}

public enum Severity: String, Sendable, Hashable {
    /// An explanation; nothing was lost.
    case info
    /// A service or unit did not count, or something needs a look.
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
    /// The same services by their index in the request.
    var serviceIndices: [Int]

    public var message: String { String(decoding: messageUTF8, as: UTF8.self) }

    init(_ note: Note, services: [Service], indices: [Int]) {
        code = note.code; severity = note.severity; messageUTF8 = note.message.bytes
        serviceIndices = indices
        serviceIds = indices.map { services[$0].id }
    }
}

/// The stable hint codes (docs/findings.md#hints): what would change the claim.
public enum HintCode: String, Sendable, CaseIterable, Hashable {
    case baseMinimumGap = "BASE_MINIMUM_GAP"
    case nextTierGap = "NEXT_TIER_GAP"
    case irMinimumGap = "IR_MINIMUM_GAP"
    case orsMinimumGap = "ORS_MINIMUM_GAP"
    case ctContactDue = "CT_CONTACT_DUE"
}

/// What would change the claim, with the number it needs (docs/rules.md#hints).
public struct Hint: Sendable, Equatable {
    public var code: HintCode
    public var needed: Int
    public var messageUTF8: [UInt8]
    public var message: String { String(decoding: messageUTF8, as: UTF8.self) }

    init(_ code: HintCode, needed: Int, _ message: Sentence) {
        self.code = code; self.needed = needed; messageUTF8 = message.bytes
    }
}

/// A finding before it names its services.
struct Note {
    var code: FindingCode
    var severity: Severity
    var message: Sentence
    /// For a line not billed: what, and why, in a few words for the month's summary.
    var notBilled: Sentence? = nil
}

/// Every sentence the pricer writes, beside its code. Each names the services, dates and numbers it is
/// about and stands alone: a billing manager reads it without our source or documents.
enum Explain {
    // MARK: Units and exclusions (docs/rules.md#units-per-service, #daily-cap, #overlapping-times)

    static func belowUnitMinimum(_ services: Sentence, count: Int, lengths: Sentence) -> Note {
        Note(
            code: .belowUnitMinimum, severity: .warning,
            message: """
                \(servicesWord(count)) shorter than one unit (\(lengths)) earned no units and did not count: \
                \(services).
                """)
    }

    static func unitLengths(individual: Int, collateral: Int, group: Int) -> Sentence {
        individual == collateral
            ? "\(individual) minutes individual or collateral, \(group) minutes group"
            : "\(individual) minutes individual, \(collateral) minutes collateral, \(group) minutes group"
    }

    static func serviceAfterDischarge(_ services: Sentence, count: Int, discharge: CivilDate) -> Note {
        Note(
            code: .serviceAfterDischarge, severity: .warning,
            message: """
                \(servicesWord(count)) dated after the member's discharge on \(discharge) did not count: \(services).
                """)
    }

    static func employmentSetting(_ services: Sentence, count: Int) -> Note {
        Note(
            code: .employmentSettingNotOneToOne, severity: .warning,
            message: """
                \(servicesWord(count)) delivered as a group in the member's place of employment did not count: \
                \(services). Services at a member's workplace must be one-to-one.
                """)
    }

    static func orsNotOneToOne(_ services: Sentence, count: Int, components: Sentence) -> Note {
        Note(
            code: .orsNotOneToOne, severity: .warning,
            message: """
                \(servicesWord(count)) of \(components) delivered as a group did not count: \(services). \
                \(components) services must be one-to-one, so they add nothing to the tier, the minimums or the add-on.
                """)
    }

    static func telehealthCountedOnsite(_ services: Sentence, count: Int) -> Note {
        Note(
            code: .telehealthCountedOnsite, severity: .info,
            message: """
                \(servicesWord(count)) delivered by telehealth but sent as off-site counted as on-site, without \
                off-site doubling: \(services).
                """)
    }

    static func serviceTimeOverlap(_ overlaps: Sentence, count: Int) -> Note {
        Note(
            code: .serviceTimeOverlap, severity: .warning,
            message: """
                A member cannot be credited twice for the same time, so \(servicesWord(count)) \
                did not count: \(overlaps).
                """)
    }

    static func overlap(_ id: String, _ other: String, on date: CivilDate) -> Sentence {
        "\(id) overlaps \(other) on \(date)"
    }

    static func dailyCapApplied(_ notes: Sentence, cap: Int, addOnsKeepUnits: Bool) -> Note {
        let addOns: Sentence = addOnsKeepUnits ? " Add-ons still count these services' units." : ""
        return Note(
            code: .dailyCapApplied, severity: .info,
            message: """
                At most \(cap) units a day count toward the base rate: \(notes).\(addOns)
                """)
    }

    static func capped(_ id: String, on date: CivilDate, accrued: Int, of units: Int) -> Sentence {
        "\(id) on \(date) counted \(accrued) of its \(units) units"
    }

    // MARK: The base rate (docs/rules.md#base-rate-minimum, #tiers, #units-on-the-base-line)

    static func noBillableUnits(serviceCount: Int, month: YearMonth) -> Note {
        Note(
            code: .noBillableUnits, severity: .info,
            message: serviceCount == 0
                ? """
                No services were sent for \(month), so nothing is billable.
                """
                : """
                None of the \(serviceCount) services of \(month) earned a unit that counts, so nothing is \
                billable; each service's findings say why.
                """)
    }

    static func baseMinimumNotMet(month: YearMonth, needed: Int, component: Component, has: Int) -> Note {
        Note(
            code: .baseMinimumNotMet, severity: .denied,
            message: """
                No base rate for \(month): it needs \(needed) accrued \(component.rawValue) units and the month \
                has \(has); off-site doubling does not count toward this minimum.
                """, notBilled: "the base rate (\(has) of the \(needed) accrued \(component.rawValue) units it needs)")
    }

    static func belowLowestTier(month: YearMonth, tierUnits: Int, lowest: Int) -> Note {
        Note(
            code: .baseMinimumNotMet, severity: .denied,
            message: """
                No base rate for \(month): its \(tierUnits) tier units are below the lowest tier's \(lowest).
                """, notBilled: "the base rate (\(tierUnits) tier units, below the lowest tier)")
    }

    static func unitsBelowTierRange(tier: Tier, units: Int, tierUnits: Int) -> Note {
        Note(
            code: .unitsBelowTierRange, severity: .info,
            message: """
                The base line reports \(units) actual units, below tier \(tier.tier)'s range of \(tier.minUnits)\
                \(tier.maxUnits.map { "–\($0)" } ?? "+"): off-site doubling lifted the month to \(tierUnits) tier \
                units. The rate code follows the tier; a plan that checks units against the tier ranges may question \
                the line.
                """)
    }

    // MARK: Add-ons (docs/rules.md#add-ons and the sections after it)

    static func addOnMinimumNotMet(_ rule: AddOnRule, _ reason: Sentence) -> Note {
        let code: FindingCode =
            switch rule.component {
            case .ir: .irMinimumNotMet
            case .ors: .orsMinimumNotMet
            default: .ctMinimumNotMet
            }
        return Note(
            code: code, severity: .denied,
            message: """
                The \(rule.component.rawValue) add-on (\(rule.coding.rateCode)) was not billed: it \(reason).
                """, notBilled: "the \(rule.component.rawValue) add-on (its minimum is not met)")
    }

    static func needsServiceUnits(_ c: Component, _ units: Int, counted: Sentence) -> Sentence {
        "needs a \(c.rawValue) service with \(units) \(counted) units"
    }

    static func needsComponentUnits(_ c: Component, _ units: Int, has: Int, counted: Sentence) -> Sentence {
        "needs \(units) \(counted) \(c.rawValue) units in the month, and the month has \(has)"
    }

    static func needsMonthUnits(_ units: Int, has: Int) -> Sentence {
        """
        needs \(units) accrued units in the month, all components together and not doubled, and the month \
        has \(has)
        """
    }

    static func ctRequiresBaseRate(_ rule: AddOnRule, base: Sentence, month: YearMonth) -> Note {
        Note(
            code: .ctRequiresBaseRate, severity: .denied,
            message: """
                The Clinical Treatment add-on (\(rule.coding.rateCode)) is billed only with \(base), which \(month) \
                does not bill, so CT was not billed.
                """, notBilled: "the CT add-on (it needs \(base))")
    }

    static func ctRREMissing(_ rule: AddOnRule, required: String, has codes: [String]) -> Note {
        let list: Sentence = codes.isEmpty ? "none" : "\(codes, separator: ", ")"
        return Note(
            code: .ctRREMissing, severity: .denied,
            message: """
                The Clinical Treatment add-on (\(rule.coding.rateCode)) needs R/E code \(required) on the member's \
                Medicaid file; the codes sent are \(list), so CT was not billed.
                """, notBilled: "the CT add-on (no R/E code \(required))")
    }

    static func ctPrescriberContactMissing(_ rule: AddOnRule, from: YearMonth, month: YearMonth) -> Note {
        Note(
            code: .ctPrescriberContactMissing, severity: .denied,
            message: """
                The member receives medication management, so the Clinical Treatment add-on \
                (\(rule.coding.rateCode)) needs a psychiatrist or psychiatric nurse-practitioner contact between \
                \(from.firstDay) and \(month.lastDay); none is known, so CT was not billed.
                """, notBilled: "the CT add-on (no prescriber contact since \(from.firstDay))")
    }

    static func ctPrescriberContactPending(
        _ rule: AddOnRule, month: YearMonth, admission: YearMonth,
        by deadline: CivilDate
    ) -> Note {
        Note(
            code: .ctPrescriberContactPending, severity: .warning,
            message: """
                The member receives medication management and no psychiatrist or psychiatric nurse-practitioner \
                contact is known yet, so the Clinical Treatment add-on (\(rule.coding.rateCode)) is not billed for \
                \(month). It is one of the first admission months (admitted \(admission)): a contact by \
                \(deadline) makes it billable; price the month again with the contact's date.
                """, notBilled: "the CT add-on (a prescriber contact is due by \(deadline))")
    }

    static func irOrsExclusive(kept: Component, dropped: [Component], reason: Sentence) -> Note {
        Note(
            code: .irOrsExclusive, severity: .denied,
            message: """
                \(kept.rawValue) and \(dropped, separator: " and ") may not be billed in the same month: kept \
                \(kept.rawValue) because \(reason); \(dropped, separator: ", ") was not billed.
                """, notBilled: "the \(dropped, separator: ", ") add-on (never billed with \(kept.rawValue))")
    }

    static func higherRate(_ amount: Money) -> Sentence { "its rate, \(amount), is the higher" }
    static let firstInPriority: Sentence = "it comes first in the configured add-on priority"

    static func maxAddOns(_ max: Int, dropped: [Component], kept: [Component]) -> Note {
        Note(
            code: .maxAddOns, severity: .denied,
            message: """
                At most \(max) add-ons may be billed a month, so \(dropped, separator: ", ") was not billed \
                (kept: \(kept, separator: ", ")).
                """, notBilled: "the \(dropped, separator: ", ") add-on (at most \(max) add-ons)"
        )
    }

    // MARK: Status (docs/rules.md#pre-admission, #admission-month)

    static func admissionMonth(_ admission: CivilDate, month: YearMonth) -> Note {
        Note(
            code: .admissionMonth, severity: .info,
            message: """
                The member was admitted on \(admission): \(month) bills as admitted, counting all its services, \
                and add-ons may be billed.
                """)
    }

    static func preadmissionNeedsUnits(_ rule: PreadmissionRule, month: YearMonth, has: Int) -> Note {
        Note(
            code: .noBillableUnits, severity: .info,
            message: """
                The pre-admission line (\(rule.coding.rateCode)) needs \(rule.minAccruedUnits) accrued units in \
                \(month); the month has \(has).
                """)
    }

    static func preadmissionLimit(
        _ rule: PreadmissionRule, billed: [YearMonth], month: YearMonth,
        limit: Int
    ) -> Note {
        Note(
            code: .preadmissionConsecutiveLimit, severity: .denied,
            message: """
                The pre-admission rate (\(rule.coding.rateCode)) was billed for \
                \(billed.map(\.description).joined(separator: ", ")), so it is denied for \(month): it may be billed \
                for at most \(limit) consecutive months.
                """, notBilled: "the pre-admission rate (\(limit) consecutive months already billed)")
    }

    static func targetPopulation(_ rule: TargetPopulationRule, base: Money?, amount: Money?) -> Note {
        let price: Sentence =
            if let base, let amount {
                "\(base) × \(rule.rateFactor.description) = \(amount)"
            } else {
                "the pre-admission rate × \(rule.rateFactor.description)"
            }
        return Note(
            code: .targetPopulation, severity: .info,
            message: """
                The member is in the target population (14 NYCRR 512.20(b)): pre-admission may be billed for up to \
                \(rule.maxConsecutiveMonths) consecutive months, at the pre-admission rate plus \
                \(percentAbove(rule.rateFactor))% (\(price)).
                """)
    }

    static func addOnNotAllowedPreadmission(_ components: [Component], _ services: Sentence) -> Note {
        Note(
            code: .addOnNotAllowedPreadmission, severity: .denied,
            message: """
                \(components, separator: " and ") add-ons are not billed while the member is \
                in pre-admission: the units of \(services) count only toward the pre-admission line.
                """,
            notBilled: """
                the \(components, separator: " and ") \
                \(components.count == 1 ? "add-on" : "add-ons") \
                (not in pre-admission)
                """)
    }

    // MARK: Other rules (docs/rules.md#re-code-limit, #amounts-and-rate-schedules)

    static func rreCodesOverLimit(count: Int, limit: Int) -> Note {
        Note(
            code: .rreCodesOverLimit, severity: .warning,
            message: """
                The member's file lists \(count) R/E codes; a member can have at most \(limit). The month was priced \
                with all of them; check the Medicaid file.
                """)
    }

    static let noSchedule = Note(
        code: .noRate, severity: .info,
        message: """
            No rate schedule was named, so the lines' amounts and the total are null; the codes and units are complete.
            """)

    static func noRate(schedule: String, codes: [String], on date: CivilDate) -> Note {
        Note(
            code: .noRate, severity: .warning,
            message: """
                Rate schedule \(schedule) has no rate for \(codes, separator: ", ") on \(date), so those \
                amounts and the total are null.
                """)
    }

    static func unknownFields(_ pointers: [String]) -> Note {
        Note(
            code: .unknownFieldsIgnored, severity: .info,
            message: """
                \(pointers.count == 1 ? "1 field" : "\(pointers.count) fields") the API does not know \
                \(pointers.count == 1 ? "was" : "were") ignored: \(pointers, separator: ", "). Check for a \
                misspelt field name.
                """)
    }

    // MARK: Helpers

    static func servicesWord(_ count: Int) -> Sentence {
        count == 1 ? "1 service" : "\(count) services"
    }

    /// At most ten ids, then how many more.
    static func ids(_ indices: [Int], of services: [Service]) -> Sentence {
        var s = Sentence(capacity: 16 * min(indices.count, 10) + 16)
        for (n, i) in indices.prefix(10).enumerated() {
            if n > 0 { s.append(literal: ", ") }
            s.append(services[i].id)
        }
        if indices.count > 10 { s.append(" and \(indices.count - 10) more" as Sentence) }
        return s
    }

    /// 1.25 is 25 (percent above); 1.125 is 12.5.
    static func percentAbove(_ factor: RateFactor) -> String {
        let basisPoints = factor.tenThousandths - 10_000
        let rest = basisPoints % 100
        return rest == 0 ? String(basisPoints / 100) : "\(basisPoints / 100).\(pad(Int(rest), 2))"
    }
}
