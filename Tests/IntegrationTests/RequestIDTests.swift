import Foundation
import HTTPServer
import Testing

extension LiveTests {
    /// Issue 13, problem 4: the answers the HTTP layer makes itself carry `X-Request-ID`, are problem
    /// documents of this service, and are logged under that id with their real status, bytes and duration.
    @Suite(.serialized) struct RequestIDTests {
        static func header(_ name: String, in response: String) -> String? {
            for line in response.split(separator: "\r\n") where line.lowercased().hasPrefix(name.lowercased() + ": ") {
                return String(line.dropFirst(name.count + 2))
            }
            return nil
        }

        /// The access log line of a request id.
        static func logLine(_ log: String, id: String) -> String? {
            log.split(separator: "\n")
                .first { $0.contains(#""msg":"request""#) && $0.contains(#""requestId":"\#(id)""#) }
                .map(String.init)
        }

        static func number(_ key: String, in line: String) -> Int? {
            guard let r = line.range(of: "\"\(key)\":") else { return nil }
            return Int(line[r.upperBound...].prefix { $0.isNumber })
        }

        static let post = "POST /v1/claims/price HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        static let longID = String(repeating: "z", count: 129)

        @Test(
            arguments: [
                ("GARBAGE\r\n\r\n", 400, nil),
                ("GET /healthz HTTP/1.1\r\nHost: x\r\n", 408, nil),
                (post + "X-Request-ID: cid-413\r\nContent-Length: 5000\r\n\r\n", 413, "cid-413"),
                (post + "X-Request-ID: cid-415\r\nContent-Encoding: br\r\nContent-Length: 5\r\n\r\n", 415, "cid-415"),
                (
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Pad: 0123456789\r\n", count: 1000)
                        + "\r\n",
                    431, nil
                ),
                ("POST /v1/claims/price HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, nil),
                ("GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505, nil),
                ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: \(longID)\r\nConnection: close\r\n\r\n", 200, nil),
            ] as [(String, Int, String?)])
        func theServersOwnAnswersCarryTheRequestIDTheyAreLoggedUnder(
            request: String, status: Int,
            clientID: String?
        ) throws {
            let s = try LiveService {
                $0.server.headerTimeoutMs = 300; $0.maxPriceBodyBytes = 1000
            }
            defer { s.stop() }
            let out = rawExchange(port: s.server.port, Array(request.utf8), waitMs: 3000)
            #expect(out.hasPrefix("HTTP/1.1 \(status) "))
            let id = try #require(Self.header("X-Request-ID", in: out))
            if let clientID { #expect(id == clientID) }
            #expect(isValidRequestID(id) && id.count < 129)
            if status != 200 {
                #expect(out.contains(#""type":"urn:pros-pricer:problem:"#))
                #expect(out.contains("Connection: close"))
            }
            var line: String?
            for _ in 0..<50 where line == nil {  // the answer is logged once its last byte is handed over
                line = Self.logLine(s.log, id: id)
                if line == nil { usleep(20_000) }
            }
            let logged = try #require(line, "no access log line for \(id)")
            #expect(Self.number("status", in: logged) == status)
            #expect((Self.number("bytes", in: logged) ?? 0) > 0)
            if status == 408 { #expect((Self.number("durationUs", in: logged) ?? 0) >= 250_000) }
            #expect(s.log.components(separatedBy: #""requestId":"\#(id)""#).count == 2)  // logged once
        }

        @Test func theOverTheCapAnswerCarriesARequestIDAndIsLogged() throws {
            let s = try LiveService { $0.server.maxConnections = 1 }
            defer { s.stop() }
            let held = connectLoopback(port: s.server.port)
            defer { close(held) }
            usleep(100_000)
            let out = rawExchange(port: s.server.port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(out.hasPrefix("HTTP/1.1 503 "))
            #expect(Self.header("Retry-After", in: out) == "1")
            let id = try #require(Self.header("X-Request-ID", in: out))
            #expect(out.contains(#""type":"urn:pros-pricer:problem:unavailable""#))
            let logged = try #require(Self.logLine(s.log, id: id))
            #expect(Self.number("status", in: logged) == 503)
        }
    }
}
