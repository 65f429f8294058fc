import Foundation
import JSON
import PROSRules
import PROSService
import PROSWire
import Testing

/// Billing exports (CSV) priced as the JSON API prices the same member-months: answers are compared
/// with the JSON API's own, never with finding text.
@Suite struct BillingExportTests {
    static let pricer = Pricer(book: RuleBook.builtIn())
    static let seeds = ["ashley", "jorge", "joe", "mary"]

    static func price(_ csv: [UInt8], workers: Int = 1) throws(BillingExport.Refusal) -> [BillingExport.Outcome] {
        try csv.withUnsafeBufferPointer { buf throws(BillingExport.Refusal) in
            let export = try BillingExport(buf)
            var all: [BillingExport.Outcome] = []
            export.priceAll(
                with: pricer, workers: workers, format: .ndjson, onOutcome: { all.append($0) },
                emit: { _ in })
            return all
        }
    }
    static func price(_ csv: String, workers: Int = 1) throws(BillingExport.Refusal) -> [BillingExport.Outcome] {
        try price(Array(csv.utf8), workers: workers)
    }

    static let serviceColumns = [
        "id", "date", "startTime", "component", "format", "minutes", "location", "telehealth",
        "service", "employmentSetting", "prescriberContact",
    ]
    static let memberColumns = [
        "status", "admissionDate", "dischargeDate", "rreCodes", "medicationManagement",
        "lastPrescriberContact",
    ]

    /// The CSV rows of a member-month (JSON), member-month values on every row or on the first only.
    static func rows(_ month: JSONValue, header: [String], everyRow: Bool) -> [[String]] {
        guard case .array(let services) = month["services"]! else { return [] }
        func text(_ v: JSONValue?) -> String {
            switch v {
            case .string(let s)?: s
            case .number(let n)?: n
            case .bool(let b)?: b ? "yes" : "no"
            case .array(let items)?: items.map { text($0) }.joined(separator: ";")
            default: ""
            }
        }
        return services.enumerated().map { i, s in
            header.map { name in
                let all =
                    serviceColumns + memberColumns
                    + ["memberId", "month", "rateSchedule", "priorPreadmissionMonths"]
                let column = all.first { $0.lowercased() == name.lowercased() } ?? name
                if serviceColumns.contains(column) { return text(s[column]) }
                if column == "memberId" { return text(month["memberId"]) }
                guard everyRow || i == 0 else { return "" }
                if memberColumns.contains(column) { return text(month["member"]?[column]) }
                return text(month[column])
            }
        }
    }

    static let header =
        [
            "MemberID", "month", "Status", "admissionDate", "rreCodes", "rateSchedule",
            "priorPreadmissionMonths",
        ]
        + serviceColumns

