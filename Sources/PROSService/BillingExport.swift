import CSV
import JSON
import PROSRules
import PROSWire

/// A billing export (CSV, one row per service) read into member-months and priced through the same
/// decoder and pricer as the JSON API, so every validation rule applies the same way.
///
/// Reading keeps only each row's byte offset and its member-month key; a member-month's rows are
/// read again when it is priced. Each member-month becomes the JSON object the API takes, and every
/// error pointer of the answer (`/services/3/minutes`, `/member/admissionDate`) is mapped back to the
/// row and column it came from.
public struct BillingExport: @unchecked Sendable {  // its bytes are only read
    /// The columns of an export; names match the header case-insensitively.
    public enum Column: Int, CaseIterable, Sendable {
        // Service columns: one value per row.
        case memberId, date, component, format, minutes, location
        case id, startTime, telehealth, employmentSetting, prescriberContact, service
        // Member-month columns: one value per member-month, on every row or only some.
        case month, status, admissionDate, dischargeDate, rreCodes, medicationManagement, lastPrescriberContact
        case prescriberContactDates, targetPopulation, rateSchedule, payer, priorPreadmissionMonths

        /// The column's name (as the header spells it, compared case-insensitively).
        public var name: String { Self.names[rawValue] }
        static let names: [String] = allCases.map { String(describing: $0) }
        init?(name: String) {
            guard let i = Self.names.firstIndex(of: name) else { return nil }
            self.init(rawValue: i)
        }
        /// The member name in the member-month JSON.
        var key: StaticString {
            switch self {
            case .memberId: "memberId"
            case .date: "date"
            case .component: "component"
            case .format: "format"
            case .minutes: "minutes"
            case .location: "location"
            case .id: "id"
            case .startTime: "startTime"
            case .telehealth: "telehealth"
            case .employmentSetting: "employmentSetting"
            case .prescriberContact: "prescriberContact"
            case .service: "service"
            case .month: "month"
            case .status: "status"
            case .admissionDate: "admissionDate"
            case .dischargeDate: "dischargeDate"
            case .rreCodes: "rreCodes"
            case .medicationManagement: "medicationManagement"
            case .lastPrescriberContact: "lastPrescriberContact"
            case .prescriberContactDates: "prescriberContactDates"
            case .targetPopulation: "targetPopulation"
            case .rateSchedule: "rateSchedule"
            case .payer: "payer"
            case .priorPreadmissionMonths: "priorPreadmissionMonths"
            }
        }

        static let required: [Column] = [.memberId, .date, .component, .format, .minutes, .location]
        static let serviceColumns: [Column] = [
            .id, .date, .startTime, .component, .format, .minutes, .location,
            .telehealth, .employmentSetting, .prescriberContact, .service,
        ]
        static let memberMonthColumns: [Column] = [
            .month, .status, .admissionDate, .dischargeDate, .rreCodes,
            .medicationManagement, .lastPrescriberContact,
            .prescriberContactDates, .targetPopulation, .rateSchedule,
            .payer, .priorPreadmissionMonths,
        ]
        /// Where the value goes in the member-month JSON.
        var memberField: Bool {
            switch self {
            case .status, .admissionDate, .dischargeDate, .rreCodes, .medicationManagement, .lastPrescriberContact,
                .prescriberContactDates, .targetPopulation:
                true
            default: false
            }
        }
        var kind: Kind {
            switch self {
            case .minutes: .number
            case .employmentSetting, .prescriberContact, .medicationManagement, .targetPopulation: .boolean
            case .rreCodes, .prescriberContactDates, .priorPreadmissionMonths: .list
            default: .string
            }
        }
        enum Kind { case string, number, boolean, list }
    }

    /// An error located in the export: its row (1-based, the header is row 1) and column, when known.
    public struct CellError: Sendable, Equatable {
        public var row: Int
        public var column: String?
        public var detail: String
        /// The member-month JSON pointer the error came from, when it came from the decoder or pricer.
        public var pointer: String?

        public init(row: Int, column: String?, detail: String, pointer: String? = nil) {
            self.row = row; self.column = column; self.detail = detail; self.pointer = pointer
        }
    }

    /// Why an export (or one member-month of it) is refused: a problem object whose errors name rows and columns.
    public struct Refusal: Error, Sendable, Equatable {
        public var type: String
        public var title: String
        public var status: Int
        public var detail: String
        public var errors: [CellError]

