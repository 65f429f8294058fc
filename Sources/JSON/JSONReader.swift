/// Malformed JSON: where (byte offset from 0) and why. Becomes a `400`.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public let offset: Int
    public let reason: String
    @inlinable public init(offset: Int, reason: String) { self.offset = offset; self.reason = reason }
}

/// The kind of the next JSON value, from its first byte.
public enum JSONKind: Sendable, Equatable {
    case object, array, string, number, bool, null

    @inlinable public var noun: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// A string value or member name as it sits in the input: the bytes between its quotes, already
/// checked (escapes, UTF-8). Without escapes (the common case) those bytes are the value, compared and
/// parsed in place; with escapes the value is decoded when asked for. A plain value, nothing to
/// release, valid only while the reader's input is. Compare it with string literals in `switch` (`~=`).
public struct JSONStringRef {
    /// The bytes between the quotes, exactly as sent.
    @usableFromInline let raw: UnsafeBufferPointer<UInt8>
    @usableFromInline let escaped: Bool

    @inlinable init(raw: UnsafeBufferPointer<UInt8>, escaped: Bool) { self.raw = raw; self.escaped = escaped }

    /// The value (escapes decoded).
    @inlinable public var string: String {
        guard escaped, let base = raw.baseAddress else { return String(decoding: raw, as: UTF8.self) }
        // Read again, quotes included: it was checked when first read, so this cannot fail.
        var r = JSONReader(UnsafeBufferPointer(start: base - 1, count: raw.count + 2))
        return (try? r.readEscapedValue()) ?? ""
    }

    /// Its UTF-8 bytes.
    @inlinable @inline(__always) public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if !escaped { return body(raw) }
        var s = string
        return s.withUTF8(body)
    }

    @inlinable public static func ~= (pattern: StaticString, value: JSONStringRef) -> Bool {
        if !value.escaped {  // the common case, without closures
            let n = pattern.utf8CodeUnitCount
            guard value.raw.count == n else { return false }
            let p = pattern.utf8Start
            for i in 0..<n where value.raw[i] != p[i] { return false }
            return true
        }
        return pattern.withUTF8Buffer { p in value.withBytes { sameBytes(p, $0) } }
    }
}

/// The number of leading bytes from `start` that need no attention inside a JSON string: not `"`, not `\\`,
/// not a control character, not non-ASCII. Eight bytes at a time (SWAR), then byte by byte.
@inlinable @inline(__always) func plainStringPrefix(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
    let quotes = ones &* 0x22, backslashes = ones &* 0x5C, spaces = ones &* 0x20
    var i = start
    if let base = p.baseAddress {
        while i + 8 <= p.count {
            let x = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            // A byte's high bit ends up set when it is a quote, a backslash, below 0x20 or above 0x7F
            // (borrows only ever mark bytes after such a byte), so the lowest marked byte is the first
            // such byte.
            let t = ((x ^ quotes) &- ones) | ((x ^ backslashes) &- ones) | (x &- spaces) | x
            let marked = t & highs
            if marked != 0 {
                #if _endian(little)
                    return i + marked.trailingZeroBitCount / 8 - start
                #else
                    break  // the byte loop below finds it
                #endif
            }
            i += 8
        }
    }
    while i < p.count {
        let c = p[i]
        if c == 0x22 || c == 0x5C || c < 0x20 || c >= 0x80 { break }
        i += 1
    }
    return i - start
}

/// A forward-only pull reader over UTF-8 JSON bytes (RFC 8259).
///
/// Decoders read the bytes once, straight into their model, and skip what they do not know.
/// The reader never allocates except for the strings it returns. Nesting is bounded by `maxDepth`.
public struct JSONReader: ~Copyable {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline var position: Int = 0
    /// How far the reader has read: the byte offset of what comes next.
    @inlinable public var offset: Int { position }
    @usableFromInline var depth = 0
    @usableFromInline let maxDepth: Int

