import Testing

@testable import HTTPServer

/// Inputs the fuzzer found (fuzz/corpus/http keeps them as seeds too).
@Suite struct FuzzRegressionTests {
    static let limits = HTTPParserLimits(maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 16)

    /// A header section whose size sits at the limit plus its final CRLF, with a malformed field: it was
    /// refused with 400 when read whole and 431 when read a byte at a time. Now 400 however it arrives.
    @Test func theHeaderLimitIsTheSameWhateverTheArrival() {
        let bytes: [UInt8] = [
            80, 79, 83, 116, 114, 105, 110, 103, 83, 110, 116, 45, 76, 100, 103, 116, 104, 58, 32, 52, 96, 10, 13, 8, 0,
            0, 0, 103, 116, 104, 58, 32, 52, 96, 10, 13, 0, 32, 0, 96, 52, 13, 10, 5, 0, 0, 0, 103, 116, 104, 58, 32,
            52, 96, 10, 13, 0, 0, 32, 52, 96, 10, 13, 0, 0, 0, 0, 0, 0, 10, 13, 58, 32, 51, 120, 13, 110, 110, 103, 13,
            10, 72, 111, 115, 116, 58, 32, 64, 120, 13, 10, 67, 51, 13, 10, 69, 115, 116, 58, 32, 64, 120, 13, 10, 67,
            51, 13, 10, 69, 233, 120, 112, 101, 99, 116, 51, 13, 10, 69, 120, 115, 116, 58, 32, 64, 120, 13, 10, 67, 51,
            111, 10, 67, 51, 13, 10, 69, 120, 120, 245, 245, 12, 101, 13, 10, 67, 111, 110, 116, 101, 110, 110, 103, 13,
            10, 72, 13, 10, 69, 120, 120, 64, 10, 12, 101, 220, 0, 0, 0, 0, 0, 0, 0, 13, 51, 115, 116, 58, 116, 51, 13,
            10, 69, 120, 120, 13, 10, 67, 111, 110, 116, 101, 110, 116, 49, 13, 10, 72, 111, 115, 116, 58, 32, 10, 67,
            111, 110, 116, 112, 101, 99, 116, 51, 13, 10, 69, 120, 120, 13, 10, 12, 101, 13, 10, 67, 111, 110, 116, 101,
            110, 116, 49, 13, 10, 72, 111, 115, 116, 58, 32, 64, 120, 120, 112, 101, 99, 116, 51, 13, 10, 69, 218, 120,
            13, 10, 12, 101, 13, 10, 67, 111, 110, 116, 112, 101, 99, 116, 51, 13, 10, 69, 120, 120, 13, 10, 12, 101,
            13, 10, 67, 111, 110, 116, 101, 110, 116, 49, 13, 10, 72, 111, 115, 137, 197, 223, 191, 120, 13, 10, 67, 51,
            111, 10, 67, 96, 10, 13, 0, 0, 0, 0, 0, 0, 0, 0, 10, 13, 58, 32, 84, 32, 33, 48, 59, 10, 13, 120, 13, 10,
            67, 111, 110, 116, 101, 110, 116, 49, 13, 10, 72, 111, 115, 116, 58, 32, 64, 120, 120, 112, 101, 99, 116,
            51, 13, 10, 69, 218, 120, 13, 10, 12, 101, 13, 10, 67, 111, 110, 116, 112, 101, 99, 116, 51, 13, 10, 69,
            120, 120, 13, 10, 12, 101, 13, 10, 67, 111, 110, 116, 101, 110, 116, 49, 13, 10, 72, 111, 115, 116, 58, 32,
            64, 120, 13, 10, 67, 51, 111, 10, 67, 51, 13, 10, 69, 120, 120, 245, 245, 12, 101, 13, 10, 67, 111, 110,
            116, 101, 110, 110, 103, 13, 10, 72, 13, 10, 69, 120, 120, 64, 10, 12, 101, 220, 0, 0, 0, 0, 0, 0, 0, 13,
            51, 115, 116, 58, 116, 51, 13, 10, 69, 120, 120, 13, 10, 67, 111, 110, 116, 101, 110, 116, 49, 13, 10, 72,
            111, 115, 116, 58, 32, 10, 67, 111, 110, 116, 112, 101, 99, 116, 51, 13, 10, 69, 120, 120, 13, 10, 12, 101,
            13, 10, 67, 111, 110, 116, 101, 110, 116, 49, 13, 10, 72, 111, 115, 116, 58, 32, 64, 120, 120, 112, 101, 99,
            116, 51, 13, 10, 69, 218, 120, 58, 32, 120, 13, 10, 13, 10, 13, 10, 12, 101, 13, 10, 67, 111, 110, 116, 112,
            101, 99, 116, 51, 13, 10, 69, 120, 120, 13, 10, 12, 101, 13, 10, 67, 111, 110, 116, 101, 110, 116, 49, 13,
            10, 72, 111, 115, 116, 58, 32, 64, 120, 13, 10, 67, 51, 111, 10, 67, 96, 10, 13, 0, 0, 0, 0, 0, 0, 0, 0, 10,
            13, 58, 32, 84, 32, 33, 48, 59, 10, 13, 10,
        ]
        let whole = ParserTests.run([bytes], limits: Self.limits)
        #expect(whole == .error(400))
        #expect(ParserTests.run(bytes.map { [$0] }, limits: Self.limits) == whole)
        for i in 0...bytes.count {
            #expect(
                ParserTests.run([Array(bytes[..<i]), Array(bytes[i...])], limits: Self.limits) == whole, "split at \(i)"
            )
        }
    }

    /// The same boundary, plainly: a valid section of exactly maxHeaderBytes plus the final CRLF is accepted
    /// however it arrives; one byte more is 431.
    @Test(arguments: [(0, true), (1, false)])
    func aSectionAtTheLimitArrivingByteByByte(extra: Int, accepted: Bool) {
        let limits = HTTPParserLimits(maxRequestLineBytes: 256, maxHeaderBytes: 64, maxHeaderCount: 16)
        let host = "Host: x\r\n"
        let filler = "X: " + String(repeating: "a", count: 64 - host.utf8.count - 5 + extra) + "\r\n"
        let text = "GET / HTTP/1.1\r\n" + host + filler + "\r\n"
        let bytes = Array(text.utf8)
        let whole = ParserTests.run([bytes], limits: limits)
        #expect(ParserTests.run(bytes.map { [$0] }, limits: limits) == whole)
        if accepted { #expect(whole != .error(431)) } else { #expect(whole == .error(431)) }
    }
}
