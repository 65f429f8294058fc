/// Appends compact JSON to a byte buffer. Callers keep the structure balanced; the writer places commas.
///
/// The bytes live in one growable allocation written through a pointer: each value reserves its room
/// once, then stores bytes without the per-append checks of `Array` (encoding is a quarter of pricing a
/// member-month). Noncopyable: one owner, freed when it goes, so no reference counting at all.
public struct JSONWriter: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var count = 0
    @usableFromInline var needsComma = false
    /// False while the writer fills memory it was lent (`makeBytes`); it owns what it grows into.
    @usableFromInline var ownsBase = true

    @inlinable public init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inlinable init(lending base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
        ownsBase = false
    }

    deinit { if ownsBase { base.deallocate() } }

    /// The JSON written so far.
    @inlinable public var bytes: [UInt8] { withBytes { Array($0) } }

    /// The bytes `write` produces, written straight into the new array's storage: no copy of the whole
    /// answer afterwards, as `bytes` makes. When `capacity` turns out too small the writer moves to memory
    /// of its own and its bytes are copied once at the end, so any estimate is safe, a good one cheaper.
    @inlinable public static func makeBytes(capacity: Int, _ write: (inout JSONWriter) -> Void) -> [UInt8] {
        var spilled: [UInt8]?
        let bytes = [UInt8](unsafeUninitializedCapacity: max(capacity, 16)) { buffer, initialized in
            var w = JSONWriter(lending: buffer.baseAddress!, capacity: buffer.count)
            write(&w)
            if w.ownsBase {
                spilled = w.bytes
                initialized = 0
            } else {
                initialized = w.count
            }
        }
        return spilled ?? bytes
    }

    @inlinable public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Room for `n` more bytes; returns where they go.
    @inlinable @inline(__always) mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(count + n > capacity) { grow(n) }
        return base + count
    }

    @usableFromInline @inline(never) mutating func grow(_ n: Int) {
        let newCapacity = max(capacity * 2, count + n)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: base, count: count)
        if ownsBase { base.deallocate() }
        ownsBase = true
        base = bigger
        capacity = newCapacity
    }

    /// Appends bytes fixed in the code as they are: a run of JSON punctuation and member names that the
    /// caller knows to be well placed (`,"units":`, say). Commas are the caller's; `needsComma` is set to
    /// `valueEnds` afterwards.
    @inlinable @inline(__always) public mutating func chunk(_ s: StaticString, valueEnds: Bool = false) {
        let n = s.utf8CodeUnitCount
        copyBytes(reserve(n), s.utf8Start, n)
        count += n
        needsComma = valueEnds
    }

    @inlinable @inline(__always) mutating func put(_ byte: UInt8) {
        reserve(1).pointee = byte
        count += 1
    }

    @inlinable @inline(__always) mutating func put(_ u: UnsafeBufferPointer<UInt8>) {
        guard let src = u.baseAddress, !u.isEmpty else { return }
        copyBytes(reserve(u.count), src, u.count)
        count += u.count
    }

    /// Appends a byte (a newline after a log line, say) outside the JSON structure.
    @inlinable public mutating func appendByte(_ byte: UInt8) { put(byte) }

    @inlinable @inline(__always) public mutating func separate() {
        if needsComma { put(UInt8(ascii: ",")) }
    }

    @inlinable public mutating func beginObject() { separate(); put(UInt8(ascii: "{")); needsComma = false }
    @inlinable public mutating func endObject() { put(UInt8(ascii: "}")); needsComma = true }
    @inlinable public mutating func beginArray() { separate(); put(UInt8(ascii: "[")); needsComma = false }
    @inlinable public mutating func endArray() { put(UInt8(ascii: "]")); needsComma = true }

    /// Writes `"name":` for a name fixed in the code (plain ASCII, copied as is); the value written next belongs to it.
    @inlinable @inline(__always) public mutating func key(_ name: StaticString) {
        putQuoted(name.utf8Start, name.utf8CodeUnitCount, colon: true)
        needsComma = false
    }

    /// Writes a string fixed in the code (plain ASCII: no escaping needed) as a JSON string value.
    @inlinable public mutating func plain(_ value: StaticString) { quoted(value.utf8Start, value.utf8CodeUnitCount) }

    /// Writes a string known to need no escaping (an enum's raw value: plain ASCII) as a JSON string.
    @inlinable @inline(__always) public mutating func plainString(_ value: String) {
        value.withUTF8Bytes { quoted($0.baseAddress, $0.count) }
    }

    /// `n` bytes that need no escaping, as a JSON string value (its comma first when one is due).
    @inlinable @inline(__always) public mutating func quoted(_ source: UnsafePointer<UInt8>?, _ n: Int) {
        putQuoted(source, n, colon: false)
        needsComma = true
    }

    /// The comma when one is due, then `"…"` around `n` bytes copied as they are, then `:` for a member
    /// name: one reservation for all of it.
    @inlinable @inline(__always) mutating func putQuoted(_ source: UnsafePointer<UInt8>?, _ n: Int, colon: Bool) {
        let p = reserve(n + 4)
        var i = 0
        if needsComma { p[0] = UInt8(ascii: ","); i = 1 }
        p[i] = UInt8(ascii: "\"")
        if let source { copyBytes(p + i + 1, source, n) }
        p[i + n + 1] = UInt8(ascii: "\"")
        if colon { p[i + n + 2] = UInt8(ascii: ":") }
        count += i + n + (colon ? 3 : 2)
    }

    /// Writes `"name":` for a name known only at run time (escaped as needed).
    @inlinable public mutating func key(dynamic name: String) {
        separate()
        appendQuoted(name)
        put(UInt8(ascii: ":"))
        needsComma = false
    }

    @inlinable public mutating func string(_ value: String) { separate(); appendQuoted(value); needsComma = true }
    /// A string value given as its (valid) UTF-8 bytes.
    @inlinable public mutating func string(utf8 value: [UInt8]) {
        separate()
        value.withUnsafeBufferPointer { appendQuoted(utf8: $0) }
        needsComma = true
    }
    @inlinable public mutating func int(_ value: Int) { separate(); appendDecimal(value); needsComma = true }

    /// A fixed-point number as a JSON string value with two decimals: 118721 is `"1187.21"`, -5 is `"-0.05"`
    /// (amounts in cents, written as text so no reader takes them for binary floating point).
    @inlinable public mutating func hundredthsString(_ value: Int64) {
        separate()
        put(UInt8(ascii: "\""))
        if value < 0 { put(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        appendDecimal(Int(magnitude / 100))
        let p = reserve(3)
        p[0] = UInt8(ascii: ".")
        putDigits(Int(magnitude % 100), 2, UnsafeMutableBufferPointer(start: p, count: 3), 1)
        count += 3
        put(UInt8(ascii: "\""))
        needsComma = true
    }

    @usableFromInline mutating func appendDecimal(_ value: Int) {
        if value >= 0 && value < 100 {  // most numbers of an answer are units: one or two digits
            let p = reserve(2)
            if value < 10 {
                p[0] = UInt8(truncatingIfNeeded: 0x30 + value)
                count += 1
            } else {
                p[0] = UInt8(truncatingIfNeeded: 0x30 + value / 10)
                p[1] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
                count += 2
            }
            return
        }
        if value < 0 {
            guard value != .min else { String(value).withUTF8Bytes { put($0) }; return }
            put(UInt8(ascii: "-"))
            appendDecimal(-value)
            return
        }
        let width = decimalWidth(value)
        putDigits(value, width, UnsafeMutableBufferPointer(start: reserve(width), count: width), 0)
        count += width
    }
    @inlinable public mutating func bool(_ value: Bool) { separate(); chunk(value ? "true" : "false", valueEnds: true) }
    @inlinable public mutating func null() { separate(); chunk("null", valueEnds: true) }
    @inlinable public mutating func optionalString(_ value: String?) { if let value { string(value) } else { null() } }

    /// Appends an already-encoded JSON value verbatim.
    @inlinable public mutating func raw(_ json: [UInt8]) {
        separate(); json.withUnsafeBufferPointer { put($0) }; needsComma = true
    }

    @inlinable public mutating func field(_ name: StaticString, _ value: String) { key(name); string(value) }
    @inlinable public mutating func field(_ name: StaticString, _ value: Int) { key(name); int(value) }
    @inlinable public mutating func field(_ name: StaticString, _ value: Bool) { key(name); bool(value) }
    @inlinable public mutating func field(_ name: StaticString, optional value: String?) {
        key(name); optionalString(value)
    }

    @inlinable public mutating func stringArray(_ name: StaticString, _ values: [String]) {
        key(name)
        beginArray()
        for v in values { string(v) }
        endArray()
    }

    @inlinable public mutating func value(_ v: JSONValue) {
        switch v {
        case .object(let members):
            beginObject()
            for (k, x) in members { key(dynamic: k); value(x) }
            endObject()
        case .array(let items):
            beginArray()
            for x in items { value(x) }
            endArray()
        case .string(let s): string(s)
        case .number(let n): separate(); n.withUTF8Bytes { put($0) }; needsComma = true
        case .bool(let b): bool(b)
        case .null: null()
        }
    }

    @usableFromInline mutating func appendQuoted(_ s: String) { s.withUTF8Bytes { appendQuoted(utf8: $0) } }

    /// Writes valid UTF-8 as a JSON string, escaping what must be.
    ///
    /// Checked and copied in one pass, eight bytes at a time while none of them needs escaping (none is a
    /// quote, a backslash or below 0x20; non-ASCII bytes need nothing). An answer quotes sixty-odd strings,
    /// ids of eight bytes to messages of two hundred; one pass rather than a scan (`plainStringPrefix`,
    /// which also stops at non-ASCII for the reader's sake) and then a copy saves about 0.9k instructions
    /// a request.
    @usableFromInline mutating func appendQuoted(utf8 u: UnsafeBufferPointer<UInt8>) {
        let n = u.count
        let p = reserve(n + 2)  // the bytes as they are and both quotes; an escape makes its own room
        p[0] = UInt8(ascii: "\"")
        var i = 0
        if let src = u.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while i + 8 <= n {
                let x = UnsafeRawPointer(src + i).loadUnaligned(as: UInt64.self)
                // A byte's high bit is set in `m` when some byte is a quote, a backslash or below 0x20
                // (zero-byte tests on x ^ quotes, x ^ backslashes and x - 0x20 each; exact as to whether).
                let q = x ^ (ones &* 0x22), b = x ^ (ones &* 0x5C)
                let m = ((q &- ones) & ~q | (b &- ones) & ~b | (x &- ones &* 0x20) & ~x) & highs
                if m != 0 { break }
                UnsafeMutableRawPointer(p + 1 + i).storeBytes(of: x, as: UInt64.self)
                i += 8
            }
        }
        while i < n {
            let c = u[i]
            if c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { break }
            p[1 + i] = c
            i += 1
        }
        if i == n {
            p[1 + n] = UInt8(ascii: "\"")
            count += n + 2
            return
        }
        count += 1 + i  // the quote and the plain part; the rest, from the first byte to escape, one by one
        for c in u[i...] {
            switch c {
            case UInt8(ascii: "\""): put(0x5C); put(c)
            case UInt8(ascii: "\\"): put(0x5C); put(c)
            case 0x0A: put(0x5C); put(UInt8(ascii: "n"))
            case 0x0D: put(0x5C); put(UInt8(ascii: "r"))
            case 0x09: put(0x5C); put(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                for b in [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]] { put(b) }
            default: put(c)
            }
        }
        put(UInt8(ascii: "\""))
    }
}
