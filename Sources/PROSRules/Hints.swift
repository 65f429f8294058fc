/// What would change the claim, each with the number it needs, computed from the same rules
/// (docs/rules.md#hints). Programs price a month while it is under way; a discharge month is over, so it
/// gets none.
extension MonthRun {
    func hints(lines: [ClaimLine]) -> [Hint] {
        if let d = member.dischargeDate, month.month.contains(d) { return [] }
        var hints: [Hint] = []
        if member.status == .admitted {
            let crs = accruedBy[rules.baseMinimumComponent]
            let component = rules.baseMinimumComponent.rawValue
            if crs < rules.baseMinimumUnits {
                let needed = rules.baseMinimumUnits - crs
                hints.append(
                    Hint(
                        .baseMinimumGap, needed: needed,
                        """
                        \(needed) more accrued \(component) \(needed == 1 ? "unit" : "units") this month would \
                        bill the base rate (it needs \(rules.baseMinimumUnits); the month has \(crs)).
                        """))
            } else if let base = lines.first(where: { $0.kind == .base }),
                let at = rules.tiers.firstIndex(where: { $0.tier == base.tier }), at + 1 < rules.tiers.count
            {
                hints.append(nextTierHint(from: rules.tiers[at], to: rules.tiers[at + 1]))
            }
            if let hint = addOnGap(.ir, lines) { hints.append(hint) }
            if let hint = addOnGap(.ors, lines) { hints.append(hint) }
        }
        if let hint = contactDue() { hints.append(hint) }
        return hints
    }

    func nextTierHint(from tier: Tier, to next: Tier) -> Hint {
        let needed = next.minUnits - tierUnits
        var gain: Sentence = ""
        if let schedule, let now = schedule.amount(for: tier.coding.rateCode, on: dateOfService),
            let then = schedule.amount(for: next.coding.rateCode, on: dateOfService), now < then
        {
            gain = ", adding \(grouped: Money(cents: then.cents - now.cents))"
        }
        return Hint(
            .nextTierGap, needed: needed,
            """
            \(needed) more tier \(needed == 1 ? "unit" : "units") would reach tier \(next.tier) \
            (\(next.coding.rateCode), from \(next.minUnits) tier units)\(gain).
            """)
    }

    /// The units an IR or ORS add-on with some units still needs, when only units stand in its way.
    func addOnGap(_ c: Component, _ lines: [ClaimLine]) -> Hint? {
        guard let rule = rules.addOn(c), addOnUnits(c) > 0, !lines.contains(where: { $0.component == c })
        else { return nil }
        let componentGap = rule.minComponentUnits - addOnUnits(c)
        let monthGap = rule.minMonthUnits - accrued
        let needed = max(componentGap, monthGap)
        guard needed > 0 else { return nil }  // its units suffice: something else (exclusivity) decides
        let code: HintCode = c == .ir ? .irMinimumGap : .orsMinimumGap
        let which: Sentence = componentGap >= monthGap ? "\(c.rawValue) units" : "accrued units (any component)"
        return Hint(
            code, needed: needed,
            """
            \(needed) more \(which) this month would qualify the \(c.rawValue) add-on (\(rule.coding.rateCode)).
            """)
    }

    /// For a member on medication management: when the next prescriber contact is due to keep CT billable.
    func contactDue() -> Hint? {
        guard member.medicationManagement else { return nil }
        let m = month.month
        guard let last = latestContact(through: m) else { return nil }
        let window = rules.prescriberContactWindowMonths
        let due = last.yearMonth.advanced(by: window + 1)
        guard due >= m else { return nil }  // already past due: CT_PRESCRIBER_CONTACT_MISSING says so
        return Hint(
            .ctContactDue, needed: 1,
            """
            The last known prescriber contact was on \(last): a psychiatrist or psychiatric nurse-practitioner \
            contact by \(due.lastDay) keeps the CT add-on billable from \(due) on.
            """)
    }
}
