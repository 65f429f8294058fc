import JSON
import PROSRules

// The byte-level halves of dates, months and clock times: parsed from and written to the JSON bytes in
// place, without building a String (the decoder and encoder do this for every service of every month).

extension CivilDate {
    /// Parses exactly `YYYY-MM-DD` from UTF-8 bytes.
    @inline(__always) init?(utf8 u: UnsafeBufferPointer<UInt8>) {
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D,
            let y = digits(u, 0, 4), let m = digits(u, 5, 2), let d = digits(u, 8, 2)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Writes `YYYY-MM-DD` into the first 10 bytes of `b`.
    @inline(__always) func write(into b: UnsafeMutableBufferPointer<UInt8>) {
        putDigits(year, 4, b, 0); b[4] = 0x2D; putDigits(month, 2, b, 5); b[7] = 0x2D; putDigits(day, 2, b, 8)
    }
}

extension YearMonth {
    /// Parses exactly `YYYY-MM` from UTF-8 bytes.
    init?(utf8 u: UnsafeBufferPointer<UInt8>) {
        guard u.count == 7, u[4] == 0x2D, let y = digits(u, 0, 4), let m = digits(u, 5, 2) else { return nil }
        self.init(year: y, month: m)
    }

    /// Writes `YYYY-MM` into the first 7 bytes of `b`.
    @inline(__always) func write(into b: UnsafeMutableBufferPointer<UInt8>) {
        putDigits(year, 4, b, 0); b[4] = 0x2D; putDigits(month, 2, b, 5)
    }
}

/// Minutes after midnight of `HH:MM` (00:00 to 23:59) in UTF-8 bytes.
func parseClockTime(utf8 u: UnsafeBufferPointer<UInt8>) -> Int? {
    guard u.count == 5, u[2] == 0x3A, let h = digits(u, 0, 2), let m = digits(u, 3, 2), h < 24, m < 60 else {
        return nil
    }
    return h * 60 + m
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

extension JSONWriter {
    /// Writes a date as the JSON string `"YYYY-MM-DD"`, straight from its numbers.
    mutating func date(_ d: CivilDate) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { b in
            d.write(into: b); quoted(b.baseAddress, 10)
        }
    }

    /// Writes a month as the JSON string `"YYYY-MM"`.
    mutating func month(_ m: YearMonth) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 7) { b in
            m.write(into: b); quoted(b.baseAddress, 7)
        }
    }
}
