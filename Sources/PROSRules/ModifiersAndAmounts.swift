/// The telehealth modifiers of each line (docs/rules.md#telehealth-modifiers) and the amounts
/// (docs/rules.md#amounts-and-rate-schedules, #target-population).
extension MonthRun {
    /// Adds the line's telehealth modifiers after its own. A line's telehealth comes from the services whose
    /// units it reports: the base and pre-admission lines' from every service that accrued units, an add-on
    /// line's from its component's services whose units it counts.
    func addTelehealthModifiers(_ line: inout ClaimLine) {
        var audioVideo = false, audioOnly = false
        for i in services.indices where services[i].telehealth != .none {
            let reported =
                if let c = line.component {
                    services[i].component == c && addOnUnits(ofService: i) > 0
                } else {
                    dispositions[i].accrued > 0
                }
            guard reported else { continue }
            if services[i].telehealth == .audioVideo { audioVideo = true } else { audioOnly = true }
        }
        func add(_ kind: Telehealth) {
            // Found by comparing keys (two at most): a key of a `String` raw type is hashed as its string.
            if let modifier = rules.telehealthModifiers.first(where: { $0.key == kind })?.value,
                !line.modifiers.contains(modifier)
            {
                line.modifiers.append(modifier)
            }
        }
        if audioVideo { add(.audioVideo) }
        if audioOnly { add(.audioOnly) }
    }

    /// Each line's amount from the rate schedule, and the total: nil when any line has no rate.
    mutating func priceAmounts(_ lines: inout [ClaimLine]) -> Money? {
        let target = member.targetPopulation ? rules.preadmission.targetPopulation : nil
        defer {
            if let target, member.status == .preadmission, accrued >= rules.preadmission.minAccruedUnits {
                let line = lines.first { $0.kind == .preadmission }
                let base = schedule?.amount(for: rules.preadmission.coding.rateCode, on: dateOfService)
                note(Explain.targetPopulation(target, base: line == nil ? nil : base, amount: line?.amount))
            }
        }
        guard !lines.isEmpty else { return .zero }
        guard let schedule else {
            note(Explain.noSchedule)
            return nil
        }
        var total: Money? = .zero
        var missing: [String] = []
        for i in lines.indices {
            var amount = schedule.amount(for: lines[i].rateCode, on: lines[i].dateOfService)
            // The target population is paid the pre-admission rate times the factor, rounded half up.
            if lines[i].kind == .preadmission, let target, let a = amount { amount = target.rateFactor.applied(to: a) }
            lines[i].amount = amount
            if let a = amount { total = total.map { $0 + a } } else { total = nil; missing.append(lines[i].rateCode) }
        }
        if !missing.isEmpty { note(Explain.noRate(schedule: schedule.id, codes: missing, on: dateOfService)) }
        return total
    }
}
