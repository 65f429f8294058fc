import CSV
import Testing

/// The reader's table: every input is read whole, and each record again from the offset reported for it.
@Suite struct CSVReaderTests {
    enum Outcome: Equatable {
        case records([[String]])
        case error(offset: Int)
    }

    static func read(_ text: String) -> Outcome { read(Array(text.utf8)) }

    static func read(_ bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBufferPointer { buf in
            var reader = CSVReader(buf)
            var fields: [CSVField] = []
            var records: [[String]] = []
            do throws(CSVError) {
                while let start = try reader.next(into: &fields) {
                    let record = fields.map { String(decoding: $0.bytes(in: buf), as: UTF8.self) }
                    // Reading again from the record's start gives the same record (how exports are regrouped).
                    var again = CSVReader(buf, at: start)
                    var second: [CSVField] = []
                    _ = try again.next(into: &second)
                    #expect(second == fields, "record at \(start) read again")
                    records.append(record)
                }
            } catch {
                return .error(offset: error.offset)
            }
            return .records(records)
        }
    }

    @Test(
        arguments: [
            // Plain fields, LF, CRLF, lone CR, no final line break.
            ("a,b,c\n1,2,3\n", [["a", "b", "c"], ["1", "2", "3"]]),
            ("a,b,c\r\n1,2,3\r\n", [["a", "b", "c"], ["1", "2", "3"]]),
            ("a,b\r1,2", [["a", "b"], ["1", "2"]]),
            ("a,b\n1,2", [["a", "b"], ["1", "2"]]),
            // Empty cells, a blank line (a record of one empty field), a line of commas.
            ("a,,c\n,,\n\nx\n", [["a", "", "c"], ["", "", ""], [""], ["x"]]),
            (",\n", [["", ""]]),
            // Quoting: commas, quotes, CRLF and LF inside; an empty quoted field; quotes next to separators.
            (#""a,b","say ""hi""","line1"# + "\r\nline2\"\n", [["a,b", #"say "hi""#, "line1\r\nline2"]]),
            (#""",x,"""#, [["", "x", ""]]),
            (#""""""# + "\n", [[#"""#]]),
            ("\"a\nb\"\r\n\"c\"", [["a\nb"], ["c"]]),
            // A quote inside an unquoted field is data.
            (#"5" tall,x"#, [[#"5" tall"#, "x"]]),
            // Spaces are data (the mapping trims them).
            (" a , b ", [[" a ", " b "]]),
            // Unicode passes through as bytes.
            ("Zoë,名前\n", [["Zoë", "名前"]]),
            ("", []),
        ] as [(String, [[String]])])
    func readsTheTable(text: String, expected: [[String]]) {
        #expect(Self.read(text) == .records(expected))
    }

    @Test func skipsAByteOrderMarkOnlyAtTheStart() {
        #expect(Self.read([0xEF, 0xBB, 0xBF] + Array("a,b\n1,2\n".utf8)) == .records([["a", "b"], ["1", "2"]]))
        // A BOM elsewhere is data.
        #expect(Self.read(Array("a\n".utf8) + [0xEF, 0xBB, 0xBF]) == .records([["a"], ["\u{FEFF}"]]))
        #expect(Self.read([0xEF, 0xBB, 0xBF]) == .records([]))
    }

    @Test(arguments: [
        (#"a,"unterminated"#, 2),  // the opening quote
        ("a\n\"x\ny,z", 2),  // unterminated across lines: still the opening quote
        (#""ab"c,d"#, 4),  // a closing quote followed by data
        (#"x,"a" ,b"#, 5),
    ])
    func malformedQuotingNamesTheByte(text: String, offset: Int) {
        #expect(Self.read(text) == .error(offset: offset))
    }

    @Test func writerQuotesAndGuardsFormulas() {
        var out: [UInt8] = []
        CSVWriter.appendRecord(
            [
                "plain", "a,b", #"say "hi""#, "two\nlines", "=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx",
                "", "4517",
            ], to: &out)
        let expected =
            #"plain,"a,b","say ""hi""","two"# + "\n" + #"lines",'=SUM(A1),'+1,'-2,'@x,'"#
            + "\tx,\"'\rx\",,4517\r\n"
        #expect(String(decoding: out, as: UTF8.self) == expected)
        // What the writer writes, the reader reads back (after the guard's apostrophe).
        #expect(
            Self.read(out)
                == .records([
                    [
                        "plain", "a,b", #"say "hi""#, "two\nlines", "'=SUM(A1)", "'+1", "'-2",
                        "'@x", "'\tx", "'\rx", "", "4517",
                    ]
                ]))
        var unguarded: [UInt8] = []
        CSVWriter.appendCell("=1", to: &unguarded, guardFormulas: false)
        #expect(unguarded == Array("=1".utf8))
    }
}
