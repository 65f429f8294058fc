/// A CSV reader (RFC 4180) over bytes in memory: fields separated by `,`, records by CRLF, LF or a lone
/// CR; a field that starts with `"` is quoted (`""` inside it is one `"`; commas and line breaks inside
/// it are data); a UTF-8 byte-order mark before the first record is skipped. Lenient where exports
/// differ: a `"` inside an unquoted field is kept as data, and the last record needs no line break.
/// Strict where meaning would be lost: a quoted field must end with `"` followed by a separator,
/// a line break or the end (anything else, or no closing quote, is an error naming the byte).
///
/// Fields are handed out as byte ranges of the input (no copy, no allocation per field); only a
/// quoted field holding `""` needs unescaping, and `CSVField.withValue` does it into a small buffer.
public struct CSVReader {
    public let buffer: UnsafeBufferPointer<UInt8>
    /// Where the next record starts.
    public private(set) var offset: Int

    /// Reads from `offset`: 0 (the default) also skips a UTF-8 byte-order mark; a later offset is a
    /// record's `start` as a previous read reported it, to read that record again.
    public init(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int = 0) {
        self.buffer = buffer
        var start = offset
        if start == 0, buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        self.offset = start
    }

    /// Whether every record has been read.
    public var atEnd: Bool { offset >= buffer.count }

    /// Reads the next record into `fields` (cleared first). A blank line is a record of one empty field.
    /// Returns the byte offset where the record started, or nil at the end of the input.
    public mutating func next(into fields: inout [CSVField]) throws(CSVError) -> Int? {
        fields.removeAll(keepingCapacity: true)
        let b = buffer
        let n = b.count
        var i = offset
        guard i < n else { return nil }
        let recordStart = i
        while true {
            // One field starting at i.
            if i < n && b[i] == 0x22 {
                let open = i
                i += 1
                let start = i
                var escaped = false
                while true {
                    guard i < n else { throw CSVError(offset: open, reason: "a quoted field has no closing quote") }
                    if b[i] == 0x22 {
                        if i + 1 < n && b[i + 1] == 0x22 { escaped = true; i += 2; continue }
                        break
                    }
                    i += 1
                }
                fields.append(CSVField(start: start, end: i, quoted: true, escaped: escaped))
                i += 1  // the closing quote
                if i < n, b[i] != 0x2C, b[i] != 0x0A, b[i] != 0x0D {
                    throw CSVError(offset: i, reason: "a closing quote must be followed by a comma or a line break")
                }
            } else {
                let start = i
                while i < n {
                    let c = b[i]
                    if c == 0x2C || c == 0x0A || c == 0x0D { break }
                    i += 1
                }
                fields.append(CSVField(start: start, end: i, quoted: false, escaped: false))
            }
            // After a field: a comma (another field follows), a line break or the end.
            if i < n && b[i] == 0x2C { i += 1; continue }
            if i < n && b[i] == 0x0D {
                i += 1
                if i < n && b[i] == 0x0A { i += 1 }
            } else if i < n && b[i] == 0x0A {
                i += 1
            }
            offset = i
            return recordStart
        }
    }
}

/// A field of a record: a byte range of the input (inside the quotes when quoted).
public struct CSVField: Sendable, Equatable {
    public var start: Int
    public var end: Int
    /// The field was quoted.
    public var quoted: Bool
    /// The field holds `""` pairs, each meaning one `"`.
    public var escaped: Bool

    public init(start: Int, end: Int, quoted: Bool, escaped: Bool) {
        self.start = start; self.end = end; self.quoted = quoted; self.escaped = escaped
    }

    public var isEmpty: Bool { start == end }

    /// Calls `body` with the field's value (unescaped), valid during the call.
    @inlinable
    public func withValue<R>(
        in buffer: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        let raw = UnsafeBufferPointer(rebasing: buffer[start..<end])
        guard escaped else { return try body(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            out.append(raw[i])
            i += raw[i] == 0x22 ? 2 : 1
        }
        return try out.withUnsafeBufferPointer(body)
    }

    /// The field's value as bytes.
    public func bytes(in buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] { withValue(in: buffer) { Array($0) } }
}

/// Malformed CSV: the byte offset and why.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public init(offset: Int, reason: String) { self.offset = offset; self.reason = reason }
    public var description: String { "byte \(offset): \(reason)" }
}

/// Writes CSV cells (RFC 4180): quoted when they hold a comma, a quote or a line break.
public enum CSVWriter {
    /// Appends one cell. With `guardFormulas`, a cell that a spreadsheet would run as a formula (it
    /// starts with `=`, `+`, `-`, `@`, a tab or a CR) is prefixed with `'` (OWASP, "CSV Injection").
    public static func appendCell(_ value: some StringProtocol, to out: inout [UInt8], guardFormulas: Bool = true) {
        var utf8 = Array(value.utf8)
        if guardFormulas, let first = utf8.first,
            first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
                || first == UInt8(ascii: "@") || first == 0x09 || first == 0x0D
        {
            utf8.insert(UInt8(ascii: "'"), at: 0)
        }
        let needsQuotes = utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { out.append(contentsOf: utf8); return }
        out.append(0x22)
        for c in utf8 {
            if c == 0x22 { out.append(0x22) }
            out.append(c)
        }
        out.append(0x22)
    }

    /// Appends a record: cells separated by commas, ended by CRLF (RFC 4180 §2).
    public static func appendRecord(_ cells: [String], to out: inout [UInt8], guardFormulas: Bool = true) {
        for (i, c) in cells.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendCell(c, to: &out, guardFormulas: guardFormulas)
        }
        out.append(0x0D)
        out.append(0x0A)
    }
}
