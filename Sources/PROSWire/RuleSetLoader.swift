import JSON
import PROSRules

/// Reads rule-set and rate-schedule files, naming the file and key of any bad value.
enum RuleSetLoader {
    struct Node {
        let file: String
        let pointer: String
        let value: JSONValue

        func fail(_ reason: String) -> ConfigError { ConfigError(file: file, key: pointer, reason: reason) }

        func child(_ key: String) throws(ConfigError) -> Node {
            guard case .object(let members) = value else { throw fail("must be an object") }
            guard let v = members.first(where: { $0.0 == key })?.1 else {
                throw ConfigError(file: file, key: pointer + "/" + key, reason: "is required")
            }
            return Node(file: file, pointer: pointer + "/" + key, value: v)
        }

        func optionalChild(_ key: String) throws(ConfigError) -> Node? {
            guard case .object(let members) = value else { throw fail("must be an object") }
            guard let v = members.first(where: { $0.0 == key })?.1, v != .null else { return nil }
            return Node(file: file, pointer: pointer + "/" + key, value: v)
        }

        func members() throws(ConfigError) -> [Node] {
            guard case .object(let m) = value else { throw fail("must be an object") }
            return m.map { Node(file: file, pointer: pointer + "/" + $0.0, value: $0.1) }
        }

        var key: String { String(pointer.split(separator: "/").last ?? "") }

        func items() throws(ConfigError) -> [Node] {
            guard case .array(let a) = value else { throw fail("must be an array") }
            return a.enumerated().map { Node(file: file, pointer: pointer + "/\($0.offset)", value: $0.element) }
        }

        func string() throws(ConfigError) -> String {
            guard case .string(let s) = value, !s.isEmpty else { throw fail("must be a non-empty string") }
            return s
        }

        func int(min: Int = 0) throws(ConfigError) -> Int {
            guard case .number(let t) = value, let v = Int(t) else { throw fail("must be an integer") }
            guard v >= min else { throw fail("must be at least \(min)") }
            return v
        }

        func bool() throws(ConfigError) -> Bool {
            guard case .bool(let b) = value else { throw fail("must be true or false") }
            return b
        }

        func date() throws(ConfigError) -> CivilDate {
            guard let d = CivilDate(try string()) else { throw fail("must be a date YYYY-MM-DD") }
            return d
        }

        func component() throws(ConfigError) -> Component {
            guard let c = Component(rawValue: try string()) else { throw fail("must be one of CRS, IR, ORS, CT") }
            return c
        }

        func components() throws(ConfigError) -> [Component] {
            try items().map { n throws(ConfigError) in try n.component() }
        }

        /// `{"audio-video": "GT", "audio-only": "93"}`; in a payer profile either may be left out.
        func telehealthModifiers(partial: Bool) throws(ConfigError) -> [Telehealth: String] {
            var modifiers: [Telehealth: String] = [:]
            for n in try members() {
                guard let kind = Telehealth(rawValue: n.key), kind != .none else {
                    throw n.fail("must be audio-video or audio-only")
                }
                modifiers[kind] = try n.string()
            }
            if !partial {
                for kind in [Telehealth.audioVideo, .audioOnly] where modifiers[kind] == nil {
                    throw ConfigError(file: file, key: pointer + "/" + kind.rawValue, reason: "is required")
                }
            }
            return modifiers
        }

        func coding() throws(ConfigError) -> Coding {
            Coding(
                rateCode: try child("rateCode").string(), procedureCode: try child("procedureCode").string(),
                modifiers: try child("modifiers").items().map { n throws(ConfigError) in try n.string() })
        }
    }

    static func root(name: String, bytes: [UInt8]) throws(ConfigError) -> Node {
        do {
            return Node(file: name, pointer: "", value: try JSONValue.parse(bytes))
        } catch {
            throw ConfigError(file: name, key: "", reason: "invalid JSON at byte \(error.offset): \(error.reason)")
        }
    }