        public func write(to w: inout JSONWriter) {
            w.beginProblem(type: type, title: title, status: status, detail: detail)
            w.key("errors")
            w.beginArray()
            for e in errors {
                w.beginObject()
                w.field("row", e.row)
                w.field("column", optional: e.column)
                if let p = e.pointer { w.field("pointer", p) }
                w.field("detail", e.detail)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }

        public func jsonBytes() -> [UInt8] {
            var w = JSONWriter(capacity: 256)
            write(to: &w)
            return w.bytes
        }

        static func invalidExport(_ errors: [CellError]) -> Refusal {
            Refusal(
                type: "urn:pros-pricer:problem:invalid-export", title: "Invalid billing export", status: 422,
                detail: errors.count == 1 ? "1 problem in the export" : "\(errors.count) problems in the export",
                errors: errors)
        }
    }

    /// One member-month of the export: its key, and where its rows are.
    public struct Group: Sendable {
        public var memberId: String
        public var month: String
        /// Indices into `rows`, in file order.
        var rowIndices: [Int]
    }

    struct Row: Sendable {
        var offset: Int
        var number: Int
    }

    /// The whole export; its bytes must stay alive and unchanged while the export is priced.
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Column index in a record, by `Column` (declaration order); -1 when the header lacks it.
    let columnIndex: [Int]
    let headerCount: Int
    let rows: [Row]
    /// Sorted by member id, then month.
    public let groups: [Group]
    /// Ranges of `groups` that share a member id, in order: each is priced in month order.
    public let members: [Range<Int>]

    public var rowCount: Int { rows.count }

    /// Reads the header and groups the rows. A malformed file (bad quoting, a missing or duplicate
    /// header column) is refused whole; a bad row only fails its own member-month when priced.
    public init(_ bytes: UnsafeBufferPointer<UInt8>) throws(Refusal) {
        self.bytes = bytes
        var reader = CSVReader(bytes)
        var fields: [CSVField] = []
        var record = 0
        func malformed(_ e: CSVError, _ row: Int) -> Refusal {
            Refusal(
                type: "urn:pros-pricer:problem:malformed-csv", title: "Malformed CSV", status: 400,
                detail: "invalid CSV in row \(row) at byte \(e.offset): \(e.reason)",
                errors: [CellError(row: row, column: nil, detail: e.reason)])
        }
        let header: Int?
        do { header = try reader.next(into: &fields) } catch { throw malformed(error, 1) }
        guard header != nil else {
            let why = "the export is empty: a header row is required"
            throw .invalidExport([CellError(row: 1, column: nil, detail: why)])
        }
        record = 1
        // The header.
        var index = [Int](repeating: -1, count: Column.allCases.count)
        var headerErrors: [CellError] = []
        for (i, f) in fields.enumerated() {
            let name = f.withValue(in: bytes) { String(decoding: Self.trimmed($0), as: UTF8.self) }.lowercased()
            guard let c = Column.names.firstIndex(where: { $0.lowercased() == name }) else { continue }
            if index[c] >= 0 {
                headerErrors.append(
                    CellError(
                        row: 1, column: Column.names[c],
                        detail: "appears twice in the header (cells \(index[c] + 1) and "
                            + "\(i + 1))"))
            }
            index[c] = i
        }
        for c in Column.required where index[c.rawValue] < 0 {
            headerErrors.append(
                CellError(
                    row: 1, column: c.name,
                    detail: "is a required column; the header has none"))
        }
        guard headerErrors.isEmpty else { throw Refusal.invalidExport(headerErrors) }
        columnIndex = index
        headerCount = fields.count
        // The rows: their offsets and member-month keys.
        let memberIdAt = index[Column.memberId.rawValue]
        let monthAt = index[Column.month.rawValue]
        let dateAt = index[Column.date.rawValue]
        var rows: [Row] = []
        var byKey: [GroupKey: Int] = [:]
        var groups: [Group] = []
        var key: [UInt8] = []
        var previousKey: [UInt8] = [0xFF]  // never a key: a key holds one 0 byte
        var previousGroup = -1
        while true {
            let start: Int?
            do { start = try reader.next(into: &fields) } catch { throw malformed(error, record + 1) }
            guard let start else { break }
            record += 1
            if fields.allSatisfy({ Self.trimmed(UnsafeBufferPointer(rebasing: bytes[$0.start..<$0.end])).isEmpty }) {
                continue  // a blank line, or a row of empty cells: a spreadsheet's padding
            }
            // The member-month key as bytes (member id, a 0 byte, month): a row of the same member-month as
            // the row before it (the usual order of an export) joins its group without hashing.
            key.removeAll(keepingCapacity: true)
            Self.appendCell(fields, memberIdAt, bytes, to: &key)
            key.append(0)
            let monthStart = key.count
            Self.appendCell(fields, monthAt, bytes, to: &key)
            if key.count == monthStart {
                // The month of the date; a date that does not exist (2025-06-31) still names its month, so
                // that its row is refused with the rest of its member-month, not on its own.
                var date: [UInt8] = []
                Self.appendCell(fields, dateAt, bytes, to: &date)
                if date.count == 10, Self.isMonth(date[0..<7]) { key += date[0..<7] }
            }
            let g: Int
            if key == previousKey {
                g = previousGroup
            } else {
                let memberId = String(decoding: key[..<(monthStart - 1)], as: UTF8.self)
                let month = String(decoding: key[monthStart...], as: UTF8.self)
                let k = GroupKey(memberId: memberId, month: month)
                if let existing = byKey[k] {
                    g = existing
                } else {
                    g = groups.count
                    byKey[k] = g
                    groups.append(Group(memberId: memberId, month: month, rowIndices: []))
                }
                swap(&key, &previousKey)
                previousGroup = g
            }
            groups[g].rowIndices.append(rows.count)
            rows.append(Row(offset: start, number: record))
        }
        groups.sort { $0.memberId != $1.memberId ? $0.memberId < $1.memberId : $0.month < $1.month }
        var members: [Range<Int>] = []
        var i = 0
        while i < groups.count {
            var j = i + 1
            while j < groups.count && groups[j].memberId == groups[i].memberId { j += 1 }
            members.append(i..<j)
            i = j
        }
        self.rows = rows
        self.groups = groups
        self.members = members
    }

