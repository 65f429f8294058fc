import Testing

@testable import HTTPServer

@Suite struct GzipTests {
    @Test func roundTripsStreamed() throws {
        let text = Array(String(repeating: "{\"line\":1,\"result\":{}}\n", count: 500).utf8)
        var z: [UInt8] = []
        let d = GzipDeflater()
        d.compress(Array(text[..<3000]), finish: false, into: &z)
        d.compress(Array(text[3000...]), finish: true, into: &z)
        #expect(z.count < text.count / 5)
        var out: [UInt8] = []
        let i = GzipInflater(maxOutputBytes: 1 << 20)
        for piece in stride(from: 0, to: z.count, by: 7).map({ Array(z[$0..<min($0 + 7, z.count)]) }) {
            try i.inflate(piece, into: &out)
        }
        try i.finish()
        #expect(out == text)
    }

    @Test(arguments: [(1000, false), (999, true)])
    func theInflatedSizeIsCapped(limit: Int, tooLarge: Bool) {
        let z = GzipDeflater.gzip([UInt8](repeating: 0x41, count: 1000))
        var out: [UInt8] = []
        let i = GzipInflater(maxOutputBytes: limit)
        do {
            try i.inflate(z, into: &out)
            #expect(!tooLarge && out.count == 1000)
        } catch {
            #expect(tooLarge && error == .tooLarge, "got \(error)")
        }
    }

    @Test func corruptInputIsAnError() {
        var out: [UInt8] = []
        #expect(throws: GzipError.corrupt) {
            try GzipInflater(maxOutputBytes: 100).inflate(Array("not gzip at all".utf8), into: &out)
        }
    }

    @Test(arguments: [
        ("gzip", true), ("gzip;q=0", false), ("br, gzip;q=0.5", true), ("*", true), ("*;q=0", false),
        ("identity", false),
        ("*, gzip;q=0", false), ("GZIP", true), ("", false),
    ])
    func acceptEncodingHonoursQValues(header: String, accepted: Bool) {
        #expect(acceptsGzip(HTTPHeaders([("Accept-Encoding", header)])) == accepted)
    }
}
