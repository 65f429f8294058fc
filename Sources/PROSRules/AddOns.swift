/// The IR, ORS and CT add-ons (docs/rules.md#add-ons and the sections after it).
///
/// Add-ons count provided units, before the daily cap: the cap is a base-rate rule
/// (docs/rules.md#daily-cap). Policy `dailyCapAppliesToAddOns` restores the first rules' accrued units.
extension MonthRun {
    /// The add-on lines that qualify, after exclusivity and the monthly maximum, sorted by rate code.
    mutating func addOnLines(baseBilled: Bool, baseName: Sentence) -> [ClaimLine] {
        var qualified: [Component] = []  // in priority order
        for c in rules.addOnPriority where addOnUnits(c) > 0 {
            if let rule = rules.addOn(c), qualifies(rule, baseBilled: baseBilled, baseName: baseName) {
                qualified.append(c)
            }
        }
        applyExclusivity(&qualified)
        if qualified.count > rules.maxAddOns {  // docs/rules.md#maximum-add-ons: kept in priority order
            let dropped = Array(qualified[rules.maxAddOns...])
            qualified = Array(qualified.prefix(rules.maxAddOns))
            note(Explain.maxAddOns(rules.maxAddOns, dropped: dropped, kept: qualified), addOnServices(dropped))
        }
        var lines: [ClaimLine] = []
        lines.reserveCapacity(qualified.count)
        for c in qualified { if let rule = rules.addOn(c) { lines.append(addOnLine(rule)) } }
        return lines.sorted { a, b in (a.rateCode.count, a.rateCode) < (b.rateCode.count, b.rateCode) }
    }

    func addOnLine(_ rule: AddOnRule) -> ClaimLine {
        ClaimLine(
            kind: .addOn, tier: nil, component: rule.component, rateCode: rule.coding.rateCode,
            procedureCode: rule.coding.procedureCode, modifiers: rule.coding.modifiers,
            units: addOnUnits(rule.component), dateOfService: dateOfService, amount: nil)
    }

    /// Whether an add-on's conditions hold; records a finding for each one that does not.
    mutating func qualifies(_ rule: AddOnRule, baseBilled: Bool, baseName: Sentence) -> Bool {
        let c = rule.component
        var ids: [Int] { addOnServices(c) }  // listed only in a finding
        var counted: Sentence { rules.dailyCapAppliesToAddOns ? "accrued" : "provided" }
        guard
            services.indices.contains(where: {
                services[$0].component == c && addOnUnits(ofService: $0) >= rule.minServiceUnits
            })
        else {
            note(
                Explain.addOnMinimumNotMet(rule, Explain.needsServiceUnits(c, rule.minServiceUnits, counted: counted)),
                ids)
            return false
        }
        let units = addOnUnits(c)
        if units < rule.minComponentUnits {
            let reason = Explain.needsComponentUnits(c, rule.minComponentUnits, has: units, counted: counted)
            note(Explain.addOnMinimumNotMet(rule, reason), ids)
            return false
        }
        // The month total is a base-rate figure: accrued units, after the daily cap.
        if accrued < rule.minMonthUnits {
            note(Explain.addOnMinimumNotMet(rule, Explain.needsMonthUnits(rule.minMonthUnits, has: accrued)), ids)
            return false
        }
        return c == .ct ? clinicalTreatmentQualifies(rule, baseBilled: baseBilled, baseName: baseName, ids) : true
    }

    /// The conditions of the CT add-on (docs/rules.md#clinical-treatment-add-on), each checked and reported.
    mutating func clinicalTreatmentQualifies(
        _ rule: AddOnRule, baseBilled: Bool, baseName: Sentence,
        _ ids: [Int]
    ) -> Bool {
        var ok = true
        if rules.ctRequiresBaseRate && !baseBilled {
            note(Explain.ctRequiresBaseRate(rule, base: baseName, month: month.month), ids)
            ok = false
        }
        // R/E code 84, "or … pre-admission status" (docs/rules.md#ct-and-re-code-84).
        if member.status == .admitted, let rre = rules.ctRequiredRRE, !member.rreCodes.contains(rre) {
            note(Explain.ctRREMissing(rule, required: rre, has: member.rreCodes), ids)
            ok = false
        }
        if member.medicationManagement {
            switch prescriberContact() {
            case .covered: break
            case .missing(let from):
                note(Explain.ctPrescriberContactMissing(rule, from: from, month: month.month), ids)
                ok = false
            case .pending(let admission, let deadline):
                note(
                    Explain.ctPrescriberContactPending(
                        rule, month: month.month, admission: admission,
                        by: deadline), ids)
                ok = false
            }
        }
        return ok
    }

    /// Of add-ons that may not be billed together, keep the higher configured amount, else the first by
    /// priority (docs/rules.md#ir-and-ors-exclusivity).
    mutating func applyExclusivity(_ kept: inout [Component]) {
        for group in rules.exclusiveAddOns {
            let contenders = kept.filter(group.contains)  // in priority order
            guard contenders.count > 1 else { continue }
            var winner = contenders[0]
            var reason = Explain.firstInPriority
            // Loops rather than closures: a closure here would copy the whole run.
            var amounts: [Money] = []
            for c in contenders {
                if let rule = rules.addOn(c), let a = schedule?.amount(for: rule.coding.rateCode, on: dateOfService) {
                    amounts.append(a)
                }
            }
            if amounts.count == contenders.count, let best = amounts.max(),
                amounts.filter({ $0 == best }).count == 1, let at = amounts.firstIndex(of: best)
            {
                winner = contenders[at]
                reason = Explain.higherRate(best)
            }
            let dropped = contenders.filter { $0 != winner }
            kept.removeAll(where: dropped.contains)
            note(Explain.irOrsExclusive(kept: winner, dropped: dropped, reason: reason), addOnServices(dropped))
        }
    }
}
