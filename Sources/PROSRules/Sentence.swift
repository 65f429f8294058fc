/// A finding's plain-language message, built from a string literal with interpolations straight into
/// one byte buffer sized up front. Swift's `String` interpolation grows and re-checks a `String` at every
/// piece; messages are written for every finding of every member-month, so this matters at volume.
/// Numbers, dates, months and amounts are written as their `description` would.
public struct Sentence: ExpressibleByStringInterpolation, CustomStringConvertible {
    var bytes: [UInt8]

    public init() { bytes = [] }
    public init(stringLiteral value: StaticString) {
        bytes = Array(UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
    }
    public init(stringInterpolation: Interpolation) { bytes = stringInterpolation.bytes }

    public var description: String { String(decoding: bytes, as: UTF8.self) }
    public var isEmpty: Bool { bytes.isEmpty }

    public mutating func append(_ other: Sentence) { bytes.append(contentsOf: other.bytes) }

    public struct Interpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = StaticString
        var bytes: [UInt8]

        public init(literalCapacity: Int, interpolationCount: Int) {
            bytes = []
            bytes.reserveCapacity(literalCapacity + 12 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }
        public mutating func appendInterpolation(_ s: String) { appendString(s) }

        /// A String's bytes in one copy (`append(contentsOf: s.utf8)` would go byte by byte).
        @inline(__always) mutating func appendString(_ s: String) {
            if s.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil { bytes.append(contentsOf: s.utf8) }
        }
        public mutating func appendInterpolation(_ s: Sentence) { bytes.append(contentsOf: s.bytes) }

        public mutating func appendInterpolation(_ n: Int) {
            if n < 0 { appendString(String(n)); return }
            var digits = 1, v = n
            while v >= 10 { digits += 1; v /= 10 }
            let at = bytes.count
            bytes.append(contentsOf: repeatElement(0x30, count: digits))
            v = n
            for i in stride(from: at + digits - 1, through: at, by: -1) {
                bytes[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                v /= 10
            }
        }

        public mutating func appendInterpolation(_ d: CivilDate) {
            appendPadded(d.year, 4); bytes.append(0x2D); appendPadded(d.month, 2); bytes.append(0x2D); appendPadded(d.day, 2)
        }

        public mutating func appendInterpolation(_ m: YearMonth) {
            appendPadded(m.year, 4); bytes.append(0x2D); appendPadded(m.month, 2)
        }

        public mutating func appendInterpolation(_ m: Money) { appendString(m.description) }

        mutating func appendPadded(_ v: Int, _ width: Int) {
            var div = 1
            for _ in 1..<width { div *= 10 }
            var v = v
            while div > 0 { bytes.append(UInt8(truncatingIfNeeded: 0x30 + (v / div) % 10)); v %= div * 10; div /= 10 }
        }
    }
}
