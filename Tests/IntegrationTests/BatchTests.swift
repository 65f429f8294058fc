import JSON
import PROSRules
import PROSService
import PROSWire
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
            case .complete(let b): out.append(.line(String(decoding: b, as: UTF8.self)))
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

    @Test(arguments: [
        ("12345\n", [Piece.line("12345")]), ("123456\n", [.tooLong]), ("12345\r\n", [.line("12345")]),
        ("123456\r\n", [.tooLong]), ("1234567890123\nok\n", [.tooLong, .line("ok")]), ("123456", [.tooLong]),
    ])
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

    static func splitArray(_ text: String, cuts: [Int], max: Int = 30) -> [String] {
        let bytes = Array(text.utf8)
        var splitter = JSONArraySplitter(maxElementBytes: max)
        var out: [String] = []
        let emit: (JSONArraySplitter.Piece) -> Void = {
            switch $0 {
            case .element(let b): out.append(String(decoding: b, as: UTF8.self))
            case .tooLong: out.append("<too long>")
            case .syntaxError(let e): out.append("<error at \(e.offset): \(e.reason)>")
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

    @Test(
        arguments: [
            (
                #" [ {"a":[1,{"b":"],}"}]} , "x\"]" ,3, [] ,{}] "#,
                [#"{"a":[1,{"b":"],}"}]}"#, #""x\"]""#, "3", "[]", "{}"]
            ),
            ("[]", []),
            (" [ ] ", []),
            ("[\(String(repeating: "1", count: 31)), 1]", ["<too long>", "1"]),
            ("[\(String(repeating: "1", count: 30))]", [String(repeating: "1", count: 30)]),
            ("{}", ["<error at 0: expected an array of member-months>"]),
            ("", ["<error at 0: expected an array of member-months>"]),
            ("[1,]", ["1", "<error at 3: expected a member-month>"]),
            ("[,1]", ["<error at 1: expected a member-month>"]),
            ("[1 2}", ["<error at 4: unbalanced }>"]),
            ("[1] x", ["1", "<error at 4: data after the array>"]),
            ("[1, {\"a\": 2}", ["1", "<error at 12: the array is not closed>"]),
        ] as [(String, [String])])
    func anArraysElementsAreTheSameWhereverTheInputIsCut(text: String, expected: [String]) {
        #expect(Self.splitArray(text, cuts: []) == expected)
        for i in 0...text.utf8.count { #expect(Self.splitArray(text, cuts: [i]) == expected, "cut at \(i)") }
        #expect(Self.splitArray(text, cuts: Array(0...text.utf8.count)) == expected, "byte at a time")
    }

    @Test func anArrayBatchIsAnsweredAsItIsRead() throws {
        let month = try fixtureRequest("jorge")
        let input = Array("[".utf8) + month + Array(",\n{bad} , ".utf8) + month + Array("]".utf8)
        var batch = ArrayBatchPricer(pricer: Pricer(book: RuleBook.builtIn()), maxElementBytes: 1 << 20)
        var out: [UInt8] = []
        var sizes: [Int] = []
        for i in stride(from: 0, to: input.count, by: 7) {
            input[i..<min(i + 7, input.count)].withUnsafeBytes { batch.feed($0, into: &out) }
            sizes.append(out.count)
        }
        #expect(sizes.first { $0 > 0 }! < out.count)  // the first answer went out before the array ended
        batch.finish(into: &out)
        let doc = try JSONValue.parse(out)
        guard case .array(let items) = doc else { Issue.record("not an array"); return }
        #expect(items.count == 3)
        #expect(items[0]["line"] == .number("1") && items[0]["result"] != nil)
        #expect(items[1]["error"]?["type"] == .string("urn:pros-pricer:problem:malformed-json"))
        #expect(items[2]["line"] == .number("3") && items[2]["result"] != nil)
    }

    @Test func aBrokenArrayAfterAnswersEndsWithAnErrorItem() throws {
        let month = try fixtureRequest("jorge")
        var batch = ArrayBatchPricer(pricer: Pricer(book: RuleBook.builtIn()), maxElementBytes: 1 << 20)
        var out: [UInt8] = []
        (Array("[".utf8) + month + Array(", 7 x".utf8)).withUnsafeBytes { batch.feed($0, into: &out) }
        batch.finish(into: &out)
        guard case .array(let items) = try JSONValue.parse(out) else { Issue.record("not an array"); return }
        #expect(items.count == 2)  // the month, then the error: "7 x" never ends
        let offset = month.count + 6
        #expect(items[1]["error"]?["detail"] == .string("invalid JSON at byte \(offset): the array is not closed"))
        #expect(items[1]["error"]?["type"] == .string("urn:pros-pricer:problem:malformed-json"))
        #expect(batch.status == 200)
    }
}
