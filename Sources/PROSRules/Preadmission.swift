/// A member in pre-admission bills one line, 4510, and may add CT (docs/rules.md#pre-admission and the
/// sections under it).
extension MonthRun {
    /// The most consecutive pre-admission months this member may be billed.
    var preadmissionLimit: Int {
        if member.targetPopulation, let target = rules.preadmission.targetPopulation {
            return target.maxConsecutiveMonths
        }
        return rules.preadmission.maxConsecutiveMonths
    }

    mutating func preadmissionLines() -> [ClaimLine] {
        let rule = rules.preadmission
        var lines: [ClaimLine] = []
        let limit = preadmissionLimit
        let previous = (1...limit).map { month.month.advanced(by: -$0) }
        if accrued < rule.minAccruedUnits {
            note(Explain.preadmissionNeedsUnits(rule, month: month.month, has: accrued))
        } else if previous.allSatisfy(month.priorPreadmissionMonths.contains) {
            note(Explain.preadmissionLimit(rule, billed: previous.reversed(), month: month.month, limit: limit))
        } else {
            lines.append(
                ClaimLine(
                    kind: .preadmission, tier: nil, component: nil, rateCode: rule.coding.rateCode,
                    procedureCode: rule.coding.procedureCode, modifiers: rule.coding.modifiers, units: rule.units,
                    dateOfService: dateOfService, amount: nil))
        }
        // IR and ORS are never billed in pre-admission; CT may be (policy `ctAllowedInPreadmission`).
        var refused: [Component] = []
        var refusedServices: [Int] = []
        for c in rules.addOnPriority where providedBy[c] > 0 {
            if c == .ct && rules.ctAllowedInPreadmission { continue }
            refused.append(c)
            refusedServices += services.indices.filter { services[$0].component == c && provided[$0] > 0 }
        }
        if !refused.isEmpty {
            note(
                Explain.addOnNotAllowedPreadmission(refused, Explain.ids(refusedServices, of: services)),
                refusedServices)
        }
        if rules.ctAllowedInPreadmission, let ct = rules.addOn(.ct), addOnUnits(.ct) > 0,
            qualifies(ct, baseBilled: !lines.isEmpty, baseName: "the pre-admission line (\(rule.coding.rateCode))")
        {
            lines.append(addOnLine(ct))
        }
        return lines
    }
}
