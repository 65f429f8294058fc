import Foundation
import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// Answers pinned byte for byte: 100 generated member-months (50 spaced, 50 compact; valid and invalid
/// of every kind: unsupported months, missing and malformed fields, duplicate and escaped ids, discharge,
/// pre-admission, overlaps, the daily cap, telehealth, exclusivity, missing rates) and the exact answer
/// for each. Pinned first before the decoder and encoder were rewritten for speed, and again, on purpose,
/// when the rules followed the OMH manual's 2025 update (the commit says which answers changed and why).
/// Speed work and refactoring must change nothing a client sees. Generator: scripts/regression-corpus.py;
/// regenerate the answers only for a deliberate change of behaviour, and say so in the commit.
@Suite struct RegressionCorpusTests {
    static func lines(_ name: String) throws -> [[UInt8]] {
        let url = packageRoot.appendingPathComponent("Tests/PROSRulesTests/Fixtures/\(name)")
        return Array(try Data(contentsOf: url)).split(separator: 0x0A).map(Array.init)
    }

    @Test func everyAnswerIsByteForByteAsPinned() throws {
        let inputs = try Self.lines("regression.ndjson")
        let expected = try Self.lines("regression.expected.ndjson")
        #expect(inputs.count == 100)
        #expect(expected.count == inputs.count)
        var priced = 0, refused = 0
        for (i, (input, want)) in zip(inputs, expected).enumerated() {
            // The batch endpoint's line format: {"line":N,"result":…} or {"line":N,"error":…}.
            var got = Array(#"{"line":\#(i + 1),"#.utf8)
            switch pricer.price(json: input) {
            case .success(let claim): got += Array(#""result":"#.utf8) + claim.jsonBytes(); priced += 1
            case .failure(let problem): got += Array(#""error":"#.utf8) + problem.jsonBytes(); refused += 1
            }
            got.append(UInt8(ascii: "}"))
            if got != want {
                let at = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
                let context = { (b: [UInt8]) in
                    String(decoding: b[max(0, at - 60)..<min(b.count, at + 60)], as: UTF8.self)
                }
                Issue.record("line \(i + 1) differs at byte \(at): got …\(context(got))… want …\(context(want))…")
            }
        }
        // The corpus exercises both outcomes.
        #expect(priced > 20 && refused > 20)
    }
}
