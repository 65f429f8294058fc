/// A bad value in a config file: the file, the key (a JSON pointer) and why.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let key: String
    public let reason: String
    public init(file: String, key: String, reason: String) { self.file = file; self.key = key; self.reason = reason }
    public var description: String { "\(file): \(key.isEmpty ? "/" : key): \(reason)" }
}

/// All loaded rule sets and rate schedules: what one pricing run reads. Immutable; a reload builds a new one.
public struct RuleBook: Sendable {
    public let ruleSets: [RuleSet]
    public let rateSchedules: [String: RateSchedule]
    /// Payer profiles by id (docs/rules.md#payer-profiles).
    public let payers: [String: PayerProfile]
    /// A digest of the source files, to tell one loaded config from another.
    public let digest: String

    public init(ruleSets: [RuleSet], rateSchedules: [RateSchedule], payers: [PayerProfile] = [], digest: String = "") {
        self.ruleSets = ruleSets.sorted { $0.effectiveFrom < $1.effectiveFrom }
        self.rateSchedules = Dictionary(rateSchedules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.payers = Dictionary(payers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.digest = digest
    }

    /// The rate schedule with this id, as `rateSchedules[id]`. Every priced month names one: while there are
    /// a few, the ids are compared in turn (a dictionary hashes the whole id first, some 500 instructions a
    /// lookup; comparing a handful costs less), and looked up in the dictionary beyond.
    public func rateSchedule(named id: String) -> RateSchedule? { Self.find(id, in: rateSchedules) }

    /// The payer profile with this id, as `payers[id]`, found as `rateSchedule(named:)` finds a schedule.
    public func payer(named id: String) -> PayerProfile? { Self.find(id, in: payers) }

    /// `table[id]`: up to `scanLimit` entries by walking them and comparing keys (no hash), beyond by lookup.
    static func find<Value>(_ id: String, in table: [String: Value]) -> Value? {
        guard table.count <= scanLimit else { return table[id] }
        for (key, value) in table where key == id { return value }
        return nil
    }

    static let scanLimit = 8

    /// The rule set whose effective dates cover the month's first day (docs/rules.md#which-rule-set-applies).
    public func ruleSet(for month: YearMonth) -> RuleSet? { ruleSets.last { $0.covers(month) } }

    public var earliestMonth: YearMonth? { ruleSets.first?.effectiveFrom.yearMonth }
}
