import Foundation
import JSON
import PROSRules
import PROSService
import PROSWire
import Testing

@testable import HTTPServer

/// The service's own checks, run twice: against `PricingService` in-process (no socket: the route and its
/// handler called directly, as Hummingbird's router tests do) and against a live server over libcurl.
/// Both must give the same status, content type and, for a priced month, the same bytes.
extension LiveTests {
    @Suite(.serialized) struct InProcessTests {
        struct Answer: Equatable {
            var status: Int
            var contentType: String?
            var body: [UInt8]
        }

        /// One request straight through the service: route, then the buffered handler if it asks for one.
        static func inProcess(
            _ service: PricingService, _ method: String, _ path: String, _ headers: [String],
            _ body: [UInt8]?
        ) -> Answer? {
            var fields = headers.map { h -> (String, String) in
                let parts = h.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return (parts[0], parts[1])
            }
            if let body { fields.append(("Content-Length", String(body.count))) }
            let head = HTTPRequestHead(method: method, target: path, version: .http11, headers: HTTPHeaders(fields))
            switch service.route(head, remoteAddress: "127.0.0.1") {
            case .respond(let r):
                return Answer(status: r.status, contentType: r.headers["content-type"], body: r.body)
            case .buffered(let max, let handler):
                let bytes = body ?? []
                guard bytes.count <= max else { return Answer(status: 413, contentType: nil, body: []) }
                let r = handler(HTTPRequest(head: head, body: bytes, remoteAddress: "127.0.0.1"))
                return Answer(status: r.status, contentType: r.headers["content-type"], body: r.body)
            case .streaming:
                return nil  // streamed answers are checked live (BatchTests, CSVHTTPTests)
            }
        }

        static let cases: [(String, String, [String], String?, Int)] = [
            ("GET", "/nope", [], nil, 404), ("GET", "/v1/claims/price", [], nil, 405),
            ("POST", "/v1/claims/price", ["Content-Type: text/plain"], "{}", 415),
            ("POST", "/v1/claims/price", ["Content-Type: application/json"], "{", 400),
            ("POST", "/v1/claims/price", ["Content-Type: application/json"], "[{}]", 400),
            ("POST", "/v1/claims/price", ["Content-Type: application/json"], #"{"memberId":""}"#, 422),
            ("GET", "/healthz", [], nil, 200), ("GET", "/openapi.yaml", [], nil, 200),
            ("GET", "/v1/rule-sets", [], nil, 200), ("GET", "/v1/findings", [], nil, 200), ("GET", "/", [], nil, 200),
        ]

        @Test(arguments: cases)
        func theSameAnswerInProcessAndLive(
            method: String, path: String, headers: [String], body: String?,
            status: Int
        ) throws {
            let s = try LiveService()
            defer { s.stop() }
            let bytes = body.map { Array($0.utf8) }
            let here = try #require(Self.inProcess(s.service, method, path, headers, bytes))
            let live = Curl().request(method, s.base + path, headers: headers, body: bytes)
            #expect(here.status == status)
            #expect(live.status == status)
            #expect(here.contentType == live.headers["content-type"])
            #expect(here.body == live.body)
        }

        @Test(arguments: ["ashley", "jorge", "joe", "mary"])
        func aWorkedExamplePricesToTheSameBytesInProcessAndLive(name: String) throws {
            let s = try LiveService()
            defer { s.stop() }
            let month = try fixtureRequest(name)
            let headers = ["Content-Type: application/json"]
            let here = try #require(Self.inProcess(s.service, "POST", "/v1/claims/price", headers, month))
            let live = Curl().request("POST", s.base + "/v1/claims/price", headers: headers, body: month)
            #expect(here.status == 200 && live.status == 200)
            #expect(here.body == live.body)
            #expect(try JSONValue.parse(here.body)["summary"] != nil)
        }
    }
}