    static func ruleSet(name: String, bytes: [UInt8]) throws(ConfigError) -> RuleSet {
        let r = try root(name: name, bytes: bytes)
        let from = try r.child("effectiveFrom").date()
        let toNode = try r.optionalChild("effectiveTo")
        let to = try toNode?.date()
        if let to, to < from, let toNode { throw toNode.fail("is before effectiveFrom") }
        guard from.day == 1, from.yearMonth.firstDay == from else {
            throw try r.child("effectiveFrom").fail("must be a month's first day")
        }

        var unitMinutes: [ServiceFormat: Int] = [:]
        let um = try r.child("unitMinutes")
        for f in ServiceFormat.allCases { unitMinutes[f] = try um.child(f.rawValue).int(min: 1) }

        let tiersNode = try r.child("tiers")
        var tiers: [Tier] = []
        for t in try tiersNode.items() {
            let maxNode = try t.optionalChild("maxUnits")
            let tier = Tier(
                tier: try t.child("tier").int(min: 1), minUnits: try t.child("minUnits").int(min: 1),
                maxUnits: try maxNode?.int(min: 1), coding: try t.coding())
            if let m = tier.maxUnits, m < tier.minUnits, let maxNode { throw maxNode.fail("is below minUnits") }
            if let prev = tiers.last {
                guard let prevMax = prev.maxUnits, prevMax + 1 == tier.minUnits else {
                    throw try t.child("minUnits").fail(
                        "must follow the previous tier's maxUnits without gap or overlap")
                }
            }
            tiers.append(tier)
        }
        guard !tiers.isEmpty else { throw tiersNode.fail("must list at least one tier") }

        var addOns: [AddOnRule] = []
        for a in try r.child("addOns").members() {
            guard let c = Component(rawValue: a.key), c != .crs else { throw a.fail("must be one of IR, ORS, CT") }
            addOns.append(
                AddOnRule(
                    component: c, coding: try a.coding(),
                    minServiceUnits: try a.child("minServiceUnits").int(min: 1),
                    minComponentUnits: try a.child("minComponentUnits").int(min: 0),
                    minMonthUnits: try a.child("minMonthUnits").int(min: 0)))
        }
        let priorityNode = try r.child("addOnPriority")
        let priority = try priorityNode.items().map { n throws(ConfigError) in try n.component() }
        guard Set(priority) == Set(addOns.map(\.component)), priority.count == addOns.count else {
            throw priorityNode.fail("must list each add-on of addOns exactly once")
        }
        let exclusiveNode = try r.child("exclusiveAddOns")
        var exclusive: [[Component]] = []
        for g in try exclusiveNode.items() {
            let group = try g.items().map { n throws(ConfigError) in try n.component() }
            guard group.count >= 2, group.allSatisfy({ priority.contains($0) }) else {
                throw g.fail("must name two or more add-ons of addOns")
            }
            exclusive.append(group)
        }

        let baseMin = try r.child("baseMinimum")
        let pre = try r.child("preadmission")
        let rre = try r.optionalChild("ctRequiredRRE")
        var target: TargetPopulationRule?
        if let t = try pre.optionalChild("targetPopulation") {
            let factorNode = try t.child("rateFactor")
            guard let factor = RateFactor(try factorNode.string()) else {
                throw factorNode.fail("must be a decimal string with at most 4 places, such as \"1.25\"")
            }
            target = TargetPopulationRule(
                maxConsecutiveMonths: try t.child("maxConsecutiveMonths").int(min: 1), rateFactor: factor)
        }
        return RuleSet(
            id: try r.child("id").string(), effectiveFrom: from, effectiveTo: to, unitMinutes: unitMinutes,
            dailyCap: try r.child("dailyCap").int(min: 1),
            offsiteMultiplier: try r.child("offsiteMultiplier").int(min: 1),
            baseMinimumComponent: try baseMin.child("component").component(),
            baseMinimumUnits: try baseMin.child("units").int(min: 1), tiers: tiers, addOns: addOns,
            addOnPriority: priority, exclusiveAddOns: exclusive, maxAddOns: try r.child("maxAddOns").int(min: 0),
            ctRequiresBaseRate: try r.child("ctRequiresBaseRate").bool(), ctRequiredRRE: try rre?.string(),
            prescriberContactWindowMonths: try r.child("prescriberContactWindowMonths").int(min: 0),
            prescriberContactAdmissionMonths: try r.child("prescriberContactAdmissionMonths").int(min: 0),
            maxRRECodes: try r.child("maxRRECodes").int(min: 1),
            preadmission: PreadmissionRule(
                coding: try pre.coding(), units: try pre.child("units").int(min: 1),
                minAccruedUnits: try pre.child("minAccruedUnits").int(min: 1),
                maxConsecutiveMonths: try pre.child("maxConsecutiveMonths").int(min: 1), targetPopulation: target),
            ctAllowedInPreadmission: try r.child("ctAllowedInPreadmission").bool(),
            dailyCapAppliesToAddOns: try r.child("dailyCapAppliesToAddOns").bool(),
            oneToOneComponents: try r.child("oneToOneComponents").components(),
            telehealthModifiers: try r.child("telehealthModifiers").telehealthModifiers(partial: false))
    }

