/// One finding or hint code explained for the people who read the answers: what it means, what to do
/// about it, where the rule comes from, and the rule's section of the project's rules page.
public struct CatalogueEntry: Sendable, Equatable {
    /// The stable code, as it appears in answers (`findings[].code`, `hints[].code`).
    public let code: String
    /// `finding` or `hint`.
    public let kind: String
    /// `info`, `warning` or `denied` for a finding; `hint` for a hint.
    public let severity: String
    /// A few words, for a heading or a table.
    public let title: String
    /// What happened and what it did to the claim, in plain words.
    public let meaning: String
    /// What a billing manager can do about it.
    public let action: String
    /// The public source of the rule, by name.
    public let source: String
    /// The rule's section: `docs/rules.md#anchor`.
    public let rule: String

    public init(
        code: String, kind: String, severity: String, title: String, meaning: String, action: String,
        source: String, rule: String
    ) {
        self.code = code; self.kind = kind; self.severity = severity; self.title = title
        self.meaning = meaning; self.action = action; self.source = source; self.rule = rule
    }
}

/// Every finding and hint code with its explanation: the one source of truth for `GET /v1/findings`,
/// `docs/findings.md` (rendered by `markdown()`; a test fails when they drift) and the web page.
public enum FindingCatalogue {
    static let omh = "OMH PROS Billing and Claiming Manual (2025 update)"
    static let anthem = "Anthem provider bulletin (March 19, 2025)"
    static let mvp = "MVP Health Care provider training (February 2025)"
    static let metroPlus = "MetroPlusHealth notice (2025)"
    static let um2015 = "NYS PROS utilization-management guidelines (2015)"
    static let part512 = "14 NYCRR Part 512"
    static let project = "pros-pricer (a project decision where the sources are silent)"

    static func finding(
        _ code: String, _ severity: String, _ title: String, meaning: String, action: String,
        source: String, rule: String
    ) -> CatalogueEntry {
        CatalogueEntry(
            code: code, kind: "finding", severity: severity, title: title, meaning: meaning,
            action: action, source: source, rule: "docs/rules.md#" + rule)
    }

    static func hint(
        _ code: String, _ title: String, meaning: String, action: String, source: String,
        rule: String
    ) -> CatalogueEntry {
        CatalogueEntry(
            code: code, kind: "hint", severity: "hint", title: title, meaning: meaning,
            action: action, source: source, rule: "docs/rules.md#" + rule)
    }

    /// Findings in the order the rules apply (units, base rate, add-ons, status, other rules), then hints.
    public static let entries: [CatalogueEntry] = units + baseRate + addOns + status + other + hints

    static let units: [CatalogueEntry] = [
        finding(
            "BELOW_UNIT_MINIMUM", "warning", "Shorter than one unit",
            meaning: """
                The session was shorter than one unit (15 minutes for an individual or collateral service, \
                30 minutes for a group), so it earned no units and counts toward nothing.
                """,
            action: """
                Check the recorded minutes. If the session was longer, correct its length and price the month \
                again; otherwise it cannot be billed.
                """,
            source: "\(anthem); \(mvp)", rule: "units-per-service"),
        finding(
            "TELEHEALTH_COUNTED_ONSITE", "info", "Telehealth counted on-site",
            meaning: """
                A telehealth service was sent as off-site. Telehealth counts exactly as an on-site service, \
                so it was counted on-site and not doubled.
                """,
            action: "Nothing to correct. Send telehealth services as on-site to avoid the note.",
            source: mvp, rule: "location-and-telehealth"),
        finding(
            "DAILY_CAP_APPLIED", "info", "Daily cap reached",
            meaning: """
                More than 5 units were provided on one day. Services accrue in time order, and the ones that \
                crossed the cap accrued only what was left. The cap limits the base rate's minimum, its tier \
                and the month total the IR add-on needs; the add-ons still count every provided unit.
                """,
            action: """
                Nothing to correct: units above the daily cap cannot count toward the base rate. Check the \
                start times if another service of that day should have been the one capped.
                """,
            source: "\(anthem); \(mvp); \(omh)", rule: "daily-cap"),
        finding(
            "SERVICE_TIME_OVERLAP", "warning", "Overlapping times",
            meaning: """
                Two services on the same day overlap in time. The member cannot be credited twice for the \
                same time, so the later one was excluded.
                """,
            action: """
                Check the start times and lengths in the record; if the services did not overlap, correct \
                them and price the month again.
                """,
            source: "\(mvp); \(project)", rule: "overlapping-times"),
    ]