    struct GroupKey: Hashable {
        var memberId: String
        var month: String
    }

    // MARK: pricing

    /// One priced (or refused) member-month.
    public struct Outcome: Sendable {
        public var memberId: String
        public var month: String
        /// Its rows' numbers, in file order.
        public var rows: [Int]
        public var result: Result<PricedClaim, Refusal>

        public init(memberId: String, month: String, rows: [Int], result: Result<PricedClaim, Refusal>) {
            self.memberId = memberId; self.month = month; self.rows = rows; self.result = result
        }
    }

    /// Prices one member's months (`members[index]`) in month order, carrying pre-admission history:
    /// a month billed at the pre-admission rate counts as a prior pre-admission month for the later ones.
    public func priceMember(_ index: Int, with pricer: Pricer) -> [Outcome] {
        var carried: [String] = []
        var out: [Outcome] = []
        for g in members[index] {
            let group = groups[g]
            let (json, origins, csvErrors) = memberMonthJSON(group, carried: carried)
            let priced = pricer.price(json: json)
            var result: Result<PricedClaim, Refusal>
            switch priced {
            case .success(let claim):
                result = csvErrors.isEmpty ? .success(claim) : .failure(.invalidExport(csvErrors))
            case .failure(let problem):
                var errors = csvErrors
                for e in problem.errors {
                    var cell = origins.locate(e.pointer)
                    cell.detail = e.detail
                    cell.pointer = e.pointer
                    if !errors.contains(where: { $0.row == cell.row && $0.column == cell.column }) {
                        errors.append(cell)
                    }
                }
                if errors.isEmpty {
                    errors.append(CellError(row: origins.firstRow, column: nil, detail: problem.detail))
                }
                errors.sort { ($0.row, $0.column ?? "") < ($1.row, $1.column ?? "") }
                let detail =
                    problem.status == 422 && problem.type == "urn:pros-pricer:problem:validation"
                    ? (errors.count == 1 ? "1 cell is invalid" : "\(errors.count) cells are invalid") : problem.detail
                result = .failure(
                    Refusal(
                        type: problem.type, title: problem.title, status: problem.status,
                        detail: detail, errors: errors))
            }
            if case .success(let claim) = result, claim.lines.contains(where: { $0.kind == .preadmission }) {
                carried.append(group.month)
            }
            out.append(
                Outcome(
                    memberId: group.memberId, month: group.month,
                    rows: group.rowIndices.map { rows[$0].number }, result: result))
        }
        return out
    }

    /// Where each part of a member-month's JSON came from.
    struct Origins {
        var firstRow: Int
        var serviceRows: [Int]
        /// The row a member-month column's value came from (its first non-empty cell), 0 if none, by column.
        var memberMonth = [Int](repeating: 0, count: Column.allCases.count)
        func origin(_ c: Column) -> Int? { memberMonth[c.rawValue] > 0 ? memberMonth[c.rawValue] : nil }
        var monthColumn: String

