import Foundation
import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// The member-month decoder: its two paths (compact JSON read in place, anything else read in general)
/// must agree on every input, and the v2 input rules hold on both.
@Suite struct WireTests {
    /// The same JSON value written another way.
    enum Style: CaseIterable { case compact, spaced, escaped, reordered }

    static func write(_ v: JSONValue, _ style: Style) -> String {
        switch v {
        case .object(let members):
            let ordered = style == .reordered ? members.reversed() : members
            let sep = style == .spaced ? ",\n  " : ","
            let open = style == .spaced ? "{ " : "{"
            let close = style == .spaced ? " }" : "}"
            let colon = style == .spaced ? " : " : ":"
            return open + ordered.map { quoted($0.0, style) + colon + write($0.1, style) }.joined(separator: sep)
                + close
        case .array(let items):
            return "[" + items.map { write($0, style) }.joined(separator: style == .spaced ? ", " : ",") + "]"
        case .string(let s): return quoted(s, style)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// A JSON string; `escaped` writes every ASCII letter as a \u escape.
    static func quoted(_ s: String, _ style: Style) -> String {
        var w = JSONWriter()
        w.string(s)
        let plain = String(decoding: w.bytes, as: UTF8.self)
        guard style == .escaped else { return plain }
        return String(
            plain.unicodeScalars.map { c -> String in
                c.properties.isAlphabetic && c.isASCII ? String(format: "\\u%04x", c.value) : String(c)
            }.joined())
    }

    static func answer(_ json: String) -> [UInt8] {
        switch pricer.price(json: Array(json.utf8)) {
        case .success(let claim): return claim.jsonBytes()
        case .failure(let problem):
            // Error order follows member order, so a reordered object lists the same errors in another order.
            var p = problem
            p.errors.sort { $0.pointer < $1.pointer }
            return p.jsonBytes()
        }
    }

    static func inputs() throws -> [String] {
        let corpus = try RegressionCorpusTests.lines("regression.ndjson").map { String(decoding: $0, as: UTF8.self) }
        var rng = InvariantTests.RNG(state: 7)
        let generated = (0..<200).map { _ in write(request(InvariantTests.generate(&rng)), .compact) }
        return corpus + generated
    }

    /// A member-month as the API's request.
    static func request(_ m: MemberMonth) -> JSONValue {
        func date(_ d: CivilDate?) -> JSONValue { d.map { .string($0.description) } ?? .null }
        let services: [JSONValue] = m.services.map { s in
            var members: [(String, JSONValue)] = [
                ("id", .string(s.id)), ("date", date(s.date)), ("component", .string(s.component.rawValue)),
                ("format", .string(s.format.rawValue)), ("minutes", .number(String(s.minutes))),
                ("location", .string(s.location.rawValue)), ("telehealth", .string(s.telehealth.rawValue)),
                ("employmentSetting", .bool(s.employmentSetting)), ("prescriberContact", .bool(s.prescriberContact)),
            ]
            if let start = s.startMinute {
                members.append(("startTime", .string(String(format: "%02d:%02d", start / 60, start % 60))))
            }
            return .object(members)
        }
        let member: JSONValue = .object([
            ("status", .string(m.member.status.rawValue)), ("admissionDate", date(m.member.admissionDate)),
            ("dischargeDate", date(m.member.dischargeDate)),
            ("rreCodes", .array(m.member.rreCodes.map { .string($0) })),
            ("medicationManagement", .bool(m.member.medicationManagement)),
        ])
        return .object([
            ("memberId", .string(m.memberId)), ("month", .string(m.month.description)), ("member", member),
            ("services", .array(services)),
        ])
    }

    @Test func everyWayOfWritingAMonthGetsTheSameAnswer() throws {
        for (n, input) in try Self.inputs().enumerated() {
            let value = try JSONValue.parse(Array(input.utf8))
            let compact = Self.answer(Self.write(value, .compact))
            #expect(Self.answer(input) == compact, "input \(n) as sent")
            for style in Style.allCases.dropFirst() {
                let got = Self.answer(Self.write(value, style))
                if got != compact {
                    Issue.record("input \(n) written \(style): \(String(decoding: got.prefix(300), as: UTF8.self))")
                }
            }
            // The model too, not only the bytes out.
            let a = try? MemberMonthDecoder.decode(Array(Self.write(value, .compact).utf8))
            let b = try? MemberMonthDecoder.decode(Array(Self.write(value, .escaped).utf8))
            #expect(a == b, "input \(n): the decoded models differ")
        }
    }

    let base = #"{"memberId":"M-1","month":"2025-05","member":{"status":"admitted","admissionDate":"2025-01-02"},"#
    let service = #"{"date":"2025-05-02","component":"CRS","format":"group","minutes":60,"location":"onsite"}"#

    func errors(_ json: String) -> [FieldError] {
        do { _ = try MemberMonthDecoder.decode(Array(json.utf8)); return [] } catch let .invalid(e, _) {
            return e
        } catch { Issue.record("expected invalid, got \(error)"); return [] }
    }

    /// JSON numbers have no leading zeros (RFC 8259 §6): the compact path must not accept one either.
    @Test(arguments: ["060", "00", "-0"])
    func aLeadingZeroIsMalformedOnBothPaths(number: String) {
        for sep in [":", ": "] {
            let json =
                base + #""services":["#
                + service.replacingOccurrences(of: #""minutes":60"#, with: "\"minutes\"\(sep)\(number)") + "]}"
            let status: Int? =
                switch pricer.price(json: Array(json.utf8)) {
                case .success: nil
                case .failure(let p): p.status
                }
            #expect(status == (number == "-0" ? 422 : 400), "\(number) after \"\(sep)\"")
        }
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let json = base + #""services":[]}"#
        let m = try MemberMonthDecoder.decode([0xEF, 0xBB, 0xBF] + Array(json.utf8))
        #expect(m.memberId == "M-1")
    }

    @Test(arguments: [
        (
            #"{"memberId":"A","memberId":"B","month":"2025-05","member":{"status":"preadmission"},"services":[]}"#,
            "/memberId"
        ),
        (
            #"{"memberId":"A","month":"2025-05","member":{"status":"preadmission"},"services":[],"services":[]}"#,
            "/services"
        ),
        (
            #"{"memberId":"A","month":"2025-05","member":{"status":"preadmission","status":"admitted"},"services":[]}"#,
            "/member/status"
        ),
        (
            #"{"memberId":"A","month":"2025-05","member":{"status":"preadmission"},"services":[{"date":"2025-05-02","minutes":30,"component":"CRS","format":"group","minutes":60,"location":"onsite"}]}"#,
            "/services/0/minutes"
        ),
        (#"{"memberId":"A","month":"2025-05","x":1,"x":2,"member":{"status":"preadmission"},"services":[]}"#, "/x"),
    ])
    func aMemberNameTwiceIsAnErrorAtTheSecond(json: String, pointer: String) {
        let e = errors(json)
        #expect(e.map(\.pointer) == [pointer])
        #expect(e.first?.detail == "appears twice in one object; send each member once")
    }

    @Test func lengthsCountCodePoints() {
        // 64 e-acutes written as e + combining accent: 128 code points, 64 characters.
        let combining = String(repeating: "e\u{301}", count: 64)
        #expect(
            errors(base.replacingOccurrences(of: "M-1", with: combining) + #""services":[]}"#).map(\.pointer)
                == ["/memberId"])
        let precomposed = String(repeating: "é", count: 64)
        #expect(errors(base.replacingOccurrences(of: "M-1", with: precomposed) + #""services":[]}"#).isEmpty)
    }

    @Test func unknownMembersAreReportedByPointer() throws {
        let json =
            base.replacingOccurrences(of: #""status":"admitted""#, with: #""status":"admitted","rre":["84"]"#)
            + #""services":["#
            + service.replacingOccurrences(of: #""location""#, with: #""telehealh":"audio-only","location""#)
            + #"],"note/x":1}"#
        let claim = try pricer.price(MemberMonthDecoder.decode(Array(json.utf8)))
        let f = try #require(claim.finding(.unknownFieldsIgnored))
        #expect(f.severity == .info)
        #expect(f.message.contains("/member/rre, /services/0/telehealh, /note~1x"))
        // The free-text service name is known: no finding for it.
        let named =
            base + #""services":["# + service.replacingOccurrences(of: "{", with: #"{"service":"groups","#) + "]}"
        #expect(!(try pricer.price(MemberMonthDecoder.decode(Array(named.utf8)))).codes.contains(.unknownFieldsIgnored))
    }

    /// Two known names sharing a first letter (`service`, `startTime`) are both found by both paths.
    @Test func namesSharingALetterAreBothKnown() throws {
        let json = base + #""services":[{"service":"x","startTime":"09:00","# + service.dropFirst() + "]}"
        let m = try MemberMonthDecoder.decode(Array(json.utf8))
        #expect(m.services[0].startMinute == 540 && m.unknownFields.isEmpty)
        let spaced = try MemberMonthDecoder.decode(
            Array(Self.write(try JSONValue.parse(Array(json.utf8)), .spaced).utf8))
        #expect(spaced == m)
        #expect(ServiceKey.declared.count == ServiceKey.allCases.count - 1)  // every case but .other
    }

    /// The compact lookup finds every name of its table, also names sharing their first four bytes (chained)
    /// and names whose prefixes land in one slot (probed), and nothing else.
    @Test func theCompactLookupFindsEveryNameAndNothingElse() {
        let declared: [(key: ServiceKey, nameQuoteColon: StaticString)] = [
            (.service, #"service":"#), (.startTime, #"serviceDate":"#), (.id, #"servic":"#),
            (.date, #"date":"#), (.minutes, #"minutes":"#),
        ]
        let table = ServiceKey.Table(declared)
        func lookup(_ text: String) -> ServiceKey? {
            let bytes = Array((text + String(repeating: " ", count: 32)).utf8)  // room past `longest`
            return bytes.withUnsafeBufferPointer { table.match($0.baseAddress!)?.key }
        }
        for d in declared {
            let text = String(
                decoding: UnsafeBufferPointer(
                    start: d.nameQuoteColon.utf8Start,
                    count: d.nameQuoteColon.utf8CodeUnitCount), as: UTF8.self)
            #expect(lookup(text) == d.key, "\(text)")
        }
        for other in [#"servo":"#, #"servic""#, #"dates":"#, #"minute":"#, #"x":"#, #"serviceDat":"#] {
            #expect(lookup(other) == nil, "\(other)")
        }
        #expect((0..<ServiceKey.Table.slotCount).filter { table.slots[$0] >= 0 }.count == 3)  // serv, date, minu

        // Two prefixes that land in one slot ("ab": and "bm": both in slot 28): the second is found by probing.
        let (ab, bm): (StaticString, StaticString) = (#"ab":"#, #"bm":"#)
        let prefix = { (n: StaticString) in UnsafeRawPointer(n.utf8Start).loadUnaligned(as: UInt32.self) }
        #expect(ServiceKey.Table.slot(prefix(ab)) == ServiceKey.Table.slot(prefix(bm)))
        let probed = ServiceKey.Table([(.id, ab), (.date, bm)])
        for (n, key) in [(ab, ServiceKey.id), (bm, .date)] {
            var bytes = Array(UnsafeBufferPointer(start: n.utf8Start, count: n.utf8CodeUnitCount))
            bytes += Array(repeating: 0x20, count: 32)
            #expect(bytes.withUnsafeBufferPointer { probed.match($0.baseAddress!)?.key } == key)
        }
    }

    @Test func theFirstTwentyRRECodesAreKept() throws {
        let codes = (1...20).map { "\"\($0)\"" }.joined(separator: ",")
        let json =
            base.replacingOccurrences(of: #""status":"admitted""#, with: #""status":"admitted","rreCodes":[\#(codes)]"#)
            + #""services":[]}"#
        #expect(try MemberMonthDecoder.decode(Array(json.utf8)).member.rreCodes.count == 20)
    }
}
