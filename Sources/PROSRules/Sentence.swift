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

    public mutating func append(_ other: Sentence) { other.bytes.withUnsafeBufferPointer { bytes.append(contentsOf: $0) } }

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
        @inline(__always) mutating func appendString(_ s: String) { s.withUTF8Bytes { bytes.append(contentsOf: $0) } }
        public mutating func appendInterpolation(_ s: Sentence) { s.bytes.withUnsafeBufferPointer { bytes.append(contentsOf: $0) } }

        public mutating func appendInterpolation(_ n: Int) {
            if n < 0 { appendString(String(n)); return }
            let width = decimalWidth(n)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: width) { b in
                putDigits(n, width, b, 0)
                bytes.append(contentsOf: UnsafeBufferPointer(b))
            }
        }

        public mutating func appendInterpolation(_ d: CivilDate) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { b in d.write(into: b); bytes.append(contentsOf: UnsafeBufferPointer(b)) }
        }

        public mutating func appendInterpolation(_ m: YearMonth) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 7) { b in m.write(into: b); bytes.append(contentsOf: UnsafeBufferPointer(b)) }
        }

        public mutating func appendInterpolation(_ m: Money) { appendString(m.description) }
    }
}