    /// A payer profile (docs/rules.md#payer-profiles): an id, a description and policy overrides. A key
    /// the profile may not set (an unknown switch, or a code, tier or minimum) names the file and key.
    static func payerProfile(name: String, bytes: [UInt8]) throws(ConfigError) -> PayerProfile {
        let r = try root(name: name, bytes: bytes)
        for m in try r.members() where !["id", "description", "policy"].contains(m.key) {
            throw m.fail("is not a payer profile key (id, description, policy)")
        }
        var policy = PolicyOverrides()
        for n in try r.child("policy").members() {
            switch n.key {
            case "telehealthModifiers": policy.telehealthModifiers = try n.telehealthModifiers(partial: true)
            case "ctAllowedInPreadmission": policy.ctAllowedInPreadmission = try n.bool()
            case "dailyCapAppliesToAddOns": policy.dailyCapAppliesToAddOns = try n.bool()
            case "oneToOneComponents": policy.oneToOneComponents = try n.components()
            case "targetPopulation": policy.targetPopulation = try n.bool()
            default:
                throw n.fail("is not a policy switch a payer may set (\(PolicyOverrides.keys.joined(separator: ", ")))")
            }
        }
        return PayerProfile(
            id: try r.child("id").string(), description: try r.optionalChild("description")?.string() ?? "",
            policy: policy)
    }

    static func rateSchedule(name: String, bytes: [UInt8]) throws(ConfigError) -> RateSchedule {
        let r = try root(name: name, bytes: bytes)
        var rates: [Rate] = []
        for n in try r.child("rates").items() {
            let toNode = try n.optionalChild("effectiveTo")
            let amountNode = try n.child("amount")
            guard let amount = Money(try amountNode.string()) else {
                throw amountNode.fail("must be a decimal string with at most 2 places")
            }
            let rate = Rate(
                rateCode: try n.child("rateCode").string(), effectiveFrom: try n.child("effectiveFrom").date(),
                effectiveTo: try toNode?.date(), amount: amount)
            if let to = rate.effectiveTo, to < rate.effectiveFrom, let toNode {
                throw toNode.fail("is before effectiveFrom")
            }
            if rates.contains(where: { $0.rateCode == rate.rateCode && overlaps($0, rate) }) {
                throw n.fail("overlaps another rate for \(rate.rateCode)")
            }
            rates.append(rate)
        }
        return RateSchedule(
            id: try r.child("id").string(), description: try r.optionalChild("description")?.string() ?? "",
            rates: rates)
    }

    static func overlaps(_ a: Rate, _ b: Rate) -> Bool {
        let aEnd = a.effectiveTo ?? CivilDate(year: 9999, month: 12, day: 31)!
        let bEnd = b.effectiveTo ?? CivilDate(year: 9999, month: 12, day: 31)!
        return a.effectiveFrom <= bEnd && b.effectiveFrom <= aEnd
    }
}
