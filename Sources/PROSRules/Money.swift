/// An exact amount of US dollars in cents: never binary floating point (docs/rules.md#amounts-and-rate-schedules).
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
            } else {
                return nil
            }
        }
        guard wholeDigits > 0, !seenDot || fracDigits > 0 else { return nil }
        if fracDigits == 1 { frac *= 10 }
        cents = whole * 100 + frac
    }

    public static func + (a: Money, b: Money) -> Money { Money(cents: a.cents + b.cents) }
    public static func < (a: Money, b: Money) -> Bool { a.cents < b.cents }
    public static let zero = Money(cents: 0)

    /// Appends the amount as text: `1187.21`, or `1,187.21` (thousands separated, as a person reads an
    /// amount) when `grouped`. Written into a sentence's bytes
    /// without an intermediate String (amounts appear in summaries and findings of most months).
    func write(to bytes: inout [UInt8], grouped: Bool = false) {
        if cents < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        appendDecimal(Int(cents.magnitude / 100), to: &bytes)
        if grouped {  // a comma before each group of three digits from the right
            var at = bytes.count - 3
            while at > start {
                bytes.insert(UInt8(ascii: ","), at: at)
                at -= 3
            }
        }
        bytes.append(UInt8(ascii: "."))
        appendDigits(Int(cents.magnitude % 100), 2, to: &bytes)
    }

    /// Two decimal places: `1187.21`.
    public var description: String {
        var bytes: [UInt8] = []
        write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// An exact decimal multiplier for an amount, such as the target population's 1.25.
public struct RateFactor: Sendable, Equatable, CustomStringConvertible {
    /// The factor times 10,000: 1.25 is 12,500.
    public let tenThousandths: Int64

    /// Parses a non-negative decimal with at most four places: `1.25`, `2`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, whole < 1000,
            parts[0].allSatisfy(\.isASCII)
        else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...4).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let f = Int64(digits)
            else { return nil }
            fraction = f
            for _ in digits.count..<4 { fraction *= 10 }
        }
        tenThousandths = whole * 10_000 + fraction
    }

    /// The amount times the factor, rounded half up to the cent.
    public func applied(to amount: Money) -> Money {
        Money(cents: (amount.cents * tenThousandths + 5_000) / 10_000)
    }

    public var description: String {
        let whole = tenThousandths / 10_000
        var fraction = String(tenThousandths % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}