    @inlinable public init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = 64) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Skips a UTF-8 byte-order mark at the start of the input, if there is one.
    public mutating func skipByteOrderMark() {
        if position == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    }

    @usableFromInline func fail(_ reason: String, at: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(offset: at ?? position, reason: reason)
    }

    @inlinable @inline(__always) mutating func skipWhitespace() {
        while position < bytes.count {
            let c = bytes[position]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { position += 1 } else { return }
        }
    }

    /// The kind of the value that starts next; throws at the end of input or on a byte no value starts with.
    @inlinable public mutating func peekKind() throws(JSONSyntaxError) -> JSONKind {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw fail("unexpected character '\(printable(bytes[position]))', expected a value")
        }
    }

    /// Consumes `{`.
    @inlinable public mutating func beginObject() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "{"), "expected '{'")
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
    }

    /// The next member's key (its `:` consumed), or nil after the closing `}`.
    @inlinable public mutating func nextKey(first: inout Bool) throws(JSONSyntaxError) -> String? {
        try nextKeyRef(first: &first)?.string
    }

    /// The next member's key in place (its `:` consumed), or nil after the closing `}`.
    @inlinable @inline(__always) public mutating func nextKeyRef(first: inout Bool) throws(JSONSyntaxError)
        -> JSONStringRef?
    {
        // Fast path, compact JSON: `,"name":` (or `"name":` first) with a plain ASCII name.
        if let base = bytes.baseAddress {
            let end = bytes.count
            var i = position
            if !first && i < end && base[i] == UInt8(ascii: ",") { i += 1 }
            if (i > position || first) && i < end && base[i] == UInt8(ascii: "\"") {
                let start = i + 1
                var j = start
                while j < end {
                    let c = base[j]
                    if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
                    j += 1
                }
                if j + 1 < end && base[j] == UInt8(ascii: "\"") && base[j + 1] == UInt8(ascii: ":") {
                    position = j + 2
                    first = false
                    return JSONStringRef(
                        raw: UnsafeBufferPointer(start: base + start, count: j - start), escaped: false)
                }
            }
        }
        return try nextKeyRefInGeneral(first: &first)
    }

    /// For a decoder that knows its member names: where the next member name's bytes start, when it
    /// follows compactly (`,"` or, for the first member, `"`), and the input from there on. Nothing is
    /// consumed; `consumeMemberName(through:first:)` does once the decoder has matched a name and its `:`.
    @inlinable @inline(__always) public func compactMemberName(first: Bool) -> (
        at: Int, rest: UnsafeBufferPointer<UInt8>
    )? {
        guard let base = bytes.baseAddress else { return nil }
        var i = position
        if !first {
            guard i < bytes.count, base[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
        guard i < bytes.count, base[i] == UInt8(ascii: "\"") else { return nil }
        return (i + 1, UnsafeBufferPointer(start: base + i + 1, count: bytes.count - i - 1))
    }

    /// Consumes a compact member name matched after `compactMemberName`: up to `end` (just past its `:`).
    @inlinable @inline(__always) public mutating func consumeMemberName(through end: Int, first: inout Bool) {
        position = end
        first = false
    }

    /// Fast path for a string value sent compactly: when the next byte opens a string of plain ASCII
    /// without escapes, reads it in place; otherwise returns nil and reads nothing (the caller then takes
    /// the general path, which handles whitespace, escapes, other kinds and errors alike).
    @inlinable @inline(__always) public mutating func plainStringRef() -> JSONStringRef? {
        guard let (value, end) = peekPlainString() else { return nil }
        position = end
        return JSONStringRef(raw: value, escaped: false)
    }

    /// Like `plainStringRef`, without consuming: the string and where it ends, for a caller that reads
    /// it (`consume(through:)`) only when its value is one it accepts, and otherwise lets the general
    /// path read it again and report why not.
    @inlinable @inline(__always) public func peekPlainString() -> (value: UnsafeBufferPointer<UInt8>, end: Int)? {
        guard let base = bytes.baseAddress, position < bytes.count, base[position] == UInt8(ascii: "\"") else {
            return nil
        }
        let start = position + 1
        // Stops at a quote, an escape, a control byte or non-ASCII.
        let close = start + plainStringPrefix(bytes, from: start)
        guard close < bytes.count, base[close] == UInt8(ascii: "\"") else { return nil }
        return (UnsafeBufferPointer(start: base + start, count: close - start), close + 1)
    }

    @inlinable @inline(__always) public mutating func consume(through end: Int) { position = end }

    /// Fast path for a small non-negative integer sent compactly (`45`, not `45.0`, `4.5e1` or ` 45`);
    /// nil, reading nothing, for anything else.
    @inlinable @inline(__always) public mutating func plainInteger() -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var j = position, value = 0
        let end = min(bytes.count, position + 9)
        guard j < end, base[j] >= UInt8(ascii: "1"), base[j] <= UInt8(ascii: "9") else { return nil }
        while j < end, base[j] >= UInt8(ascii: "0"), base[j] <= UInt8(ascii: "9") {
            value = value * 10 + Int(base[j] &- UInt8(ascii: "0"))
            j += 1
        }
        // What follows must end the number: not another digit (too long here), a fraction or an exponent.
        guard j < bytes.count else { return nil }
        switch base[j] {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"): position = j; return value
        default: return nil
        }
    }

    /// Fast path for `true` or `false` sent as such; nil, reading nothing, for anything else.
    @inlinable @inline(__always) public mutating func plainBool() -> Bool? {
        guard let base = bytes.baseAddress else { return nil }
        let n = bytes.count - position, p = base + position
        if n >= 4 && p[0] == UInt8(ascii: "t") && p[1] == UInt8(ascii: "r") && p[2] == UInt8(ascii: "u")
            && p[3] == UInt8(ascii: "e")
        {
            position += 4
            return true
        }
        if n >= 5 && p[0] == UInt8(ascii: "f") && p[1] == UInt8(ascii: "a") && p[2] == UInt8(ascii: "l")
            && p[3] == UInt8(ascii: "s")
            && p[4] == UInt8(ascii: "e")
        {
            position += 5
            return false
        }
        return nil
    }

    /// `nextKeyRef` for anything else: whitespace, escapes, the end of the object, errors.
    @usableFromInline @inline(never) mutating func nextKeyRefInGeneral(first: inout Bool) throws(JSONSyntaxError)
        -> JSONStringRef?
    {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input inside an object") }
        if bytes[position] == UInt8(ascii: "}") {
            position += 1; depth -= 1
            return nil
        }
        if !first {
            try expect(UInt8(ascii: ","), "expected ',' or '}' in an object")
            skipWhitespace()
        }
        first = false
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw fail("expected a member name in double quotes")
        }
        let key = try readStringRef()
        skipWhitespace()
        try expect(UInt8(ascii: ":"), "expected ':' after a member name")
        return key
    }

    /// Consumes `[`.
    @inlinable public mutating func beginArray() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "["), "expected '['")
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
    }

    /// True when another element follows (its separator consumed); false after the closing `]`.
    @inlinable public mutating func nextElement(first: inout Bool) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input inside an array") }
        if bytes[position] == UInt8(ascii: "]") {
            position += 1; depth -= 1
            return false
        }
        if !first { try expect(UInt8(ascii: ","), "expected ',' or ']' in an array") }
        first = false
        return true
    }

    @inlinable @inline(__always) mutating func expect(_ c: UInt8, _ reason: StaticString) throws(JSONSyntaxError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == c else {
            throw position < bytes.count
                ? fail(reason.description) : fail("unexpected end of input, " + reason.description)
        }
        position += 1
    }

    /// Reads a string value, unescaping and validating UTF-8.
    @inlinable public mutating func readString() throws(JSONSyntaxError) -> String { try readStringRef().string }

    /// Reads a string value in place (see `JSONStringRef`), unescaping and validating UTF-8 when needed.
    @inlinable public mutating func readStringRef() throws(JSONSyntaxError) -> JSONStringRef {
        skipWhitespace()
        let start = position
        try expect(UInt8(ascii: "\""), "expected a string")
        let bodyStart = position
        // Fast path: most strings (every member name here) are short, plain ASCII without escapes.
        if let base = bytes.baseAddress {
            var i = position
            let end = min(bytes.count, position + 32)
            while i < end {
                let c = base[i]
                if c == UInt8(ascii: "\"") {
                    position = i + 1
                    return JSONStringRef(
                        raw: UnsafeBufferPointer(start: base + bodyStart, count: i - bodyStart), escaped: false)
                }
                if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
                i += 1
            }
        }
        var sawNonASCII = false
        while position < bytes.count {
            position += plainStringPrefix(bytes, from: position)
            guard position < bytes.count else { break }
            let c = bytes[position]
            if c >= 0x80 { sawNonASCII = true }
            if c == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[bodyStart..<position])
                position += 1
                // ASCII is valid UTF-8; anything else is checked once here.
                if sawNonASCII && String(validating: slice, as: UTF8.self) == nil {
                    throw fail("invalid UTF-8 in a string", at: start)
                }
                return JSONStringRef(raw: slice, escaped: false)
            }
            if c == UInt8(ascii: "\\") {
                _ = try readEscapedString(from: bodyStart, start: start)  // checks it all; decoded again only if asked
                return JSONStringRef(
                    raw: UnsafeBufferPointer(rebasing: bytes[bodyStart..<(position - 1)]), escaped: true)
            }
            if c < 0x20 { throw fail("control character in a string") }
            position += 1
        }
        throw fail("unterminated string", at: start)
    }

    /// A string known to start here, decoded (used to decode an escaped `JSONStringRef` again).
    @usableFromInline mutating func readEscapedValue() throws(JSONSyntaxError) -> String {
        let start = position
        try expect(UInt8(ascii: "\""), "expected a string")
        return try readEscapedString(from: position, start: start)
    }

    @usableFromInline mutating func readEscapedString(from bodyStart: Int, start: Int) throws(JSONSyntaxError) -> String
    {
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[bodyStart..<position]))
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                position += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw fail("invalid UTF-8 in a string", at: start)
                }
                return s
            }
            if c < 0x20 { throw fail("control character in a string") }
            if c != UInt8(ascii: "\\") { out.append(c); position += 1; continue }
            position += 1
            guard position < bytes.count else { break }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    else {
                        throw fail("unpaired surrogate in a string")
                    }
                    position += 2
                    let low = try readHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate in a string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("unpaired surrogate in a string")
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw fail("invalid escape '\\\(printable(e))'", at: position - 2)
            }
        }
        throw fail("unterminated string", at: start)
    }

    @usableFromInline mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            position += 1
        }
        return v
    }

    /// Reads a number; returns its text and, when it is an integer that fits, its value.
    @inlinable public mutating func readNumber() throws(JSONSyntaxError) -> (text: String, integer: Int?) {
        let (range, integer) = try scanNumber()
        return (String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self), integer)
    }

    /// Reads a number without building its text: its value when it is an integer of at most 18 digits, else nil.
    @inlinable public mutating func readInteger() throws(JSONSyntaxError) -> Int? { try scanNumber().integer }

    /// Checks a number's syntax (RFC 8259 §6) and consumes it; its bytes and, for an integer that fits, its value.
    @usableFromInline mutating func scanNumber() throws(JSONSyntaxError) -> (range: Range<Int>, integer: Int?) {
        skipWhitespace()
        let start = position
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number", at: start) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw fail("leading zero in a number", at: start) }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("invalid number: digits expected after '.'", at: start)
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("invalid number: digits expected in exponent", at: start)
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        guard isInteger && position - start <= 18 else { return (start..<position, nil) }
        var value = 0
        var i = start
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        while i < position { value = value * 10 + Int(bytes[i] &- 0x30); i += 1 }
        return (start..<position, negative ? -value : value)
    }

    @inlinable public mutating func readBool() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "f") {
            if match("false") { return false }
        } else if match("true") {
            return true
        }
        throw fail("invalid literal")
    }

    @inlinable public mutating func readNull() throws(JSONSyntaxError) {
        skipWhitespace()
        guard match("null") else { throw fail("invalid literal") }
    }

    @usableFromInline mutating func match(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard position + n <= bytes.count else { return false }
        let p = word.utf8Start
        for i in 0..<n where bytes[position + i] != p[i] { return false }
        position += n
        return true
    }

    /// Skips one whole value of any kind, checking its syntax.
    @inlinable public mutating func skipValue() throws(JSONSyntaxError) {
        if plainStringRef() != nil { return }  // the usual unknown member: a compact plain string
        switch try peekKind() {
        case .object:
            try beginObject()
            var first = true
            while try nextKeyRef(first: &first) != nil { try skipValue() }
        case .array:
            try beginArray()
            var first = true
            while try nextElement(first: &first) { try skipValue() }
        case .string: _ = try readStringRef()  // checked (escapes, UTF-8), never copied
        case .number: _ = try scanNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    /// Reads one whole value into a tree (for small documents such as config files).
    @inlinable public mutating func readValue() throws(JSONSyntaxError) -> JSONValue {
        switch try peekKind() {
        case .object:
            try beginObject()
            var first = true
            var members: [(String, JSONValue)] = []
            while let key = try nextKey(first: &first) {
                let keyOffset = position
                if members.contains(where: { $0.0 == key }) {
                    throw fail("duplicate member name \"\(key)\"", at: keyOffset)
                }
                members.append((key, try readValue()))
            }
            return .object(members)
        case .array:
            try beginArray()
            var first = true
            var items: [JSONValue] = []
            while try nextElement(first: &first) { items.append(try readValue()) }
            return .array(items)
        case .string: return .string(try readString())
        case .number: return .number(try readNumber().text)
        case .bool: return .bool(try readBool())
        case .null: try readNull(); return .null
        }
    }

    /// Ensures nothing but whitespace follows the value.
    @inlinable public mutating func finish() throws(JSONSyntaxError) {
        skipWhitespace()
        if position < bytes.count { throw fail("unexpected data after the JSON value") }
    }
}

@inlinable @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

@usableFromInline func printable(_ c: UInt8) -> String {
    c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16)
}

/// A parsed JSON value; objects keep member order.
public enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    @inlinable public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let x), .array(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.null, .null): true
        default: false
        }
    }

    /// Parses a whole document.
    @inlinable public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        do {
            return try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
                var reader = JSONReader(buffer)
                let value = try reader.readValue()
                try reader.finish()
                return value
            }
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    @inlinable public var kind: JSONKind {
        switch self {
        case .object: .object
        case .array: .array
        case .string: .string
        case .number: .number
        case .bool: .bool
        case .null: .null
        }
    }
}
