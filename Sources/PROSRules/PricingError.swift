/// A member-month that decodes but cannot be priced under the loaded config (a `422`).
public enum PricingError: Error, Sendable, Equatable {
    /// No rule set covers the month (SPEC §1): months before the redesign are never guessed.
    case unsupportedMonth(YearMonth, earliest: YearMonth?)
    /// `rateSchedule` names no loaded schedule.
    case unknownRateSchedule(String, known: [String])

    public var fieldErrors: [FieldError] {
        switch self {
        case let .unsupportedMonth(m, earliest):
            let hint = earliest.map { "; the earliest supported month is \($0)" } ?? ""
            return [FieldError("/month", "no rule set covers \(m)\(hint)")]
        case let .unknownRateSchedule(name, known):
            return [FieldError("/rateSchedule", "no rate schedule named \"\(name)\" is loaded (loaded: \(known.sorted().joined(separator: ", ")))")]
        }
    }
}
