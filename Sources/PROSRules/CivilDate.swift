/// A calendar date with no time zone (`YYYY-MM-DD`), as claims use them.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= YearMonth.daysIn(year: year, month: month) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        guard let d = String(text).withUTF8Bytes({ CivilDate(utf8: $0) }) else { return nil }
        self = d
    }

    /// Parses exactly `YYYY-MM-DD` from UTF-8 bytes.
    public init?(utf8 u: UnsafeBufferPointer<UInt8>) {
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D,
              let y = digits(u, 0, 4), let m = digits(u, 5, 2), let d = digits(u, 8, 2) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var yearMonth: YearMonth { YearMonth(unchecked: year, month) }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        String(unsafeUninitializedCapacity: 10) { b in write(into: b); return 10 }
    }

    /// Writes `YYYY-MM-DD` into the first 10 bytes of `b`.
    @inline(__always) func write(into b: UnsafeMutableBufferPointer<UInt8>) {
        putDigits(year, 4, b, 0); b[4] = 0x2D; putDigits(month, 2, b, 5); b[7] = 0x2D; putDigits(day, 2, b, 8)
    }
}

/// A calendar month (`YYYY-MM`): the period a member-month is billed for.
public struct YearMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    init(unchecked year: Int, _ month: Int) { self.year = year; self.month = month }

    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year; self.month = month
    }

    /// Parses exactly `YYYY-MM`.
    public init?(_ text: some StringProtocol) {
        guard let m = String(text).withUTF8Bytes({ YearMonth(utf8: $0) }) else { return nil }
        self = m
    }

    /// Parses exactly `YYYY-MM` from UTF-8 bytes.
    public init?(utf8 u: UnsafeBufferPointer<UInt8>) {
        guard u.count == 7, u[4] == 0x2D, let y = digits(u, 0, 4), let m = digits(u, 5, 2) else { return nil }
        self.init(year: y, month: m)
    }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var firstDay: CivilDate { CivilDate(year: year, month: month, day: 1)! }
    public var lastDay: CivilDate { CivilDate(year: year, month: month, day: YearMonth.daysIn(year: year, month: month))! }
    public func contains(_ date: CivilDate) -> Bool { date.year == year && date.month == month }

    /// The month `n` months later (earlier when negative).
    public func advanced(by n: Int) -> YearMonth {
        let index = year * 12 + (month - 1) + n
        return YearMonth(unchecked: index / 12, index % 12 + 1)
    }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
    public var description: String {
        String(unsafeUninitializedCapacity: 7) { b in write(into: b); return 7 }
    }

    /// Writes `YYYY-MM` into the first 7 bytes of `b`.
    @inline(__always) func write(into b: UnsafeMutableBufferPointer<UInt8>) {
        putDigits(year, 4, b, 0); b[4] = 0x2D; putDigits(month, 2, b, 5)
    }
}

/// Minutes after midnight from `HH:MM` (00:00–23:59).
func parseClockTime(_ text: some StringProtocol) -> Int? {
    String(text).withUTF8Bytes { parseClockTime(utf8: $0) }
}

/// Minutes after midnight of `HH:MM` (00:00 to 23:59) in UTF-8 bytes.
func parseClockTime(utf8 u: UnsafeBufferPointer<UInt8>) -> Int? {
    guard u.count == 5, u[2] == 0x3A, let h = digits(u, 0, 2), let m = digits(u, 3, 2), h < 24, m < 60 else { return nil }
    return h * 60 + m
}

extension String {
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var s = self
        return s.withUTF8(body)
    }
}

/// The value of `count` (at most 4) ASCII digits from `start`, or nil if any byte is not a digit.
@inline(__always) private func digits(_ u: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
    var v = 0
    for i in start..<(start + count) {
        let d = u[i] &- 0x30  // below "0" wraps above 9
        guard d <= 9 else { return nil }
        v = v &* 10 &+ Int(d)
    }
    return v
}

/// How many decimal digits a non-negative `v` has.
@inline(__always) func decimalWidth(_ v: Int) -> Int {
    var width = 1, rest = v
    while rest >= 10 { width += 1; rest /= 10 }
    return width
}

/// Writes `v` (0 ≤ v < 10^width, as years 1–9999 and months and days are) as `width` zero-padded digits.
@inline(__always) func putDigits(_ v: Int, _ width: Int, _ b: UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
    var v = v
    for i in stride(from: at + width - 1, through: at, by: -1) {
        b[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
        v /= 10
    }
}

func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