    static let baseRate: [CatalogueEntry] = [
        finding(
            "BASE_MINIMUM_NOT_MET", "denied", "Base rate minimum not met",
            meaning: """
                The monthly base rate needs at least 4 accrued CRS units. Units of other components and \
                off-site doubling do not count toward this minimum. No base rate was billed; the IR and ORS \
                add-ons may still be billed alone.
                """,
            action: """
                If the month is still under way, more CRS services can bill the base rate (hint \
                BASE_MINIMUM_GAP says how many). Otherwise no base rate can be billed for the month.
                """,
            source: "\(anthem); \(mvp)", rule: "base-rate-minimum"),
        finding(
            "UNITS_BELOW_TIER_RANGE", "info", "Units below the tier's range",
            meaning: """
                Off-site doubling lifted the tier above the units on the base line: the line reports the \
                actual units, which are below the published range of the tier billed. The line is correct, \
                because the tier comes from tier units.
                """,
            action: """
                Nothing to change. If a plan questions the line, explain that off-site units count twice \
                toward the tier while the claim reports the actual units.
                """,
            source: "\(mvp); \(metroPlus)", rule: "units-on-the-base-line"),
    ]

    static let addOns: [CatalogueEntry] = [
        finding(
            "IR_MINIMUM_NOT_MET", "denied", "IR add-on minimum not met",
            meaning: """
                The Intensive Rehabilitation add-on needs at least 1 provided IR unit and at least 6 accrued \
                units in the month, all components together, not doubled. It was not billed.
                """,
            action: """
                If the month is still under way, more services can qualify it (hint IR_MINIMUM_GAP says how \
                many). Otherwise the IR add-on cannot be billed this month.
                """,
            source: "\(anthem); \(mvp)", rule: "intensive-rehabilitation-add-on"),
        finding(
            "ORS_MINIMUM_NOT_MET", "denied", "ORS add-on minimum not met",
            meaning: """
                The Ongoing Rehabilitation and Support add-on needs at least 4 provided ORS units in the \
                month, from one-to-one services. It was not billed.
                """,
            action: """
                If the month is still under way, more one-to-one ORS services can qualify it (hint \
                ORS_MINIMUM_GAP says how many). Otherwise the ORS add-on cannot be billed this month.
                """,
            source: mvp, rule: "ongoing-rehabilitation-and-support-add-on"),
        finding(
            "ORS_NOT_ONE_TO_ONE", "warning", "Group ORS does not count",
            meaning: """
                ORS services must be one-to-one. A group ORS service was excluded: it adds no units to the \
                tier, to the minimums or to the ORS add-on.
                """,
            action: """
                Check the service's format. If it was delivered one-to-one, correct the format and price the \
                month again; group ORS time cannot be billed.
                """,
            source: "\(part512), section 512.11(a)(5)", rule: "ors-is-one-to-one"),
        finding(
            "CT_MINIMUM_NOT_MET", "denied", "CT add-on minimum not met",
            meaning: """
                The Clinical Treatment services of the month did not reach the CT add-on's minimum units. \
                Only a rule set that asks for more than 1 provided CT unit reports this; the shipped rules \
                need 1.
                """,
            action: "Compare the month's Clinical Treatment services with the CT minimum of the rule set in use.",
            source: "\(mvp) (4525: 1 unit or more); \(project)", rule: "clinical-treatment-add-on"),
        finding(
            "CT_REQUIRES_BASE_RATE", "denied", "CT needs a base rate",
            meaning: """
                The Clinical Treatment add-on is billed only with a monthly base rate or, in pre-admission, \
                with the 4510 line. The month bills neither, so CT was not billed.
                """,
            action: """
                See the other findings for why the base rate or the pre-admission line was not billed; CT \
                becomes billable with that line.
                """,
            source: omh, rule: "ct-needs-a-base-rate"),
        finding(
            "CT_RRE_MISSING", "denied", "R/E code 84 missing",
            meaning: """
                An admitted member needs R/E code 84 on their Medicaid file for the Clinical Treatment \
                add-on, and the codes sent do not include it. CT was not billed.
                """,
            action: """
                Check the member's R/E codes on the Medicaid file. If 84 is there, send it in rreCodes and \
                price the month again; if not, it must be added before CT can be billed.
                """,
            source: omh, rule: "ct-and-re-code-84"),
        finding(
            "CT_PRESCRIBER_CONTACT_MISSING", "denied", "No prescriber contact",
            meaning: """
                The member receives medication management, so the Clinical Treatment add-on needs a contact \
                with a psychiatrist or psychiatric nurse practitioner in the month or the 2 months before \
                it. None is known, so CT was not billed.
                """,
            action: """
                If a contact took place, send its date in prescriberContactDates (or mark the CT visit as \
                prescriberContact) and price the month again.
                """,
            source: omh, rule: "prescriber-contact-window"),
        finding(
            "CT_PRESCRIBER_CONTACT_PENDING", "warning", "Prescriber contact pending",
            meaning: """
                The month is one of the member's first 3 admission months, and no contact with a \
                psychiatrist or psychiatric nurse practitioner is known yet. A contact by the last day of \
                the third admission month makes this month's Clinical Treatment add-on billable; until \
                then it is not billed.
                """,
            action: """
                Arrange the contact before the date the message names. Once it has taken place, price the \
                month again with its date in prescriberContactDates.
                """,
            source: omh, rule: "pending-prescriber-contact"),
        finding(
            "IR_ORS_EXCLUSIVE", "denied", "IR and ORS in one month",
            meaning: """
                IR and ORS may not be billed in the same month, and both qualified. The one with the higher \
                rate was kept (with missing or equal rates, the first in the configured priority, IR by \
                default); the other was not billed.
                """,
            action: "Nothing to correct. The message names the add-on kept and why.",
            source: "\(mvp); \(project) (the higher rate wins)", rule: "ir-and-ors-exclusivity"),
        finding(
            "MAX_ADDONS", "denied", "More than two add-ons",
            meaning: """
                At most 2 add-ons may be billed in a month. The add-ons beyond 2, in the configured \
                priority, were not billed.
                """,
            action: "Nothing to correct. The message names the add-ons not billed.",
            source: mvp, rule: "maximum-add-ons"),
    ]

