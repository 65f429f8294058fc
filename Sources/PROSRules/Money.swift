/// An exact amount of US dollars in cents (SPEC §9: never binary floating point).
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let cents: Int64

    public init(cents: Int64) { self.cents = cents }

    /// Parses a non-negative decimal with at most two places: `690.40`, `12`, `0.5`.
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard !u.isEmpty, u.count <= 16 else { return nil }
        var whole: Int64 = 0, frac: Int64 = 0, fracDigits = 0, seenDot = false, wholeDigits = 0
        for c in u {
            if c == 0x2E {
                guard !seenDot else { return nil }
                seenDot = true
            } else if c >= 0x30, c <= 0x39 {
                if seenDot {
                    fracDigits += 1
                    guard fracDigits <= 2 else { return nil }
                    frac = frac * 10 + Int64(c - 0x30)
                } else {
                    wholeDigits += 1
                    whole = whole * 10 + Int64(c - 0x30)
                }
            } else { return nil }
        }
        guard wholeDigits > 0, !seenDot || fracDigits > 0 else { return nil }
        if fracDigits == 1 { frac *= 10 }
        cents = whole * 100 + frac
    }

    public static func + (a: Money, b: Money) -> Money { Money(cents: a.cents + b.cents) }
    public static func < (a: Money, b: Money) -> Bool { a.cents < b.cents }
    public static let zero = Money(cents: 0)

    /// Two decimal places: `1187.21`.
    public var description: String {
        let sign = cents < 0 ? "-" : ""
        let a = cents.magnitude
        return sign + String(a / 100) + "." + pad(Int(a % 100), 2)
    }
}
