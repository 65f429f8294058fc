/// A calendar date with no time zone (`YYYY-MM-DD`), as claims use them.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    @inlinable public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= YearMonth.daysIn(year: year, month: month)
        else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D,
            let y = digits(u, 0, 4), let m = digits(u, 5, 2), let d = digits(u, 8, 2)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// A number that orders dates as the calendar does (not a count of days).
    @inlinable public var dayNumber: Int { (year * 100 + month) * 100 + day }

    @inlinable public var yearMonth: YearMonth { YearMonth(unchecked: year, month) }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        var b: [UInt8] = []
        appendDigits(year, 4, to: &b); b.append(0x2D); appendDigits(month, 2, to: &b); b.append(0x2D)
        appendDigits(day, 2, to: &b)
        return String(decoding: b, as: UTF8.self)
    }
}

/// A calendar month (`YYYY-MM`): the period a member-month is billed for.
public struct YearMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    @inlinable public init(unchecked year: Int, _ month: Int) { self.year = year; self.month = month }

    @inlinable public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year; self.month = month
    }

    /// Parses exactly `YYYY-MM`.
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 7, u[4] == 0x2D, let y = digits(u, 0, 4), let m = digits(u, 5, 2) else { return nil }
        self.init(year: y, month: m)
    }

    @inlinable public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    @inlinable public var firstDay: CivilDate { CivilDate(year: year, month: month, day: 1)! }
    @inlinable public var lastDay: CivilDate {
        CivilDate(year: year, month: month, day: YearMonth.daysIn(year: year, month: month))!
    }
    @inlinable public func contains(_ date: CivilDate) -> Bool { date.year == year && date.month == month }

    /// The month `n` months later (earlier when negative).
    public func advanced(by n: Int) -> YearMonth {
        let index = year * 12 + (month - 1) + n
        return YearMonth(unchecked: index / 12, index % 12 + 1)
    }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
    public var description: String {
        var b: [UInt8] = []
        appendDigits(year, 4, to: &b); b.append(0x2D); appendDigits(month, 2, to: &b)
        return String(decoding: b, as: UTF8.self)
    }
}

/// Minutes after midnight from `HH:MM` (00:00–23:59).
public func parseClockTime(_ text: some StringProtocol) -> Int? {
    let u = Array(text.utf8)
    guard u.count == 5, u[2] == 0x3A, let h = digits(u, 0, 2), let m = digits(u, 3, 2), h < 24, m < 60 else {
        return nil
    }
    return h * 60 + m
}

/// The value of `count` (at most 4) ASCII digits from `start`, or nil if any byte is not a digit.
private func digits(_ u: [UInt8], _ start: Int, _ count: Int) -> Int? {
    var v = 0
    for i in start..<(start + count) {
        let d = u[i] &- 0x30  // below "0" wraps above 9
        guard d <= 9 else { return nil }
        v = v &* 10 &+ Int(d)
    }
    return v
}

/// Appends `v` (0 ≤ v < 10^width) as `width` zero-padded ASCII digits.
func appendDigits(_ v: Int, _ width: Int, to b: inout [UInt8]) {
    func digit(_ d: Int) -> UInt8 { UInt8(truncatingIfNeeded: 0x30 + d % 10) }
    switch width {
    case 2: b.append(digit(v / 10)); b.append(digit(v))
    case 4: b.append(digit(v / 1000)); b.append(digit(v / 100)); b.append(digit(v / 10)); b.append(digit(v))
    default:
        var power = 1
        for _ in 1..<width { power &*= 10 }
        while power > 0 { b.append(digit(v / power)); power /= 10 }
    }
}

/// Appends a non-negative `v` in decimal, as many digits as it has.
func appendDecimal(_ v: Int, to b: inout [UInt8]) {
    var width = 1, rest = v
    while rest >= 10 { width += 1; rest /= 10 }
    appendDigits(v, width, to: &b)
}

func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