        /// The row and column of a member-month JSON pointer.
        func locate(_ pointer: String) -> CellError {
            let parts = pointer.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            func mm(_ c: Column) -> CellError {
                CellError(row: origin(c) ?? firstRow, column: c.name, detail: "")
            }
            guard let head = parts.first else { return CellError(row: firstRow, column: nil, detail: "") }
            switch head {
            case "services":
                guard parts.count >= 2, let i = Int(parts[1]), i >= 0, i < serviceRows.count else {
                    return CellError(row: firstRow, column: nil, detail: "")
                }
                let column = parts.count >= 3 ? Column(name: parts[2])?.name : nil
                return CellError(row: serviceRows[i], column: column, detail: "")
            case "member":
                guard parts.count >= 2, let c = Column(name: parts[1]) else { return mm(.status) }
                return mm(c)
            case "month":
                return CellError(row: origin(.month) ?? firstRow, column: monthColumn, detail: "")
            case "memberId":
                return CellError(row: firstRow, column: Column.memberId.name, detail: "")
            default:
                if let c = Column(name: head) { return mm(c) }
                return CellError(row: firstRow, column: nil, detail: "")
            }
        }
    }

    /// The member-month as the JSON the API takes, where its parts came from, and the errors only CSV
    /// can have (conflicting member-month values, unreadable booleans, bad UTF-8, stray cells).
    func memberMonthJSON(_ group: Group, carried: [String]) -> ([UInt8], Origins, [CellError]) {
        let firstRow = rows[group.rowIndices[0]].number
        var origins = Origins(firstRow: firstRow, serviceRows: [], monthColumn: Column.date.name)
        var errors: [CellError] = []
        var values = [String?](repeating: nil, count: Column.allCases.count)
        var fields: [CSVField] = []
        var w = JSONWriter(capacity: 256 + group.rowIndices.count * 160)
        w.beginObject()
        w.key("services")
        w.beginArray()
        for r in group.rowIndices {
            let row = rows[r]
            let number = row.number
            var reader = CSVReader(bytes, at: row.offset)
            _ = try? reader.next(into: &fields)  // read whole once already: it cannot fail now
            origins.serviceRows.append(number)
            if fields.count > headerCount,
                fields[headerCount...].contains(where: { !Self.trimmed(cellBytes($0)).isEmpty })
            {
                errors.append(
                    CellError(
                        row: number, column: nil,
                        detail: "has \(fields.count) cells; the header names \(headerCount)"))
            }
            // Member-month columns: the first non-empty value counts; a different one later is a conflict.
            for c in Column.memberMonthColumns {
                guard let value = text(c, fields, number, &errors), !value.isEmpty else { continue }
                if let seen = values[c.rawValue] {
                    if seen != value {
                        let first = origins.memberMonth[c.rawValue]
                        errors.append(
                            CellError(
                                row: number, column: c.name,
                                detail: "differs from row \(first): a member-month has one "
                                    + c.name))
                    }
                } else {
                    values[c.rawValue] = value
                    origins.memberMonth[c.rawValue] = number
                }
            }
            // The service.
            w.beginObject()
            var hasId = false
            for c in Column.serviceColumns {
                guard let value = text(c, fields, number, &errors), !value.isEmpty else { continue }
                if c == .id { hasId = true }
                write(c, value, row: number, to: &w, &errors)
            }
            if !hasId { w.field("id", String(number)) }
            w.endObject()
        }
        w.endArray()
        if !group.memberId.isEmpty { w.field("memberId", group.memberId) }
        if !group.month.isEmpty { w.field("month", group.month) }
        if origins.origin(.month) != nil { origins.monthColumn = Column.month.name }
        for c in [Column.rateSchedule, .payer] {
            if let v = values[c.rawValue] { write(c, v, row: origins.memberMonth[c.rawValue], to: &w, &errors) }
        }
        var prior: [String] = []
        if let v = values[Column.priorPreadmissionMonths.rawValue] { prior = Self.list(v) }
        for m in carried where !prior.contains(m) { prior.append(m) }
        if !prior.isEmpty { w.stringArray("priorPreadmissionMonths", prior) }
        w.key("member")
        w.beginObject()
        for c in Column.memberMonthColumns where c.memberField {
            if let v = values[c.rawValue] { write(c, v, row: origins.memberMonth[c.rawValue], to: &w, &errors) }
        }
        w.endObject()
        w.endObject()
        return (w.bytes, origins, errors)
    }