    static let status: [CatalogueEntry] = [
        finding(
            "ADDON_NOT_ALLOWED_PREADMISSION", "denied", "No IR or ORS in pre-admission",
            meaning: """
                IR and ORS add-ons are never billed while the member is in pre-admission; their units count \
                only toward the 4510 pre-admission line.
                """,
            action: """
                If the member was admitted in or before this month, send status admitted with the admission \
                date and price the month again.
                """,
            source: "\(um2015); \(omh)", rule: "ir-and-ors-in-pre-admission"),
        finding(
            "PREADMISSION_CONSECUTIVE_LIMIT", "denied", "Pre-admission limit reached",
            meaning: """
                The pre-admission rate was billed for each of the previous 2 months (4 for a member of the \
                target population), the most it may be billed in a row, so this month's 4510 line was \
                denied.
                """,
            action: """
                Check priorPreadmissionMonths: list only months that were billed at 4510. Once the member \
                is admitted, later months bill as admitted.
                """,
            source: "\(um2015); \(part512), section 512.20(b)", rule: "two-consecutive-months"),
        finding(
            "TARGET_POPULATION", "info", "Target population rate",
            meaning: """
                The member belongs to the target population: the pre-admission line is paid at the 4510 \
                rate plus 25 percent, rounded to the cent, and pre-admission may last 4 consecutive months.
                """,
            action: """
                Nothing to do if the member meets the definition: a long stay in an adult home, a nursing \
                home, a State-operated community residence or a State psychiatric center, within 12 months \
                of the discharge from it.
                """,
            source: "\(part512), section 512.20(b)", rule: "target-population"),
        finding(
            "ADMISSION_MONTH", "info", "Admission month",
            meaning: """
                The member was admitted this month: the month bills as admitted, counting all its services, \
                and add-ons may be billed.
                """,
            action: "Nothing to do.",
            source: "\(mvp); \(omh)", rule: "admission-month"),
        finding(
            "SERVICE_AFTER_DISCHARGE", "warning", "Service after discharge",
            meaning: """
                The service is dated after the member's discharge date, so it was excluded. The claim's \
                date of service is the discharge date.
                """,
            action: "Check the discharge date and the service's date; correct the wrong one and price the month again.",
            source: "\(mvp); \(project) (services after discharge do not count)",
            rule: "date-of-service-and-discharge"),
    ]

    static let other: [CatalogueEntry] = [
        finding(
            "EMPLOYMENT_SETTING_NOT_ONE_TO_ONE", "warning", "Group service at the workplace",
            meaning: """
                Services in the member's place of employment must be one-to-one. A group service there was \
                excluded.
                """,
            action: """
                Check the service's format and setting; if it was one-to-one, or not at the workplace, \
                correct it and price the month again.
                """,
            source: mvp, rule: "employment-setting"),
        finding(
            "RRE_CODES_OVER_LIMIT", "warning", "More than 2 R/E codes",
            meaning: """
                A member can have up to 2 R/E codes, and more were sent. The month was priced with the codes \
                as sent.
                """,
            action: """
                Check the member's Medicaid file: send only the PROS codes if the list included others, or \
                have the file corrected.
                """,
            source: "\(mvp); \(project) (priced with a warning)", rule: "re-code-limit"),
        finding(
            "NO_BILLABLE_UNITS", "info", "Nothing billable",
            meaning: """
                No service accrued a unit this month, so nothing is billed. Each service's own findings say \
                why it did not count.
                """,
            action: "Check each service's findings; if services of the month are missing, add them and price it again.",
            source: mvp, rule: "no-billable-units"),
        finding(
            "NO_RATE", "info", "No rate",
            meaning: """
                An amount could not be given: no rate schedule was named (severity info), or the named \
                schedule has no rate for a line's rate code on its date of service (severity warning). The \
                codes and units are still right; the missing amounts and the total are null.
                """,
            action: "Name your rate schedule in rateSchedule, or add the missing rate to the schedule.",
            source: project, rule: "amounts-and-rate-schedules"),
        finding(
            "UNKNOWN_FIELDS_IGNORED", "info", "Unknown fields ignored",
            meaning: """
                The request has fields the API does not know, often a misspelling (telehealh for \
                telehealth). They were ignored, which may change the price; the message lists where they are.
                """,
            action: "Correct the field names and price the month again.",
            source: project, rule: "findings"),
    ]

