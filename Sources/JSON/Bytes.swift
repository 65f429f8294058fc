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

/// Copies `n` bytes. Most of what a writer copies is short (member names, enum values, ids): 4 to 16
/// bytes go as two overlapping word moves, with no call; longer runs go to `memmove`.
@inlinable @inline(__always)
public func copyBytes(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafePointer<UInt8>, _ n: Int) {
    let to = UnsafeMutableRawPointer(dst), from = UnsafeRawPointer(src)
    if n >= 8 && n <= 16 {
        let head = from.loadUnaligned(as: UInt64.self),
            tail = from.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        to.storeBytes(of: head, as: UInt64.self)
        to.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
    } else if n >= 4 && n < 8 {
        let head = from.loadUnaligned(as: UInt32.self),
            tail = from.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        to.storeBytes(of: head, as: UInt32.self)
        to.storeBytes(of: tail, toByteOffset: n - 4, as: UInt32.self)
    } else {
        dst.update(from: src, count: n)
    }
}
