/// A finding's plain-language message, built from a string literal with interpolations straight into
/// one byte buffer sized up front. Swift's `String` interpolation grows and re-checks a `String` at every
/// piece; messages are written for every finding of every member-month, so this matters at volume.
/// Numbers, dates, months and amounts are written as their `description` would.
public struct Sentence: ExpressibleByStringInterpolation, CustomStringConvertible, Sendable {
    public private(set) var bytes: [UInt8]

    public init() { bytes = [] }
    /// An empty sentence with room for `capacity` bytes.
    public init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }
    public init(stringLiteral value: StaticString) {
        bytes = value.withUTF8Buffer { Array($0) }
    }
    public init(stringInterpolation: Interpolation) { bytes = stringInterpolation.bytes }

    public var description: String { String(decoding: bytes, as: UTF8.self) }
    public var isEmpty: Bool { bytes.isEmpty }
    public mutating func reserveCapacity(_ n: Int) { bytes.reserveCapacity(n) }

    public mutating func append(_ other: Sentence) { bytes += other.bytes }
    public mutating func append(_ text: String) { appendUTF8(of: text, to: &bytes) }
    public mutating func append(number n: Int) { appendNumber(n, to: &bytes) }
    public mutating func append(grouped amount: Money) { amount.write(to: &bytes, grouped: true) }
    public mutating func append(literal: StaticString) { literal.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    /// Makes a first lowercase ASCII letter uppercase.
    public mutating func capitalizeFirst() {
        if let first = bytes.first, first >= 0x61, first <= 0x7A { bytes[0] = first - 0x20 }
    }

    public struct Interpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = StaticString
        var bytes: [UInt8]

        public init(literalCapacity: Int, interpolationCount: Int) {
            bytes = []
            // An interpolation is often a list of ids or another sentence: room for 48 bytes each, and 128
            // at least (as cheap to allocate as 64), so that a message is one allocation, not two or three.
            bytes.reserveCapacity(max(128, literalCapacity + 48 * interpolationCount))
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }
        public mutating func appendInterpolation(_ s: String) { appendUTF8(of: s, to: &bytes) }
        public mutating func appendInterpolation(_ s: Sentence) { bytes += s.bytes }

        public mutating func appendInterpolation(_ n: Int) { appendNumber(n, to: &bytes) }

        public mutating func appendInterpolation(_ d: CivilDate) {
            appendDigits(d.year, 4, to: &bytes); bytes.append(0x2D)
            appendDigits(d.month, 2, to: &bytes); bytes.append(0x2D)
            appendDigits(d.day, 2, to: &bytes)
        }

        public mutating func appendInterpolation(_ m: YearMonth) {
            appendDigits(m.year, 4, to: &bytes); bytes.append(0x2D)
            appendDigits(m.month, 2, to: &bytes)
        }

        public mutating func appendInterpolation(_ m: Money) { m.write(to: &bytes) }
        /// An amount as a person reads it: `1,187.21`.
        public mutating func appendInterpolation(grouped m: Money) { m.write(to: &bytes, grouped: true) }

        /// Names with a separator between them: `\(["4518", "4525"], separator: ", ")` is "4518, 4525".
        public mutating func appendInterpolation(_ names: [String], separator: StaticString) {
            for (i, name) in names.enumerated() {
                if i > 0 { appendLiteral(separator) }
                appendUTF8(of: name, to: &bytes)
            }
        }

        /// Components by name with a separator between them: "IR and ORS".
        mutating func appendInterpolation(_ components: [Component], separator: StaticString) {
            for (i, c) in components.enumerated() {
                if i > 0 { appendLiteral(separator) }
                appendUTF8(of: c.rawValue, to: &bytes)
            }
        }
    }
}

/// Appends a String's UTF-8 in one copy when it is stored contiguously (as native strings are), rather
/// than through the generic sequence path, which costs several times more for the short ids and codes
/// that sentences name.
@inline(__always) func appendUTF8(of text: String, to bytes: inout [UInt8]) {
    if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
        bytes.append(contentsOf: text.utf8)
    }
}

/// An integer in decimal, as its `description` would write it.
func appendNumber(_ n: Int, to bytes: inout [UInt8]) {
    if n < 0 { bytes.append(contentsOf: String(n).utf8) } else { appendDecimal(n, to: &bytes) }
}
