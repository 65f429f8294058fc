import JSON
import PROSRules
import PROSWire
import PROSService
import Testing

/// NDJSON splitting and batch pricing, fed in pieces as a socket delivers them.
@Suite struct BatchTests {
    enum Piece: Equatable {
        case line(String)
        case tooLong
    }

    static func split(_ text: String, cuts: [Int], max: Int) -> [Piece] {
        let bytes = Array(text.utf8)
        var splitter = LineSplitter(maxLineBytes: max)
        var out: [Piece] = []
        let emit: (LineSplitter.Line) -> Void = {
            switch $0 {
            case let .complete(b): out.append(.line(String(decoding: b, as: UTF8.self)))
            case .tooLong: out.append(.tooLong)
            }
        }
        var start = 0
        for end in cuts + [bytes.count] where end >= start {
            bytes[start..<end].withUnsafeBytes { splitter.feed($0, emit) }
            start = end
        }
        splitter.finish(emit)
        return out
    }

    @Test func linesAreTheSameWhereverTheInputIsCut() {
        let text = "abc\r\n\n12345\nxy\r\nlast"
        let whole = Self.split(text, cuts: [], max: 5)
        #expect(whole == [.line("abc"), .line(""), .line("12345"), .line("xy"), .line("last")])
        for i in 0...text.utf8.count {
            #expect(Self.split(text, cuts: [i], max: 5) == whole, "cut at \(i)")
        }
        #expect(Self.split(text, cuts: Array(0...text.utf8.count), max: 5) == whole, "byte at a time")
    }

    @Test(arguments: [("12345\n", [Piece.line("12345")]), ("123456\n", [.tooLong]), ("12345\r\n", [.line("12345")]),
                      ("123456\r\n", [.tooLong]), ("1234567890123\nok\n", [.tooLong, .line("ok")]), ("123456", [.tooLong])])
    func theLineLimitAtNAndNPlusOne(text: String, expected: [Piece]) {
        #expect(Self.split(text, cuts: [], max: 5) == expected)
        for i in 0...text.utf8.count { #expect(Self.split(text, cuts: [i], max: 5) == expected, "cut at \(i)") }
    }

    @Test func batchLinesAreNumberedByPhysicalLineAndBlankLinesSkipped() throws {
        let month = try fixtureRequest("jorge")
        let input = month + Array("\n\n   \n{bad\n".utf8) + month
        var batch = BatchPricer(pricer: Pricer(book: RuleBook.builtIn()), maxLineBytes: 1 << 20)
        var out: [UInt8] = []
        for i in stride(from: 0, to: input.count, by: 7) {
            input[i..<min(i + 7, input.count)].withUnsafeBytes { batch.feed($0, into: &out) }
        }
        batch.finish(into: &out)
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix(#"{"line":1,"result":"#))
        #expect(lines[1].hasPrefix(#"{"line":4,"error":{"type":"urn:pros-pricer:problem:malformed-json""#))
        #expect(lines[2].hasPrefix(#"{"line":5,"result":"#))
    }
}