    static let hints: [CatalogueEntry] = [
        hint(
            "BASE_MINIMUM_GAP", "Units short of the base rate",
            meaning: "The number of accrued CRS units still needed this month to bill the base rate.",
            action: """
                If the member's recovery plan calls for them, CRS services delivered and recorded before the \
                month ends bill the base rate.
                """,
            source: "\(anthem); \(mvp)", rule: "base-rate-minimum"),
        hint(
            "NEXT_TIER_GAP", "Tier units short of the next tier",
            meaning: """
                The number of tier units still needed this month to reach the next tier and, with a rate \
                schedule, the amount that would add.
                """,
            action: "For information: services are billed as delivered, never to reach a tier.",
            source: "\(anthem); \(mvp)", rule: "tiers"),
        hint(
            "IR_MINIMUM_GAP", "Units short of the IR add-on",
            meaning: "The number of units still needed this month to qualify the Intensive Rehabilitation add-on.",
            action: """
                If the member's recovery plan calls for them, services delivered and recorded before the \
                month ends qualify the IR add-on.
                """,
            source: "\(anthem); \(mvp)", rule: "intensive-rehabilitation-add-on"),
        hint(
            "ORS_MINIMUM_GAP", "Units short of the ORS add-on",
            meaning: "The number of provided ORS units still needed this month to qualify the ORS add-on.",
            action: """
                If the member's recovery plan calls for them, one-to-one ORS services delivered and recorded \
                before the month ends qualify the ORS add-on.
                """,
            source: mvp, rule: "ongoing-rehabilitation-and-support-add-on"),
        hint(
            "CT_CONTACT_DUE", "Prescriber contact due",
            meaning: """
                For a member on medication management: the last day by which a contact with a psychiatrist \
                or psychiatric nurse practitioner keeps the Clinical Treatment add-on billable without a gap \
                (the last day of the third month after the last known contact).
                """,
            action: "Arrange the contact by that date and record it.",
            source: omh, rule: "prescriber-contact-window"),
    ]

    /// `docs/findings.md`: the catalogue as the project's documentation page.
    public static func markdown() -> String {
        var out = """
            # Findings and hints

            <!-- Generated by FindingCatalogue.markdown() (Sources/PROSRules/FindingCatalogue.swift): edit the \
            catalogue, not this page. A test fails when they differ. -->

            Every priced month explains itself. A **finding** (`findings[]` in the answer) records a decision \
            of the rules: a service or units that did not count, a line that was not billed, or a note \
            worth knowing. A **hint** (`hints[]`) says what would change the claim while the month is still \
            under way. Codes never change; the same text is served at `GET /v1/findings`. The rules \
            themselves are explained in [rules.md](rules.md).

            | severity | means |
            | --- | --- |
            | info | an explanation; nothing was lost |
            | warning | a service or some units did not count, or something needs attention |
            | denied | a line that could have been billed was not |
            | hint | what would change the claim, with the number needed |


            """
        for (heading, kind) in [("Findings", "finding"), ("Hints", "hint")] {
            let group = entries.filter { $0.kind == kind }
            out += "## \(heading)\n\n| code | severity | title |\n| --- | --- | --- |\n"
            for e in group { out += "| [`\(e.code)`](#\(e.code.lowercased())) | \(e.severity) | \(e.title) |\n" }
            out += "\n"
            for e in group {
                let anchor = e.rule.hasPrefix("docs/") ? String(e.rule.dropFirst(5)) : e.rule
                out += "### \(e.code)\n\n"
                out += "**\(e.title)** (\(e.severity)). Rule: [\(anchor)](\(anchor)).\n\n"
                out += "What it means: \(e.meaning)\n\n"
                out += "What to do: \(e.action)\n\n"
                out += "Source: \(e.source).\n\n"
            }
        }
        while out.hasSuffix("\n\n") { out.removeLast() }
        return out
    }
}
