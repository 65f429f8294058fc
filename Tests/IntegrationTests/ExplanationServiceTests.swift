import Foundation
import HTTPServer
import JSON
import PROSRules
import PROSService
import PROSWire
import Testing

/// The explanation endpoints and the v2 request fields, over real sockets.
extension LiveTests {
    @Suite(.serialized) struct ExplanationServiceTests {
        @Test func theFindingsCatalogueIsServedAsDocumented() throws {
            let s = try LiveService()
            defer { s.stop() }
            let r = Curl().request("GET", s.base + "/v1/findings")
            #expect(r.status == 200)
            #expect(r.headers["content-type"] == "application/json")
            guard case .array(let entries)? = try JSONValue.parse(r.body)["entries"] else {
                Issue.record("no entries"); return
            }
            let codes = entries.compactMap { e -> String? in if case .string(let c)? = e["code"] { c } else { nil } }
            #expect(Set(codes).isSuperset(of: FindingCode.allCases.map(\.rawValue)))
            #expect(Set(codes).isSuperset(of: HintCode.allCases.map(\.rawValue)))
            #expect(codes.count == FindingCatalogue.entries.count)
        }

        @Test func ruleSetsListThePayerProfilesWithTheirDigests() throws {
            let s = try LiveService()
            defer { s.stop() }
            let doc = try JSONValue.parse(Curl().request("GET", s.base + "/v1/rule-sets").body)
            guard case .array(let payers)? = doc["payers"], let first = payers.first else {
                Issue.record("no payers"); return
            }
            #expect(first["id"] == .string("example-fq"))
            if case .string(let digest)? = first["digest"] {
                #expect(digest.count == 16)
            } else {
                Issue.record("digest")
            }
        }

        @Test func aPayerIsEchoedAndAnUnknownOneIsListedWithTheOtherProblems() throws {
            let s = try LiveService()
            defer { s.stop() }
            var month = try fixtureRequest("mary")
            month.removeLast()  // the closing brace
            let ok = Curl().request(
                "POST", s.base + "/v1/claims/price", headers: ["Content-Type: application/json"],
                body: month + Array(#","payer":"example-fq"}"#.utf8))
            #expect(ok.status == 200)
            #expect(try JSONValue.parse(ok.body)["payer"] == .string("example-fq"))
            let bad = Curl().request(
                "POST", s.base + "/v1/claims/price", headers: ["Content-Type: application/json"],
                body: Array(
                    #"{"memberId":"","month":"2025-03","payer":"nope","member":{"status":"preadmission"},"services":[]}"#
                        .utf8))
            #expect(bad.status == 422)
            guard case .array(let errors)? = try JSONValue.parse(bad.body)["errors"] else {
                Issue.record("errors"); return
            }
            let pointers = errors.compactMap { e -> String? in if case .string(let p)? = e["pointer"] { p } else { nil }
            }
            #expect(pointers == ["/memberId", "/month", "/payer"])
        }
    }
}

extension LiveTests {
    /// Errors that say how to fix them.
    @Suite(.serialized) struct HelpfulErrorTests {
        @Test(arguments: [
            ("", nil as String?, "the request has no body"),
            ("[{}]", nil, "send arrays to POST /v1/claims/price/batch"),
            ("  \n", "application/json", "the request has no body"),
        ])
        func aCommonMistakeIsNamed(body: String, contentType: String?, detail: String) throws {
            let s = try LiveService()
            defer { s.stop() }
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price",
                headers: ["Content-Type: " + (contentType ?? "application/json")],
                body: body.isEmpty ? nil : Array(body.utf8))
            #expect(r.status == 400 || r.status == 411)
            #expect(r.headers["content-type"] == "application/problem+json")
            #expect(r.text.contains(detail), "\(r.text)")
            #expect(r.text.contains("urn:pros-pricer:problem:"))
        }

        @Test func aGzipBodyWithoutItsHeaderIsNamed() throws {
            let s = try LiveService()
            defer { s.stop() }
            let gz = GzipDeflater.gzip(try fixtureRequest("mary"))
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price", headers: ["Content-Type: application/json"],
                body: gz)
            #expect(r.status == 400)
            #expect(r.text.contains("sent without Content-Encoding: gzip"), "\(r.text)")
        }
    }
}
