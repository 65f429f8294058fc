// Small byte-level helpers shared by the JSON codec and the codecs built on it.

extension String {
    /// The string's UTF-8 bytes in one contiguous buffer (bridged or small strings are made contiguous).
    @inlinable public func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var s = self
        return s.withUTF8(body)
    }
}

/// How many decimal digits a non-negative `v` has.
@inlinable @inline(__always) public func decimalWidth(_ v: Int) -> Int {
    var width = 1, rest = v
    while rest >= 10 { width += 1; rest /= 10 }
    return width
}

/// Writes `v` (0 ≤ v < 10^width, as years 1–9999 and months and days are) as `width` zero-padded digits.
@inlinable @inline(__always)
public func putDigits(_ v: Int, _ width: Int, _ b: UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
    var v = v
    for i in stride(from: at + width - 1, through: at, by: -1) {
        b[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
        v /= 10
    }
}

/// Byte equality, lengths first.
@inlinable @inline(__always) public func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>)
    -> Bool
{
    guard a.count == b.count else { return false }
    for i in 0..<a.count where a[i] != b[i] { return false }
    return true
}
