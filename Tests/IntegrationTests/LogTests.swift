import Foundation
import JSON
import Logging
import PROSRules
import PROSService
import Testing

/// Logging through swift-log: our JSON line format and bounded buffer as its `LogHandler`.
@Suite struct LogTests {
    @Test func aLoggerWritesOneJSONLinePerEventInOurFormat() throws {
        let path = NSTemporaryDirectory() + "pros-log-\(UUID().uuidString)"
        let fd = open(path, O_CREAT | O_WRONLY | O_APPEND, 0o600)
        defer { close(fd); unlink(path) }
        let output = JSONLog(fd: fd)
        var logger = Logger.json(output)
        logger[metadataKey: "component"] = "test"
        logger.warning("say \"hi\"", metadata: ["n": .stringConvertible(42), "s": "text", "list": ["a", "b"]])
        logger.debug("below the level: not written")
        output.shutdown()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1)
        let line = String(lines[0])
        #expect(line.hasPrefix(#"{"ts":""#))
        // The fixed fields, then the metadata with its keys sorted; integers as JSON numbers.
        let tail = #","level":"warn","msg":"say \"hi\"","component":"test","list":["a","b"],"n":42,"s":"text"}"#
        #expect(line.hasSuffix(tail))
        #expect(throws: Never.self) { _ = try JSONValue.parse(Array(line.utf8)) }
    }

    @Test func theServiceLogsThroughTheLoggerItIsGiven() throws {
        let s = try LiveService()
        defer { s.stop() }
        #expect(Curl().request("GET", s.base + "/healthz", headers: ["X-Request-ID: via-swift-log"]).status == 200)
        var line: Substring?
        for _ in 0..<50 where line == nil {
            line = s.log.split(separator: "\n").first { $0.contains(#""requestId":"via-swift-log""#) }
            if line == nil { usleep(20_000) }
        }
        let logged = try #require(line)
        #expect(logged.contains(#""level":"info","msg":"request""#))
        #expect(logged.contains(#""status":200"#) && logged.contains(#""route":"/healthz""#))
        #expect(s.service.logOutput != nil)
    }
}
