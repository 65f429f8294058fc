/// The monthly base rate of an admitted member (docs/rules.md#base-rate-minimum, #tiers,
/// #units-on-the-base-line), then the add-ons beside it.
extension MonthRun {
    mutating func admittedLines() -> [ClaimLine] {
        var lines: [ClaimLine] = []
        if let a = member.admissionDate, month.month.contains(a) {
            note(Explain.admissionMonth(a, month: month.month))
        }
        if let base = baseLine() { lines.append(base) }
        return lines + addOnLines(baseBilled: !lines.isEmpty, baseName: "a base rate")
    }

    /// The base line, or nil after the finding that says why not.
    mutating func baseLine() -> ClaimLine? {
        // The minimum counts accrued units of one component (CRS), never doubled.
        let minimumUnits = accruedBy[rules.baseMinimumComponent]
        guard minimumUnits >= rules.baseMinimumUnits else {
            note(
                Explain.baseMinimumNotMet(
                    month: month.month, needed: rules.baseMinimumUnits, component: rules.baseMinimumComponent,
                    has: minimumUnits))
            return nil
        }
        // The tier follows tier units; the line reports the actual accrued units.
        guard let tier = rules.tiers.first(where: { $0.contains(tierUnits) }) else {
            note(Explain.belowLowestTier(month: month.month, tierUnits: tierUnits, lowest: rules.tiers[0].minUnits))
            return nil
        }
        if accrued < tier.minUnits {
            note(Explain.unitsBelowTierRange(tier: tier, units: accrued, tierUnits: tierUnits))
        }
        return ClaimLine(
            kind: .base, tier: tier.tier, component: nil, rateCode: tier.coding.rateCode,
            procedureCode: tier.coding.procedureCode, modifiers: tier.coding.modifiers, units: accrued,
            dateOfService: dateOfService, amount: nil)
    }
}
