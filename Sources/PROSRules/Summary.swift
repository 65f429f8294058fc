/// One sentence on what a priced month bills and why, for clean months too (docs/rules.md#summary):
/// "Tier 2 base rate (24 tier units from 21 accrued) and the IR add-on (3 units): 1,187.21."
extension MonthRun {
    func summary(of claim: PricedClaim) -> String {
        var s = Sentence(capacity: 192)
        if claim.lines.isEmpty {
            s.append("Nothing is billed for \(month.month)")
            if let reason = nothingBilledReason() { s.append(": \(reason)") }
        } else {
            for (i, line) in claim.lines.enumerated() {
                if i > 0 { s.append(i == claim.lines.count - 1 ? " and " as String : ", ") }
                s.append(describe(line))
            }
            s.capitalizeFirst()
            if let total = claim.total {
                s.append(": " as String)
                s.append(total.grouped)
            } else if let schedule {
                s.append(", with no total (a rate is missing from \(schedule.id))")
            } else {
                s.append(", with no amounts (no rate schedule named)" as String)
            }
        }
        if !notBilled.isEmpty {
            s.append("; not billed: " as String)
            s.append(joined(notBilled))
        }
        s.append("." as String)
        return s.description
    }

    /// The lines' words: "Tier 2 base rate (24 tier units from 21 accrued)", "the IR add-on (3 units)".
    func describe(_ line: ClaimLine) -> Sentence {
        switch line.kind {
        case .base:
            return "Tier \(line.tier ?? 0) base rate (\(tierUnits) tier units from \(accrued) accrued)"
        case .preadmission:
            let target: Sentence =
                member.targetPopulation && rules.preadmission.targetPopulation != nil
                ? " at the target-population rate" : ""
            return "the pre-admission rate (\(line.rateCode))\(target)"
        case .addOn:
            return "the \(line.component?.rawValue ?? line.rateCode) add-on (\(line.units) units)"
        }
    }

    /// Why nothing is billed when no line says it otherwise.
    func nothingBilledReason() -> Sentence? {
        if accrued == 0 {
            return services.isEmpty ? "no services were sent" : "no service earned a unit that counts"
        }
        if member.status == .preadmission && accrued < rules.preadmission.minAccruedUnits {
            return "the pre-admission rate needs \(rules.preadmission.minAccruedUnits) accrued units"
        }
        return nil
    }

    func joined(_ parts: [Sentence], capitalized: Bool = false) -> Sentence {
        var s = Sentence()
        for (i, part) in parts.enumerated() {
            if i > 0 { s.append(i == parts.count - 1 ? " and " : ", ") }
            s.append(part)
        }
        if capitalized { s.capitalizeFirst() }
        return s
    }
}
