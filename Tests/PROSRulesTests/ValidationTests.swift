import Foundation
import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// API.md: every invalid field reported with its pointer, contradictions included.
@Suite struct ValidationTests {
    func errors(_ json: String) -> [FieldError] {
        do { _ = try MemberMonthDecoder.decode(Array(json.utf8)); return [] } catch let .invalid(e, _) {
            return e
        } catch { Issue.record("expected invalid, got \(error)"); return [] }
    }

    func pointers(_ json: String) -> Set<String> { Set(errors(json).map(\.pointer)) }

    let valid =
        #"{"memberId":"M-1","month":"2025-05","member":{"status":"admitted","admissionDate":"2025-01-02"},"services":[{"date":"2025-05-02","component":"CRS","format":"group","minutes":60,"location":"onsite"}]}"#

    @Test func aValidRequestDecodes() throws {
        let m = try MemberMonthDecoder.decode(Array(valid.utf8))
        #expect(m.services[0].id == "0")
        #expect(m.services[0].telehealth == .none)
        #expect(m.member.status == .admitted)
    }

    @Test func everyInvalidFieldIsReportedNotOnlyTheFirst() {
        let p = pointers(
            #"{"memberId":"","month":"2025-13","member":{"status":"gone"},"services":[{"date":"2025-05-02","component":"XX","format":"group","minutes":0,"location":"moon","telehealth":"fax","startTime":"25:00"},{"date":"x"}]}"#
        )
        #expect(
            p.isSuperset(of: [
                "/memberId", "/month", "/member/status", "/services/0/component", "/services/0/minutes",
                "/services/0/location", "/services/0/telehealth", "/services/0/startTime", "/services/1/date",
                "/services/1/component", "/services/1/format", "/services/1/minutes", "/services/1/location",
            ]))
    }

    @Test(arguments: [
        (#""minutes":1441"#, "must be between 1 and 1440"),
        (#""minutes":1.5"#, "must be a whole number of minutes between 1 and 1440"),
        (#""minutes":60.5"#, "must be a whole number of minutes between 1 and 1440"),
        (#""minutes":60.0"#, nil), (#""minutes":6e1"#, nil), (#""minutes":600E-1"#, nil), (#""minutes":1.44e3"#, nil),
        (#""minutes":1.441e3"#, "must be between 1 and 1440"), (#""minutes":1e400"#, "must be between 1 and 1440"),
        (#""minutes":"60""#, "must be an integer"), (#""minutes":1440"#, nil as String?), (#""minutes":1"#, nil),
    ])
    func minutesBounds(field: String, detail: String?) {
        let json =
            #"{"memberId":"M","month":"2025-05","member":{"status":"preadmission"},"services":[{"date":"2025-05-02","component":"CRS","format":"group","location":"onsite","#
            + field + "}]}"
        #expect(errors(json).first?.detail == detail)
    }

    @Test func requiredFieldsAreNamed() {
        #expect(pointers("{}") == ["/memberId", "/month", "/member", "/services"])
    }

    @Test func aServiceOutsideTheMonthIsInvalid() {
        #expect(pointers(valid.replacingOccurrences(of: "2025-05-02", with: "2025-06-02")) == ["/services/0/date"])
    }

    @Test func anAdmittedMemberNeedsAnAdmissionDate() {
        #expect(
            pointers(valid.replacingOccurrences(of: #","admissionDate":"2025-01-02""#, with: "")) == [
                "/member/admissionDate"
            ])
    }

    @Test func anAdmissionAfterTheMonthIsAContradiction() {
        #expect(pointers(valid.replacingOccurrences(of: "2025-01-02", with: "2025-06-01")) == ["/member/admissionDate"])
    }

    @Test func dischargeBeforeAdmissionOrBeforeTheMonthIsInvalid() {
        #expect(
            pointers(
                valid.replacingOccurrences(
                    of: #""admissionDate":"2025-01-02""#,
                    with: #""admissionDate":"2025-01-02","dischargeDate":"2025-01-01""#))
                == ["/member/dischargeDate"])
        let e = errors(
            valid.replacingOccurrences(
                of: #""admissionDate":"2025-01-02""#,
                with: #""admissionDate":"2025-01-02","dischargeDate":"2025-04-30""#))
        #expect(e.map(\.pointer) == ["/member/dischargeDate"])
    }

    /// More than 2 codes is priced with a finding (see AddOnTests); more than 20 is refused.
    @Test(arguments: [(2, false), (3, false), (20, false), (21, true)])
    func atMostTwentyRRECodes(count: Int, invalid: Bool) {
        let codes = (0..<count).map { "\"\($0)\"" }.joined(separator: ",")
        let json = valid.replacingOccurrences(
            of: #""status":"admitted""#, with: #""status":"admitted","rreCodes":[\#(codes)]"#)
        #expect(pointers(json).contains("/member/rreCodes") == invalid)
    }

    @Test func duplicateServiceIdsAreInvalid() {
        let s = #"{"id":"a","date":"2025-05-02","component":"CRS","format":"group","minutes":60,"location":"onsite"}"#
        #expect(
            pointers(valid.replacingOccurrences(of: #""services":["#, with: #""services":[\#(s),\#(s),"#)) == [
                "/services/1/id"
            ])
    }

    @Test func idsCompareByteForByte() {
        func service(_ id: String) -> String {
            #"{"id":"\#(id)","date":"2025-05-02","component":"CRS","format":"group","minutes":60,"location":"onsite"}"#
        }
        func with(_ a: String, _ b: String, _ c: String) -> String {
            valid.replacingOccurrences(
                of: #""services":["#, with: #""services":[\#(service(a)),\#(service(b)),\#(service(c)),"#)
        }
        // "é" precomposed and decomposed: equal as Swift Strings, two different ids on the wire.
        #expect(pointers(with("caf\u{E9}", "cafe\u{301}", "x")) == [])
        // The same id spelled once with an escape and once without is the same id, and every repeat is named.
        #expect(pointers(with("caf\u{E9}", "caf\\u00e9", "caf\u{E9}")) == ["/services/1/id", "/services/2/id"])
    }

    @Test(arguments: [(1000, false), (1001, true)])
    func atMostOneThousandServices(count: Int, invalid: Bool) {
        let s = #"{"date":"2025-05-02","component":"CRS","format":"group","minutes":60,"location":"onsite"}"#
        let json =
            #"{"memberId":"M","month":"2025-05","member":{"status":"preadmission"},"services":["#
            + Array(repeating: s, count: count).joined(separator: ",") + "]}"
        #expect(pointers(json) == (invalid ? ["/services"] : []))
    }

    @Test(arguments: [(64, false), (65, true)])
    func memberIdLength(length: Int, invalid: Bool) {
        let json = valid.replacingOccurrences(of: #""M-1""#, with: "\"" + String(repeating: "x", count: length) + "\"")
        #expect(pointers(json) == (invalid ? ["/memberId"] : []))
    }

    @Test func priorMonthsMustPrecedeTheMonth() {
        #expect(
            pointers(
                valid.replacingOccurrences(
                    of: #""services""#, with: #""priorPreadmissionMonths":["2025-04","2025-05"],"services""#))
                == ["/priorPreadmissionMonths/1"])
    }

    @Test func unknownFieldsAreIgnoredAndNamed() throws {
        let json = valid.replacingOccurrences(of: #""month""#, with: #""extra":{"a":[1,2,{"b":null}]},"month""#)
        let m = try MemberMonthDecoder.decode(Array(json.utf8))
        #expect(m == (try MemberMonthDecoder.decode(Array(valid.utf8))).with(unknownFields: ["/extra"]))
    }

    @Test(arguments: [
        (#"{"memberId":"M",}"#, 16), ("", 0), (#"{"a":tru}"#, 5), (#"{"a":"\x"}"#, 6), (#"{"a":1} x"#, 8), ("[", 1),
    ])
    func malformedJSONNamesTheByteOffset(json: String, offset: Int) {
        do { _ = try MemberMonthDecoder.decode(Array(json.utf8)); Issue.record("decoded") } catch let .syntax(e) {
            #expect(e.offset == offset, "\(e.reason)")
        } catch { Issue.record("\(error)") }
    }

    @Test func theProblemListsEveryFieldWithItsPointer() {
        let result = pricer.price(
            json: Array(#"{"memberId":"M","month":"2025-05","member":{"status":"x"},"services":[{"minutes":0}]}"#.utf8))
        guard case .failure(let problem) = result else { Issue.record("priced"); return }
        #expect(problem.status == 422)
        #expect(problem.type == "urn:pros-pricer:problem:validation")
        #expect(problem.detail == "\(problem.errors.count) fields are invalid")
        #expect(problem.errors.contains(FieldError("/services/0/minutes", "must be between 1 and 1440")))
    }

    @Test func anUncoveredMonthIsA422NamingTheEarliestMonth() {
        let result = pricer.price(
            json: Array(#"{"memberId":"M","month":"2025-03","member":{"status":"preadmission"},"services":[]}"#.utf8))
        guard case .failure(let problem) = result else { Issue.record("priced"); return }
        #expect(problem.status == 422)
        #expect(
            problem.errors == [
                FieldError("/month", "no rule set covers 2025-03; the earliest supported month is 2025-04")
            ])
    }
}

extension MemberMonth {
    func with(unknownFields: [String]) -> MemberMonth {
        var m = self
        m.unknownFields = unknownFields
        return m
    }
}
