import Foundation
import HTTPServer
import JSON
import PROSRules
import PROSService
import PROSWire
import Testing

/// The service over real sockets, driven by libcurl. Serialized: each test owns a server and counts file descriptors.
extension LiveTests {
    @Suite(.serialized) struct ServiceTests {
        let json = "Content-Type: application/json"

        @Test func pricesTheSeedExampleOverHTTP() throws {
            let s = try LiveService()
            defer { s.stop() }
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price", headers: [json, "X-Request-ID: req-42"],
                body: try fixtureRequest("ashley"))
            #expect(r.status == 200)
            #expect(r.headers["x-request-id"] == "req-42")
            let doc = try JSONValue.parse(r.body)
            #expect(doc["total"] == .string("1187.21"))
            #expect(s.log.contains("req-42"))
            #expect(!s.log.contains("SEED-ASHLEY"))  // never a member id in the logs
        }

        @Test func aStuckLogDestinationNeverStallsRequests() throws {
            var ends: [Int32] = [0, 0]
            #expect(pipe(&ends) == 0)  // nobody reads ends[0] yet: the pipe fills at 64 KiB, and write(2) blocks
            defer { close(ends[0]); close(ends[1]) }
            let s = try LiveService(log: JSONLog(fd: ends[1], maxBufferedBytes: 16 * 1024))
            let c = Curl()
            var answered = 0
            for i in 0..<1500 {  // about 300 KB of access log lines
                let r = c.request("GET", s.base + "/healthz", headers: ["X-Request-ID: stuck-\(i)"])
                guard r.status == 200 else { Issue.record("request \(i) got \(r.status)"); break }
                answered += 1
            }
            #expect(answered == 1500)
            let dropped = s.output.droppedLines
            #expect(dropped > 0)
            #expect(Curl().request("GET", s.base + "/metrics").text.contains("pros_log_lines_dropped_total \(dropped)"))
            // The reader comes back: the writer catches up and says what it dropped.
            _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
            var text: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 65536)
            let deadline = DispatchTime.now().uptimeNanoseconds + 5_000_000_000
            while !String(decoding: text.suffix(4096), as: UTF8.self).contains("log lines dropped")
                && DispatchTime.now().uptimeNanoseconds < deadline
            {
                let n = read(ends[0], &buf, buf.count)
                if n > 0 { text += buf[0..<n] } else { usleep(5_000) }
            }
            #expect(String(decoding: text, as: UTF8.self).contains("\"dropped\":"))
            s.stop()
        }

        @Test func aBadMemberMonthIsA422ListingEveryPointer() throws {
            let s = try LiveService()
            defer { s.stop() }
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price", headers: [json],
                body: Array(
                    #"{"memberId":"M","month":"2025-05","member":{"status":"x"},"services":[{"minutes":0}]}"#.utf8))
            #expect(r.status == 422)
            #expect(r.headers["content-type"] == "application/problem+json")
            #expect(r.text.contains(#""pointer":"/services/0/minutes""#))
            #expect(r.text.contains(#""pointer":"/member/status""#))
        }

        @Test(arguments: [
            ("GET", "/nope", [String](), nil as String?, 404), ("GET", "/v1/claims/price", [], nil, 405),
            ("POST", "/v1/claims/price", ["Content-Type: text/plain"], "{}", 415),
            ("POST", "/v1/claims/price", ["Content-Type: application/json"], "{", 400),
            ("POST", "/v1/claims/price", ["Content-Type: application/json", "Content-Encoding: br"], "{}", 415),
            ("GET", "/healthz", [], nil, 200), ("GET", "/readyz", [], nil, 200), ("GET", "/openapi.yaml", [], nil, 200),
            ("GET", "/v1/rule-sets", [], nil, 200), ("GET", "/metrics", [], nil, 200),
        ])
        func statuses(method: String, path: String, headers: [String], body: String?, status: Int) throws {
            let s = try LiveService()
            defer { s.stop() }
            let r = Curl().request(method, s.base + path, headers: headers, body: body.map { Array($0.utf8) })
            #expect(r.status == status)
            if status >= 400 { #expect(r.headers["content-type"] == "application/problem+json") }
            if status == 405 { #expect(r.headers["allow"] == "POST") }
        }

        @Test func batchNDJSONWithABadLineInTheMiddleChunkedAndGzip() throws {
            let s = try LiveService()
            defer { s.stop() }
            let line = try fixtureRequest("joe")
            let body = line + [0x0A] + Array("{not json\n".utf8) + line + [0x0A]
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price/batch", headers: ["Content-Type: application/x-ndjson"], body: body,
                chunked: true, acceptGzip: true)
            #expect(r.status == 200)
            #expect(r.headers["content-encoding"] == "gzip")
            let lines = r.text.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix(#"{"line":1,"result":"#))
            #expect(lines[1].hasPrefix(#"{"line":2,"error":{"type":"urn:pros-pricer:problem:malformed-json""#))
            #expect(lines[2].hasPrefix(#"{"line":3,"result":"#))
        }

        @Test func batchJSONArray() throws {
            let s = try LiveService()
            defer { s.stop() }
            let body = Array("[".utf8) + (try fixtureRequest("mary")) + Array(#",{"memberId":""}]"#.utf8)
            let r = Curl().request("POST", s.base + "/v1/claims/price/batch", headers: [json], body: body)
            #expect(r.status == 200)
            let doc = try JSONValue.parse(r.body)
            guard case .array(let items) = doc else { Issue.record("not an array"); return }
            #expect(items.count == 2)
            #expect(items[0]["result"]?["total"] == .string("748.30"))
            #expect(items[1]["error"]?["status"] == .number("422"))
        }

        @Test func gzipRequestBodiesAreInflatedAndBombsRefused() throws {
            let s = try LiveService { $0.maxPriceBodyBytes = 64 * 1024 }
            defer { s.stop() }
            let c = Curl()
            let ok = c.request(
                "POST", s.base + "/v1/claims/price", headers: [json, "Content-Encoding: gzip"],
                body: GzipDeflater.gzip(try fixtureRequest("mary")))
            #expect(ok.status == 200)
            let bomb = GzipDeflater.gzip([UInt8](repeating: 0x20, count: 10 << 20))
            #expect(bomb.count < 64 * 1024)
            let r = c.request(
                "POST", s.base + "/v1/claims/price", headers: [json, "Content-Encoding: gzip"], body: bomb)
            #expect(r.status == 413)
        }

        @Test(arguments: [(1000, 422), (1001, 413)])
        func theBodyLimitIsAnsweredBeforeTheBodyIsRead(size: Int, status: Int) throws {
            let s = try LiveService { $0.maxPriceBodyBytes = 1000 }
            defer { s.stop() }
            let body = Array(("{\"memberId\":\"" + String(repeating: "x", count: size - 15) + "\"}").utf8)
            #expect(body.count == size)
            #expect(Curl().request("POST", s.base + "/v1/claims/price", headers: [json], body: body).status == status)
        }

        @Test func connectionsAreReused() throws {
            let s = try LiveService()
            defer { s.stop() }
            let c = Curl()
            _ = c.request("GET", s.base + "/healthz")
            #expect(c.newConnections == 1)
            for _ in 0..<5 {
                #expect(c.request("GET", s.base + "/healthz").status == 200)
                #expect(c.newConnections == 0)
            }
        }

        @Test func pipelinedRequestsAreAnsweredInOrder() throws {
            let s = try LiveService()
            defer { s.stop() }
            let req =
                "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: p1\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nX-Request-ID: p2\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nX-Request-ID: p3\r\nConnection: close\r\n\r\n"
            let out = rawExchange(port: s.server.port, Array(req.utf8))
            let statuses = out.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses == ["200", "404", "200"])
            let ids = ["p1", "p2", "p3"].map { out.range(of: "X-Request-ID: \($0)")!.lowerBound }
            #expect(ids == ids.sorted())
        }

        /// Issue 13 problem 5 (RFC 9112 §3.2.2, §3.2): absolute-form targets route; a bad Host is a 400.
        @Test func anAbsoluteFormTargetIsRoutedAndABadHostRefused() throws {
            let s = try LiveService()
            defer { s.stop() }
            let absolute = "GET http://x/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let ok = rawExchange(port: s.server.port, Array(absolute.utf8))
            #expect(ok.hasPrefix("HTTP/1.1 200 OK"))
            let bad = rawExchange(port: s.server.port, Array("GET /healthz HTTP/1.1\r\nHost: a@b\r\n\r\n".utf8))
            #expect(bad.hasPrefix("HTTP/1.1 400 ") && bad.contains("invalid Host header"))
        }

        @Test func parseErrorsAreAnsweredThenClosed() throws {
            let s = try LiveService()
            defer { s.stop() }
            let out = rawExchange(
                port: s.server.port,
                Array(
                    "POST /v1/claims/price HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                        .utf8))
            #expect(out.hasPrefix("HTTP/1.1 400 "))
            #expect(out.contains("Connection: close"))
        }

        @Test func expect100Continue() throws {
            let s = try LiveService()
            defer { s.stop() }
            let body = try fixtureRequest("mary")
            let head =
                "POST /v1/claims/price HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
            let out = rawExchange(port: s.server.port, Array(head.utf8) + body)
            #expect(out.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"))
        }

        @Test func aSlowHeaderSectionGets408() throws {
            let s = try LiveService { $0.server.headerTimeoutMs = 200 }
            defer { s.stop() }
            let out = rawExchange(port: s.server.port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8), waitMs: 3000)
            #expect(out.hasPrefix("HTTP/1.1 408 "))
        }

        @Test func overTheConnectionLimitA503WithRetryAfter() throws {
            let s = try LiveService { $0.server.maxConnections = 1 }
            defer { s.stop() }
            let fd = connectLoopback(port: s.server.port)
            usleep(100_000)
            let r = Curl().request("GET", s.base + "/healthz")
            close(fd)
            #expect(r.status == 503)
            #expect(r.headers["retry-after"] == "1")
        }

        @Test func shutdownDrainsInFlightRequestsAndFileDescriptorsReturnToBaseline() throws {
            do { let warm = try LiveService(); warm.stop() }  // Foundation and libcurl open their own descriptors once
            let baseline = openFDs()
            let s = try LiveService { $0.server.shutdownGraceMs = 5000 }
            do {
                let c = Curl()
                #expect(c.request("GET", s.base + "/healthz").status == 200)  // leaves an idle keep-alive connection
            }
            // A request whose body is still arriving when shutdown starts.
            let body = try fixtureRequest("joe")
            let head =
                "POST /v1/claims/price HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
            let fd = connectLoopback(port: s.server.port)
            let first = Array(head.utf8) + body[..<100]
            _ = first.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            usleep(100_000)
            s.server.shutdown()
            #expect(!s.server.isAcceptingWork)
            usleep(100_000)
            let rest = Array(body[100...])
            _ = rest.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var buf = [UInt8](repeating: 0, count: 65536)
            var out: [UInt8] = []
            while true { let n = recv(fd, &buf, buf.count, 0); if n <= 0 { break }; out += buf[0..<n] }
            close(fd)
            let text = String(decoding: out, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200 OK"))
            #expect(text.contains("Connection: close"))
            s.server.wait()
            s.output.shutdown()
            close(s.logFd)
            #expect(openFDs() == baseline)
        }

        @Test func reloadKeepsTheOldConfigWhenTheNewOneIsBad() throws {
            let dir = NSTemporaryDirectory() + "pros-cfg-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: root.path + "/config/rules/pros-2025-04.json", toPath: dir + "/rules/pros-2025-04.json")
            let s = try LiveService { $0.configDirectory = dir }
            defer { s.stop() }
            #expect(s.service.reload())
            try "{".write(toFile: dir + "/rules/pros-2025-04.json", atomically: true, encoding: .utf8)
            #expect(!s.service.reload())
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price", headers: [json], body: try fixtureRequest("jorge"))
            #expect(r.status == 200)
            let metrics = Curl().request("GET", s.base + "/metrics").text
            #expect(metrics.contains(#"pros_config_reloads_total{result="error"} 1"#))
            #expect(metrics.contains(#"pros_member_months_priced_total 1"#))
            #expect(s.log.contains("config reload failed"))
        }

        @Test func latencyHistogramsAreKeptByRouteAndStatus() throws {
            let s = try LiveService()
            defer { s.stop() }
            let c = Curl()
            for _ in 0..<3 {
                #expect(
                    c.request("POST", s.base + "/v1/claims/price", headers: [json], body: try fixtureRequest("jorge"))
                        .status == 200)
            }
            #expect(
                c.request("POST", s.base + "/v1/claims/price", headers: [json], body: Array(#"{"memberId":"M"}"#.utf8))
                    .status == 422)
            #expect(c.request("GET", s.base + "/nowhere").status == 404)
            let metrics = c.request("GET", s.base + "/metrics").text
            #expect(metrics.contains(#"pros_http_requests_total{route="/v1/claims/price",status="200"} 3"#))
            #expect(
                metrics.contains(#"pros_http_request_duration_seconds_count{route="/v1/claims/price",status="200"} 3"#))
            #expect(
                metrics.contains(
                    #"pros_http_request_duration_seconds_bucket{route="/v1/claims/price",status="200",le="+Inf"} 3"#))
            #expect(
                metrics.contains(#"pros_http_request_duration_seconds_count{route="/v1/claims/price",status="422"} 1"#))
            #expect(metrics.contains(#"pros_http_request_duration_seconds_count{route="unmatched",status="404"} 1"#))
            // Buckets are cumulative: each is at most the next.
            let buckets = metrics.split(separator: "\n").filter {
                $0.hasPrefix(#"pros_http_request_duration_seconds_bucket{route="/v1/claims/price",status="200""#)
            }
            let counts = buckets.compactMap { Int($0.split(separator: " ").last!) }
            #expect(counts.count == 12 && zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 })
        }
    }
}