    static func csv(_ header: [String], _ rows: [[String]], lineEnd: String = "\n") -> [UInt8] {
        var out: [UInt8] = []
        for record in [header] + rows {
            out += Array(record.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",").utf8)
            out += Array(lineEnd.utf8)
        }
        return out
    }

    static func seed(_ name: String) throws -> JSONValue { try JSONValue.parse(try fixtureRequest(name)) }

    static func jsonAnswer(_ month: JSONValue) -> [UInt8] {
        var w = JSONWriter()
        w.value(month)
        switch pricer.price(json: w.bytes) {
        case .success(let c): return c.jsonBytes()
        case .failure(let p): return p.jsonBytes()
        }
    }

    @Test(arguments: [(false, "\n"), (true, "\r\n")])
    func theSeedExamplesPriceExactlyAsTheirJSON(everyRow: Bool, lineEnd: String) throws {
        var rows: [[String]] = []
        for name in Self.seeds { rows += Self.rows(try Self.seed(name), header: Self.header, everyRow: everyRow) }
        let bytes = [0xEF, 0xBB, 0xBF] + Self.csv(Self.header.map { $0.uppercased() }, rows, lineEnd: lineEnd)
        let outcomes = try Self.price(bytes)
        #expect(outcomes.map(\.memberId) == ["SEED-ASHLEY", "SEED-JOE", "SEED-JORGE", "SEED-MARY"])
        for o in outcomes {
            let name = o.memberId.dropFirst(5).lowercased()
            let claim = try o.result.get()
            #expect(claim.jsonBytes() == Self.jsonAnswer(try Self.seed(name)), "\(name)")
        }
    }

    @Test(arguments: [true, false])
    func shuffledRowsGiveTheSameAnswers(everyRow: Bool) throws {
        // With member-month values on one row only, shuffling moves that row anywhere in its member-month.
        var rows: [[String]] = []
        for name in Self.seeds { rows += Self.rows(try Self.seed(name), header: Self.header, everyRow: everyRow) }
        let inOrder = try Self.price(Self.csv(Self.header, rows))
        var generator = SeededGenerator(seed: 14)
        for round in 0..<5 {
            let shuffled = rows.shuffled(using: &generator)
            let outcomes = try Self.price(Self.csv(Self.header, shuffled), workers: round % 2 + 1)
            #expect(outcomes.map(\.memberId) == inOrder.map(\.memberId))
            for (a, b) in zip(inOrder, outcomes) {
                let x = try a.result.get(), y = try b.result.get()
                #expect(x.lines == y.lines && x.total == y.total && x.units == y.units, "\(a.memberId)")
                #expect(Set(x.findings.map(\.code)) == Set(y.findings.map(\.code)))
                func accrued(_ c: PricedClaim) -> [Int] { c.services.sorted { $0.id < $1.id }.map(\.accrued) }
                #expect(accrued(x) == accrued(y))
                // Services keep their rows' order: the same answer as the JSON API given that order.
                let ids = b.rows.map { shuffled[$0 - 2][Self.header.firstIndex(of: "id")!] }
                #expect(y.services.map(\.id) == ids)
            }
        }
    }

    /// A member in pre-admission for three months of one file: the first two bill 4510, the third is denied
    /// (at most two consecutive months), whatever the order of the rows.
    @Test func aThirdConsecutivePreadmissionMonthIsDenied() throws {
        let header = ["memberId", "date", "component", "format", "minutes", "location", "status"]
        var rows: [[String]] = []
        for m in ["2025-07", "2025-06", "2025-05"] {
            rows.append(["M-PRE", "\(m)-03", "CRS", "individual", "60", "onsite", "preadmission"])
            rows.append(["M-PRE", "\(m)-10", "CRS", "group", "60", "onsite", ""])
            if m != "2025-05" {
                rows.append(["M-OTHER", "\(m)-04", "CRS", "individual", "30", "onsite", "preadmission"])
            }
        }
        let outcomes = try Self.price(Self.csv(header, rows))
        let pre = outcomes.filter { $0.memberId == "M-PRE" }
        #expect(pre.map(\.month) == ["2025-05", "2025-06", "2025-07"])
        let claims = try pre.map { try $0.result.get() }
        #expect(claims[0].lines.map(\.kind) == [.preadmission])
        #expect(claims[1].lines.map(\.kind) == [.preadmission])
        #expect(claims[2].lines.isEmpty)
        #expect(claims[2].findings.map(\.code).contains(.preadmissionConsecutiveLimit))
        // Exactly the JSON API's answer for that month with its two prior months given.
        let july = try JSONValue.parse(
            Array(
                #"""
                {"memberId":"M-PRE","month":"2025-07","priorPreadmissionMonths":["2025-05","2025-06"],
                 "member":{"status":"preadmission"},
                 "services":[
                   {"id":"2","date":"2025-07-03","component":"CRS","format":"individual","minutes":60,"location":"onsite"},
                   {"id":"3","date":"2025-07-10","component":"CRS","format":"group","minutes":60,"location":"onsite"}]}
                """#.utf8))
        #expect(claims[2].jsonBytes() == Self.jsonAnswer(july))
        // Another member's months do not count for this one.
        let other = outcomes.filter { $0.memberId == "M-OTHER" }
        #expect(try other.allSatisfy { try $0.result.get().lines.map(\.kind) == [.preadmission] })
    }

    /// Months the file bills at 4510 are added to the months a row gives in `priorPreadmissionMonths`.
    @Test func carriedMonthsAreAddedToTheGivenOnes() throws {
        let header = [
            "memberId", "date", "component", "format", "minutes", "location", "status",
            "priorPreadmissionMonths",
        ]
        let rows = [
            ["M-P", "2025-06-03", "CRS", "individual", "60", "onsite", "preadmission", "2025-04"],
            ["M-P", "2025-05-03", "CRS", "individual", "60", "onsite", "preadmission", ""],
            ["M-Q", "2025-06-03", "CRS", "individual", "60", "onsite", "preadmission", "2025-04; 2025-05"],
        ]
        let outcomes = try Self.price(Self.csv(header, rows))
        #expect(outcomes.map { "\($0.memberId) \($0.month)" } == ["M-P 2025-05", "M-P 2025-06", "M-Q 2025-06"])
        let claims = try outcomes.map { try $0.result.get() }
        #expect(claims[0].lines.map(\.kind) == [.preadmission])  // May: the first month this file knows of
        #expect(claims[1].lines.isEmpty)  // June: April given, May billed here
        #expect(claims[1].findings.map(\.code).contains(.preadmissionConsecutiveLimit))
        #expect(claims[2].findings.map(\.code).contains(.preadmissionConsecutiveLimit))  // a list of two, given
    }

    @Test func errorsNameTheRowAndColumn() throws {
        let csv = """
            memberId,date,component,format,minutes,location,status,admissionDate,employmentSetting
            M-1,2025-05-02,CRS,group,60,onsite,admitted,2024-11-04,
            M-1,2025-05-03,CRS,group,2000,onsite,,,
            M-2,2025-05-02,CRS,group,60,onsite,admitted,2024-11-04,maybe
            M-3,2025-05-02,CRS,group,60,onsite,admitted,,
            M-4,2025-05-02,CRS,group,60,onsite,admitted,2024-11-04,
            M-4,2025-05-09,CRS,group,60,onsite,preadmission,2024-11-04,
            M-5,2025-05-09,XYZ,group,60,onsite,admitted,2024-11-04,
            M-6,2025-05-32,CRS,group,60,onsite,admitted,2024-11-04,
            M-6,2025-05-05,CRS,group,60,onsite,,,
            """
        let outcomes = try Self.price(csv)
        #expect(outcomes.map(\.memberId) == ["M-1", "M-2", "M-3", "M-4", "M-5", "M-6"])
        func cells(_ i: Int) -> [String] {
            guard case .failure(let r) = outcomes[i].result else { return ["priced"] }
            return r.errors.map { "\($0.row) \($0.column ?? "-")" }
        }
        #expect(outcomes[0].rows == [2, 3])
        #expect(cells(0) == ["3 minutes"])
        #expect(cells(1) == ["4 employmentSetting"])  // not a boolean
        #expect(cells(2) == ["5 admissionDate"])  // admitted without an admission date
        #expect(cells(3) == ["7 status"])  // conflicting member-month values
        #expect(cells(4) == ["8 component"])
        // A date that does not exist still names its month: its row fails with the rest of the member-month.
        #expect(outcomes[5].rows == [9, 10] && cells(5) == ["9 date"])
        // The detail of a mapped error is the JSON API's own.
        guard case .failure(let r) = outcomes[0].result else { return }
        let json =
            #"{"memberId":"M-1","month":"2025-05","member":{"status":"admitted","admissionDate":"2024-11-04"},"#
            + #""services":[{"date":"2025-05-03","component":"CRS","format":"group","minutes":2000,"#
            + #""location":"onsite"}]}"#
        guard case .failure(let p) = Self.pricer.price(json: Array(json.utf8)) else { Issue.record("priced"); return }
        #expect(r.errors[0].detail == p.errors[0].detail)
        #expect(r.errors[0].pointer == "/services/1/minutes")
    }

    @Test func aBadFileIsRefusedWhole() {
        func refusal(_ csv: String) -> BillingExport.Refusal? {
            do { _ = try Self.price(csv); return nil } catch { return error }
        }
        let missing = refusal("memberId,date,component,format,location\nM,2025-05-01,CRS,group,onsite\n")
        #expect(missing?.status == 422 && missing?.errors.map(\.column) == ["minutes"])
        let twice = refusal("memberId,date,component,format,minutes,location,Minutes\n")
        #expect(twice?.errors.map { "\($0.row) \($0.column ?? "")" } == ["1 minutes"])
        let quote = refusal(
            "memberId,date,component,format,minutes,location\nM,2025-05-01,CRS,group,60,onsite\n"
                + "M,\"2025\n")
        #expect(quote?.status == 400 && quote?.errors.map(\.row) == [3])
        #expect(refusal("")?.status == 422)
        // A header alone: nothing to price.
        #expect(refusal("memberId,date,component,format,minutes,location\n") == nil)
    }

    @Test func blankRowsUnknownColumnsQuotingAndDefaults() throws {
        let csv =
            "Note,memberId,date,component,format,minutes,location,status,admissionDate,telehealth,rreCodes,"
            + "startTime\r\n"
            + "\"a, \"\"quoted\"\" note\",M-1,2025-05-02,CRS,group, 60 ,onsite,admitted,2024-11-04,audio-video,"
            + "84; 85,\r\n"
            + ",,,,,,,,,,,\r\n\r\n"
            + "x,M-1,2025-05-05,CRS,individual,\"60\",offsite,,,,,9:30\r\n"
        let outcomes = try Self.price(csv)
        #expect(outcomes.count == 1 && outcomes[0].rows == [2, 5])
        let claim = try outcomes[0].result.get()
        let json =
            #"{"memberId":"M-1","month":"2025-05","#
            + #""member":{"status":"admitted","admissionDate":"2024-11-04","rreCodes":["84","85"]},"services":["#
            + #"{"id":"2","date":"2025-05-02","component":"CRS","format":"group","minutes":60,"location":"onsite","#
            + #""telehealth":"audio-video"},"#
            + #"{"id":"5","date":"2025-05-05","startTime":"09:30","component":"CRS","format":"individual","#
            + #""minutes":60,"location":"offsite"}]}"#
        #expect(claim.jsonBytes() == Self.jsonAnswer(try JSONValue.parse(Array(json.utf8))))
    }

    @Test func csvAnswersOneRowPerLineWithTheFormulaGuard() throws {
        let csv = """
            memberId,date,component,format,minutes,location,status,admissionDate
            =cmd,2025-05-02,CRS,individual,60,onsite,admitted,2024-11-04
            M-2,2025-05-02,CRS,individual,5,onsite,admitted,2024-11-04
            M-3,2025-05-02,CRS,individual,0,onsite,admitted,2024-11-04
            """
        var out = BillingExport.preamble(.csv)
        for o in try Self.price(csv) { BillingExport.write(o, .csv, into: &out) }
        let lines = String(decoding: out, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines[0] == BillingExport.csvHeader)
        #expect(lines[1].hasPrefix("'=cmd,2025-05,2025-05-31,base,"))
        #expect(lines[2].hasPrefix("M-2,2025-05,2025-05-31,none,,,,,,"))
        #expect(lines[3].hasPrefix("M-3,2025-05,,error,,,,,,row 4 minutes: "))
        #expect(lines.count == 5 && lines[4].isEmpty)
    }
}

/// A small deterministic generator (SplitMix64) so that shuffles repeat.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
