import Foundation
import Testing

@testable import JSON

@Suite struct JSONTests {
    @Test(arguments: [
        (#""a\"b\\c\/d\n""#, "a\"b\\c/d\n"), (#""\u00e9\ud83d\ude00""#, "é😀"), (#""plain""#, "plain"), ("\"é\"", "é"),
    ])
    func stringsUnescape(json: String, value: String) throws {
        #expect(try JSONValue.parse(Array(json.utf8)) == .string(value))
    }

    @Test(arguments: [
        #""\ud83d""#, #""\ude00x""#, "\"\u{01}\"", #""abc"#, "01", "-", "1.", "1e", "[1,]", #"{"a" 1}"#,
        #"{"a":1,"a":2}"#,
    ])
    func invalidDocumentsAreRejected(json: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(json.utf8)) }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func nestingIsBounded() {
        #expect(throws: JSONSyntaxError.self) {
            try JSONValue.parse(Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8))
        }
        #expect(throws: Never.self) {
            try JSONValue.parse(Array((String(repeating: "[", count: 60) + String(repeating: "]", count: 60)).utf8))
        }
    }

    /// Every length a copy can take, short paths and `memmove` alike, copies exactly its bytes and no more.
    @Test func copyBytesCopiesExactlyTheBytes() {
        let source = (0..<64).map { UInt8($0 + 1) }
        for n in 0...40 {
            var target = [UInt8](repeating: 0, count: 64)
            source.withUnsafeBufferPointer { from in
                target.withUnsafeMutableBufferPointer { copyBytes($0.baseAddress! + 3, from.baseAddress!, n) }
            }
            #expect(Array(target[3..<3 + n]) == Array(source[0..<n]), "length \(n)")
            #expect(target[0..<3].allSatisfy { $0 == 0 } && target[(3 + n)...].allSatisfy { $0 == 0 }, "length \(n)")
        }
    }

    /// Integers at every width boundary (the one- and two-digit shortcut, the general path, the sign,
    /// the most negative) are written as their decimal text; amounts in hundredths likewise.
    @Test func numbersAreWrittenAsTheirDecimalText() {
        let values = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 123_456_789, -1, -9, -10, -100, Int.max, Int.min]
        var w = JSONWriter()
        w.beginArray()
        for v in values { w.int(v) }
        for cents: Int64 in [0, 5, 99, 100, 118_721, -5, -118_721] { w.hundredthsString(cents) }
        w.endArray()
        let expected =
            "[" + values.map(String.init).joined(separator: ",")
            + #","0.00","0.05","0.99","1.00","1187.21","-0.05","-1187.21"]"#
        #expect(String(decoding: w.bytes, as: UTF8.self) == expected)
    }

    /// Strings of every length to 40 around the eight-byte steps, with a byte to escape (or a non-ASCII
    /// character, which needs none) at every position: the same bytes as escaping one byte at a time.
    @Test func stringsAreQuotedAsByteByByteEscapingWould() throws {
        func reference(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for c in bytes {
                switch c {
                case 0x22, 0x5C: out += [0x5C, c]
                case 0x0A: out += Array(#"\n"#.utf8)
                case 0x0D: out += Array(#"\r"#.utf8)
                case 0x09: out += Array(#"\t"#.utf8)
                case 0..<0x20: out += Array(String(format: "\\u%04x", Int(c)).utf8)
                default: out.append(c)
                }
            }
            return out + [0x22]
        }
        let specials: [[UInt8]] = [[0x22], [0x5C], [0x0A], [0x01], [0x1F], [0x20], [0x7F], Array("é".utf8), [0x21]]
        for length in 0...40 {
            for position in 0...max(0, length - 1) {
                for special in specials {
                    var bytes = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
                    if length > 0 { bytes.replaceSubrange(position..<(position + 1), with: special) }
                    var w = JSONWriter(capacity: 16)  // small: the writer also grows midway
                    bytes.withUnsafeBufferPointer { w.appendQuoted(utf8: $0) }
                    #expect(w.bytes == reference(bytes), "length \(length), \(special) at \(position)")
                    #expect(try JSONValue.parse(w.bytes) == .string(String(decoding: bytes, as: UTF8.self)))
                }
            }
        }
    }

    @Test func theWriterRoundTrips() throws {
        let v = JSONValue.object([("a", .array([.number("1"), .null, .bool(true)])), ("q\"\n\u{1}", .string("x\ty"))])
        var w = JSONWriter()
        w.value(v)
        #expect(try JSONValue.parse(w.bytes) == v)
    }

    /// Written into the array's own storage, or moved to the writer's memory when the estimate is short
    /// (at the first write, midway, at the last byte): the same bytes as a writer of its own makes.
    @Test func makeBytesGivesTheWrittenBytesWhateverTheEstimate() {
        func write(_ w: inout JSONWriter) {
            w.beginObject()
            w.key("items")
            w.beginArray()
            for i in 0..<40 { w.string(String(repeating: "x", count: i)) }
            w.endArray()
            w.endObject()
        }
        var own = JSONWriter()
        write(&own)
        let expected = own.bytes
        for capacity in [0, 1, 16, 17, 100, expected.count - 1, expected.count, expected.count + 1, 8 * expected.count]
        {
            let made = JSONWriter.makeBytes(capacity: capacity, write)
            #expect(
                String(decoding: made, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
                "capacity \(capacity)")
        }
    }
    /// The eight-bytes-at-a-time scan stops exactly where a byte-by-byte scan would, for every special byte at every position.
    @Test func plainStringScanMatchesTheByteByByteRule() {
        func naive(_ b: [UInt8], _ start: Int) -> Int {
            var i = start
            while i < b.count, !(b[i] == 0x22 || b[i] == 0x5C || b[i] < 0x20 || b[i] >= 0x80) { i += 1 }
            return i - start
        }
        for special: UInt8 in [0x22, 0x5C, 0x00, 0x1F, 0x80, 0xFF] {
            for length in 0..<20 {
                for position in 0...length {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if position < length { bytes[position] = special }
                    // neighbours of the special bytes, all plain
                    bytes.append(contentsOf: [0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x20])
                    for start in 0...min(2, bytes.count) {
                        let got = bytes.withUnsafeBufferPointer { plainStringPrefix($0, from: start) }
                        #expect(
                            got == naive(bytes, start), "special \(special) at \(position) of \(length), from \(start)")
                    }
                }
            }
        }
        var w = JSONWriter()
        w.string("0123456789\"tab\tend é")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #""0123456789\"tab\tend é""#)
    }
}
