/// One sentence on what a priced month bills and why, for clean months too (docs/rules.md#summary):
/// "Tier 2 base rate (24 tier units from 21 accrued) and the IR add-on (3 units): 1,187.21."
extension MonthRun {
    func summary(lines: [ClaimLine], total: Money?) -> [UInt8] {
        var s = Sentence(capacity: 192)
        if lines.isEmpty {
            s.append("Nothing is billed for \(month.month)" as Sentence)
            if let reason = nothingBilledReason() { s.append(": \(reason)" as Sentence) }
        } else {
            for i in lines.indices {  // by index: `enumerated()` copied each line (its strings, modifiers)
                if i > 0 { s.append(literal: i == lines.count - 1 ? " and " : ", ") }
                describe(lines[i], into: &s)
            }
            s.capitalizeFirst()
            if let total {
                s.append(literal: ": ")
                s.append(grouped: total)
            } else if let schedule {
                s.append(", with no total (a rate is missing from \(schedule.id))" as Sentence)
            } else {
                s.append(literal: ", with no amounts (no rate schedule named)")
            }
        }
        if !notBilled.isEmpty {
            s.append(literal: "; not billed: ")
            s.append(joined(notBilled))
        }
        s.append(literal: ".")
        return s.bytes
    }

    /// The lines' words: "Tier 2 base rate (24 tier units from 21 accrued)", "the IR add-on (3 units)".
    func describe(_ line: ClaimLine, into s: inout Sentence) {
        switch line.kind {
        case .base:
            s.append(literal: "Tier "); s.append(number: line.tier ?? 0)
            s.append(literal: " base rate ("); s.append(number: tierUnits)
            s.append(literal: " tier units from "); s.append(number: accrued); s.append(literal: " accrued)")
        case .preadmission:
            s.append(literal: "the pre-admission rate ("); s.append(line.rateCode); s.append(literal: ")")
            if member.targetPopulation && rules.preadmission.targetPopulation != nil {
                s.append(literal: " at the target-population rate")
            }
        case .addOn:
            s.append(literal: "the "); s.append(line.component?.rawValue ?? line.rateCode)
            s.append(literal: " add-on ("); s.append(number: line.units); s.append(literal: " units)")
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
        var s = Sentence(capacity: 96 * parts.count)
        for (i, part) in parts.enumerated() {
            if i > 0 { s.append(i == parts.count - 1 ? " and " : ", ") }
            s.append(part)
        }
        if capitalized { s.capitalizeFirst() }
        return s
    }
}
