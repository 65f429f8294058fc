import JSON
import PROSRules

extension RuleBook {
    /// Builds a book from config files' bytes: `rules/*.json` and `rates/*.json`, named as given.
    /// Every file is validated; the first bad value is reported with its file and key.
    public static func load(
        rules: [(name: String, bytes: [UInt8])], rates: [(name: String, bytes: [UInt8])],
        payers: [(name: String, bytes: [UInt8])] = []
    ) throws(ConfigError) -> RuleBook {
        var sets: [RuleSet] = []
        var hasher = FNV1a()
        for (name, bytes) in rules.sorted(by: { $0.name < $1.name }) {
            hasher.add(name); hasher.add(bytes)
            sets.append(try RuleSetLoader.ruleSet(name: name, bytes: bytes))
        }
        guard !sets.isEmpty else { throw ConfigError(file: "rules/", key: "", reason: "no rule set files") }
        let ordered = sets.sorted { $0.effectiveFrom < $1.effectiveFrom }
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            if a.id == b.id {
                throw ConfigError(file: "rules/", key: "/id", reason: "rule set id \(a.id) appears twice")
            }
            guard let end = a.effectiveTo, end < b.effectiveFrom else {
                throw ConfigError(file: "rules/", key: "/effectiveTo", reason: "rule sets \(a.id) and \(b.id) overlap")
            }
        }
        var schedules: [RateSchedule] = []
        for (name, bytes) in rates.sorted(by: { $0.name < $1.name }) {
            hasher.add(name); hasher.add(bytes)
            let s = try RuleSetLoader.rateSchedule(name: name, bytes: bytes)
            if schedules.contains(where: { $0.id == s.id }) {
                throw ConfigError(file: name, key: "/id", reason: "rate schedule id \(s.id) appears twice")
            }
            schedules.append(s)
        }
        var profiles: [PayerProfile] = []
        for (name, bytes) in payers.sorted(by: { $0.name < $1.name }) {
            hasher.add(name); hasher.add(bytes)
            var p = try RuleSetLoader.payerProfile(name: name, bytes: bytes)
            var fileHash = FNV1a()
            fileHash.add(bytes)
            p.digest = fileHash.hex
            if profiles.contains(where: { $0.id == p.id }) {
                throw ConfigError(file: name, key: "/id", reason: "payer profile id \(p.id) appears twice")
            }
            profiles.append(p)
        }
        return RuleBook(ruleSets: sets, rateSchedules: schedules, payers: profiles, digest: hasher.hex)
    }

    /// The config shipped with pros-pricer, compiled into the binary (`config/` at build time).
    public static func builtIn() -> RuleBook {
        do {
            return try load(
                rules: BuiltinConfig.rules.map { ($0.0, Array($0.1.utf8)) },
                rates: BuiltinConfig.rates.map { ($0.0, Array($0.1.utf8)) },
                payers: BuiltinConfig.payers.map { ($0.0, Array($0.1.utf8)) })
        } catch {
            fatalError("the built-in config is invalid: \(error)")  // caught by the test suite
        }
    }
}

/// 64-bit FNV-1a: a stable content digest (not for security).
struct FNV1a {
    var state: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes { state = (state ^ UInt64(b)) &* 0x100_0000_01b3 }
    }
    mutating func add(_ s: String) { add(s.utf8); add([0]) }
    var hex: String {
        let s = String(state, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
