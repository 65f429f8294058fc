/// A member-month that decodes but cannot be priced under the loaded config (a `422`): a month no rule
/// set covers (months before the redesign are never guessed), or an unknown rate schedule or payer.
public struct PricingError: Error, Sendable, Equatable {
    /// Each problem with the field it names (`/month`, `/rateSchedule`, `/payer`).
    public var fieldErrors: [FieldError]
    /// The earliest month the loaded rule sets cover.
    public var earliest: YearMonth?

    public init(errors: [FieldError], earliest: YearMonth?) {
        fieldErrors = errors; self.earliest = earliest
    }

    /// Whether the only problem is a month no rule set covers.
    public var isUnsupportedMonth: Bool { fieldErrors.map(\.pointer) == ["/month"] }
}