    /// A cell's bytes (raw, as in the file; quoted cells inside their quotes).
    func cellBytes(_ f: CSVField) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[f.start..<f.end])
    }

    /// A column's cell in a record, trimmed, as text; nil when the header lacks the column or the cell is
    /// not UTF-8 (an error is recorded).
    func text(_ c: Column, _ fields: [CSVField], _ row: Int, _ errors: inout [CellError]) -> String? {
        let at = columnIndex[c.rawValue]
        guard at >= 0, at < fields.count else { return nil }
        return fields[at].withValue(in: bytes) { raw in
            let t = Self.trimmed(raw)
            if t.isEmpty { return "" }
            // ASCII (nearly every cell) needs no validation; anything else is checked as UTF-8.
            var ascii = true
            for c in t where c >= 0x80 { ascii = false; break }
            if ascii { return String(decoding: t, as: UTF8.self) }
            guard let s = String(validating: t, as: UTF8.self) else {
                errors.append(CellError(row: row, column: c.name, detail: "is not valid UTF-8"))
                return nil
            }
            return s
        }
    }

    /// Writes `"column": value` as the JSON type the API takes.
    func write(_ c: Column, _ value: String, row: Int, to w: inout JSONWriter, _ errors: inout [CellError]) {
        switch c.kind {
        case .string where c == .startTime:
            // Spreadsheets write 9:05 for 09:05.
            let t = value.utf8.count == 4 && value.utf8.dropFirst().first == UInt8(ascii: ":") ? "0" + value : value
            w.key(c.key); w.string(t)
        case .string:
            w.key(c.key); w.string(value)
        case .number:
            w.key(c.key)
            if Self.isJSONNumber(value) { w.raw(Array(value.utf8)) } else { w.string(value) }  // the decoder says why
        case .boolean:
            switch value.lowercased() {
            case "true", "yes", "1": w.key(c.key); w.bool(true)
            case "false", "no", "0": w.key(c.key); w.bool(false)
            default:
                let why = "must be true or false, yes or no, 1 or 0"
                errors.append(CellError(row: row, column: c.name, detail: why))
            }
        case .list:
            w.key(c.key)
            w.beginArray()
            for item in Self.list(value) { w.string(item) }
            w.endArray()
        }
    }

    /// A `;`-separated list: items trimmed, empty ones dropped.
    static func list(_ value: String) -> [String] {
        value.split(separator: ";").compactMap { item in
            let t = Array(item.utf8).withUnsafeBufferPointer { String(decoding: trimmed($0), as: UTF8.self) }
            return t.isEmpty ? nil : t
        }
    }

    /// Whether the text is a JSON number (RFC 8259 §6), so that it can be written as one.
    static func isJSONNumber(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        func digits() -> Int { let s = i; while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }; return i - s }
        if i < b.count && b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { return false }
        if b[i] == 0x30 { i += 1 } else if digits() == 0 { return false }
        if i < b.count && b[i] == UInt8(ascii: ".") { i += 1; if digits() == 0 { return false } }
        if i < b.count && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            if i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            if digits() == 0 { return false }
        }
        return i == b.count
    }

    /// Appends a cell's trimmed value (nothing when the record has no such cell).
    static func appendCell(
        _ fields: [CSVField], _ at: Int, _ bytes: UnsafeBufferPointer<UInt8>,
        to out: inout [UInt8]
    ) {
        guard at >= 0, at < fields.count else { return }
        fields[at].withValue(in: bytes) { out.append(contentsOf: trimmed($0)) }
    }

    /// Whether the bytes are a month YYYY-MM (years 0001 to 9999), as `YearMonth` reads one.
    static func isMonth(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.count == 7 else { return false }
        let d = Array(b)
        func digit(_ i: Int) -> Int? { d[i] >= 0x30 && d[i] <= 0x39 ? Int(d[i] - 0x30) : nil }
        guard d[4] == UInt8(ascii: "-"), let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3),
            let m0 = digit(5), let m1 = digit(6)
        else { return false }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        let month = m0 * 10 + m1
        return year >= 1 && (1...12).contains(month)
    }

    /// Without leading and trailing spaces and tabs.
    static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var s = 0
        var e = b.count
        while s < e && (b[s] == 0x20 || b[s] == 0x09) { s += 1 }
        while e > s && (b[e - 1] == 0x20 || b[e - 1] == 0x09) { e -= 1 }
        return UnsafeBufferPointer(rebasing: b[s..<e])
    }
}
