import JSON
import PROSRules

/// Why a member-month could not be read: malformed JSON (a `400`) or invalid fields (a `422`).
public enum DecodeFailure: Error, Sendable, Equatable {
    case syntax(JSONSyntaxError)
    case invalid([FieldError])
}

/// Reads a member-month (API.md) straight from JSON bytes into the model in one pass, collecting
/// every invalid field with its pointer — not only the first — including contradictions between fields.
public enum MemberMonthDecoder {
    /// A service without an id is named by its index; the names are made once.
    static let indexIds = (0..<Validation.maxServices).map { String($0) }
    static func defaultId(_ index: Int) -> String { index < indexIds.count ? indexIds[index] : String(index) }

    public static func decode(_ bytes: [UInt8]) throws(DecodeFailure) -> MemberMonth {
        try bytes.withUnsafeBufferPointer { buffer throws(DecodeFailure) in try decode(buffer) }
    }

    public static func decode(_ buffer: UnsafeBufferPointer<UInt8>) throws(DecodeFailure) -> MemberMonth {
        var state = State()
        var reader = JSONReader(buffer)
        do {
            try state.readRoot(&reader)
            try reader.finish()
        } catch {
            throw .syntax(error)
        }
        return try state.build()
    }
}

/// The members of a service object (docs/api.md), declared once in `ServiceKey.declared`: the compact
/// path and the general path both find a name through that one table, so they cannot disagree on which
/// names are known. A service has a dozen members and a month up to a thousand services, so this runs often.
enum ServiceKey: CaseIterable, Sendable {
    case id, date, startTime, component, format, minutes, location, telehealth, employmentSetting
    case prescriberContact, service, other

    /// Every known member name, with its closing quote and colon as it appears in compact JSON.
    static let declared: [(key: ServiceKey, nameQuoteColon: StaticString)] = [
        (.id, #"id":"#), (.date, #"date":"#), (.startTime, #"startTime":"#), (.component, #"component":"#),
        (.format, #"format":"#), (.minutes, #"minutes":"#), (.location, #"location":"#),
        (.telehealth, #"telehealth":"#), (.employmentSetting, #"employmentSetting":"#),
        (.prescriberContact, #"prescriberContact":"#), (.service, #"service":"#),
    ]

    /// `declared` grouped by first letter: `entries[bucket[b]..<bucket[b + 1]]` start with byte `b`.
    struct Table: Sendable {
        let entries: [(key: ServiceKey, nameQuoteColon: StaticString)]
        let bucket: [Int]
        /// The longest name with its quote and colon: compact matching needs that many bytes ahead.
        let longest: Int

        init(_ declared: [(key: ServiceKey, nameQuoteColon: StaticString)]) {
            entries = declared.sorted { $0.nameQuoteColon.utf8Start[0] < $1.nameQuoteColon.utf8Start[0] }
            var bucket = [Int](repeating: entries.count, count: 257)
            for (i, e) in entries.enumerated().reversed() { bucket[Int(e.nameQuoteColon.utf8Start[0])] = i }
            for b in stride(from: 255, through: 0, by: -1) where bucket[b] > bucket[b + 1] { bucket[b] = bucket[b + 1] }
            self.bucket = bucket
            longest = declared.map(\.nameQuoteColon.utf8CodeUnitCount).max() ?? 0
            precondition(declared.allSatisfy { (4...24).contains($0.nameQuoteColon.utf8CodeUnitCount) })
        }
    }

    static let table = Table(declared)

    /// A member name read by the general path (its bytes, escapes decoded).
    init(_ key: JSONStringRef) {
        self = key.withBytes { b in
            guard let letter = b.first else { return .other }
            let table = Self.table
            for k in table.bucket[Int(letter)]..<table.bucket[Int(letter) + 1] {
                let name = table.entries[k].nameQuoteColon
                guard name.utf8CodeUnitCount - 2 == b.count else { continue }
                if sameBytes(UnsafeBufferPointer(start: name.utf8Start, count: b.count), b) {
                    return table.entries[k].key
                }
            }
            return .other
        }
    }
}

/// Whether `count` (4 to 24) bytes at `a` and `b` are equal, compared in at most three word loads.
@inline(__always) func sameShortBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
    if count >= 8 {
        guard x.loadUnaligned(as: UInt64.self) == y.loadUnaligned(as: UInt64.self) else { return false }
        if count > 16 && x.loadUnaligned(fromByteOffset: 8, as: UInt64.self) != y.loadUnaligned(fromByteOffset: 8, as: UInt64.self) {
            return false
        }
        return x.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
    return x.loadUnaligned(as: UInt32.self) == y.loadUnaligned(as: UInt32.self)
        && x.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == y.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
}

extension ServiceKey {
    /// The next member name of a service when sent compactly and known: found by its first letter in the
    /// table, checked whole with its closing quote and colon, then consumed. nil (nothing consumed)
    /// otherwise: the general path then reads it, whitespace, escapes, unknown names and the object's end.
    @inline(__always) static func compact(
        _ r: inout JSONReader, first: inout Bool, in table: borrowing Table
    ) -> ServiceKey? {
        guard let (at, rest) = r.compactMemberName(first: first), rest.count > table.longest,
            let base = rest.baseAddress
        else { return nil }
        let letter = Int(rest[0])
        for k in table.bucket[letter]..<table.bucket[letter + 1] {
            let name = table.entries[k].nameQuoteColon
            let length = name.utf8CodeUnitCount  // 4 to 24 bytes, and `rest` has more
            if sameShortBytes(base, name.utf8Start, length) {
                r.consumeMemberName(through: at + length, first: &first)
                return table.entries[k].key
            }
        }
        return nil
    }
}

private struct State {
    /// The service member names, read once a month rather than at every member.
    let keys = ServiceKey.table
    var errors: [FieldError] = []
    var memberId: String?
    var month: YearMonth?
    var rateSchedule: String?
    var memberSeen = false
    var status: MemberStatus?
    var admissionDate: CivilDate?
    var dischargeDate: CivilDate?
    var rreCodes: [String] = []
    var medicationManagement = false
    var lastPrescriberContact: CivilDate?
    var prior: [(month: YearMonth, index: Int)] = []
    var servicesSeen = false
    /// Services as read, straight into the model. One with a missing or invalid field is kept with
    /// placeholders for them: its errors then fail the request, so a placeholder is never priced.
    var services: [Service] = []
    /// Services sent without a date (their placeholder is not checked against the month) or an id.
    var undated: [Int] = [], unnamed: [Int] = []
    var serviceCount = 0

    mutating func error(_ pointer: String, _ detail: String) { errors.append(FieldError(pointer, detail)) }

    /// Reads the next value when it has the expected kind; else records the error and skips it.
    /// Returns false when the value was skipped (null counts as absent when `nullable`).
    mutating func expectKind(_ r: inout JSONReader, _ kind: JSONKind, _ pointer: @autoclosure () -> String, nullable: Bool = false,
                             what: @autoclosure () -> String? = nil) throws(JSONSyntaxError) -> Bool {
        let k = try r.peekKind()
        if k == kind { return true }
        if k == .null && nullable { try r.readNull(); return false }
        error(pointer(), "must be \(what() ?? kind.noun)" + (nullable ? " or null" : ""))
        try r.skipValue()
        return false
    }

    mutating func readString(_ r: inout JSONReader, _ pointer: @autoclosure () -> String, nullable: Bool = false,
                             what: @autoclosure () -> String? = nil) throws(JSONSyntaxError) -> String? {
        if let s = r.plainStringRef() { return s.string }
        guard try expectKind(&r, .string, pointer(), nullable: nullable, what: what()) else { return nil }
        return try r.readString()
    }

    /// A string value in place (valid while the input is), or nil after recording why not.
    mutating func readStringRef(_ r: inout JSONReader, _ pointer: @autoclosure () -> String, nullable: Bool = false,
                                what: @autoclosure () -> String? = nil) throws(JSONSyntaxError) -> JSONStringRef? {
        if let s = r.plainStringRef() { return s }
        guard try expectKind(&r, .string, pointer(), nullable: nullable, what: what()) else { return nil }
        return try r.readStringRef()
    }

    mutating func readBool(_ r: inout JSONReader, _ pointer: @autoclosure () -> String) throws(JSONSyntaxError) -> Bool? {
        if let b = r.plainBool() { return b }
        guard try expectKind(&r, .bool, pointer(), nullable: true) else { return nil }
        return try r.readBool()
    }

    /// A plain, valid value is taken in place (inlined at each call); anything else is read in general
    /// and reported.
    @inline(__always) mutating func readDate(_ r: inout JSONReader, _ pointer: @autoclosure () -> String,
                                             nullable: Bool) throws(JSONSyntaxError) -> CivilDate? {
        if let (v, end) = r.peekPlainString(), let d = CivilDate(utf8: v) { r.consume(through: end); return d }
        return try readDateInGeneral(&r, pointer(), nullable: nullable)
    }

    mutating func readDateInGeneral(_ r: inout JSONReader, _ pointer: @autoclosure () -> String, nullable: Bool) throws(JSONSyntaxError) -> CivilDate? {
        guard let s = try readStringRef(&r, pointer(), nullable: nullable, what: "a date YYYY-MM-DD") else { return nil }
        guard let d = s.withBytes({ CivilDate(utf8: $0) }) else { error(pointer(), "must be a valid date YYYY-MM-DD"); return nil }
        return d
    }

    /// As `readDate`: a plain, known value in place, anything else in general.
    @inline(__always) mutating func readEnum<E: JSONEnum>(_ r: inout JSONReader, _ pointer: @autoclosure () -> String, _: E.Type,
                                                          nullable: Bool = false) throws(JSONSyntaxError) -> E? {
        if let (v, end) = r.peekPlainString(), let e = E.named(v) { r.consume(through: end); return e }
        return try readEnumInGeneral(&r, pointer(), E.self, nullable: nullable)
    }

    mutating func readEnumInGeneral<E: JSONEnum>(_ r: inout JSONReader, _ pointer: @autoclosure () -> String, _: E.Type,
                                                 nullable: Bool) throws(JSONSyntaxError) -> E? {
        func options() -> String { E.allCases.map { $0.rawValue }.joined(separator: ", ") }
        guard let s = try readStringRef(&r, pointer(), nullable: nullable, what: "one of \(options())") else { return nil }
        guard let e = s.withBytes({ E.named($0) }) else { error(pointer(), "must be one of \(options())"); return nil }
        return e
    }

    mutating func readRoot(_ r: inout JSONReader) throws(JSONSyntaxError) {
        guard try expectKind(&r, .object, "") else { return }
        try r.beginObject()
        var first = true
        while let key = try r.nextKeyRef(first: &first) {
            switch key {
            case "memberId":
                if let s = try readString(&r, "/memberId") {
                    if s.isEmpty || s.count > Validation.maxMemberIdLength {
                        error("/memberId", "must be 1 to \(Validation.maxMemberIdLength) characters")
                    } else { memberId = s }
                }
            case "month":
                if let s = try readStringRef(&r, "/month", what: "a month YYYY-MM") {
                    if let m = s.withBytes({ YearMonth(utf8: $0) }) { month = m } else { error("/month", "must be a valid month YYYY-MM") }
                }
            case "rateSchedule":
                rateSchedule = try readString(&r, "/rateSchedule", nullable: true)
            case "member":
                memberSeen = true
                try readMember(&r)
            case "priorPreadmissionMonths":
                guard try expectKind(&r, .array, "/priorPreadmissionMonths", nullable: true) else { continue }
                try r.beginArray()
                var f = true, i = 0
                while try r.nextElement(first: &f) {
                    let p = "/priorPreadmissionMonths/\(i)"
                    if let s = try readString(&r, p, what: "a month YYYY-MM") {
                        if let m = YearMonth(s) { prior.append((m, i)) } else { error(p, "must be a valid month YYYY-MM") }
                    }
                    i += 1
                }
            case "services":
                servicesSeen = true
                guard try expectKind(&r, .array, "/services") else { continue }
                try r.beginArray()
                // Room for a typical month at once (the array would otherwise grow six times to 20).
                services.reserveCapacity(32)
                var f = true
                while try r.nextElement(first: &f) {
                    if serviceCount >= Validation.maxServices {
                        try r.skipValue()  // counted, not kept: memory stays bounded
                    } else {
                        try readService(&r, serviceCount)
                    }
                    serviceCount += 1
                }
                if serviceCount > Validation.maxServices {
                    error("/services", "must have at most \(Validation.maxServices) items (has \(serviceCount))")
                }
            default:
                try r.skipValue()  // API.md: fields may be added; unknown ones are ignored
            }
        }
    }

    mutating func readMember(_ r: inout JSONReader) throws(JSONSyntaxError) {
        guard try expectKind(&r, .object, "/member") else { return }
        try r.beginObject()
        var first = true
        while let key = try r.nextKeyRef(first: &first) {
            switch key {
            case "status": status = try readEnum(&r, "/member/status", MemberStatus.self)
            case "admissionDate": admissionDate = try readDate(&r, "/member/admissionDate", nullable: true)
            case "dischargeDate": dischargeDate = try readDate(&r, "/member/dischargeDate", nullable: true)
            case "lastPrescriberContact": lastPrescriberContact = try readDate(&r, "/member/lastPrescriberContact", nullable: true)
            case "medicationManagement": medicationManagement = try readBool(&r, "/member/medicationManagement") ?? false
            case "rreCodes":
                guard try expectKind(&r, .array, "/member/rreCodes", nullable: true) else { continue }
                try r.beginArray()
                var f = true, i = 0
                while try r.nextElement(first: &f) {
                    if let s = try readString(&r, "/member/rreCodes/\(i)") {
                        if s.isEmpty || s.count > 8 { error("/member/rreCodes/\(i)", "must be 1 to 8 characters") }
                        else if rreCodes.count < 16 { rreCodes.append(s) }
                    }
                    i += 1
                }
                if i > Validation.maxRRECodes {
                    error("/member/rreCodes", "a member has at most \(Validation.maxRRECodes) R/E codes (has \(i))")
                }
            default: try r.skipValue()
            }
        }
    }

    mutating func readService(_ r: inout JSONReader, _ index: Int) throws(JSONSyntaxError) {
        var id: String?, date: CivilDate?, startMinute: Int?, component: Component?, format: ServiceFormat?
        var minutes: Int?, location: Location?
        var telehealth = Telehealth.none, employmentSetting = false, prescriberContact = false
        defer {
            if id == nil { unnamed.append(index) }
            if date == nil { undated.append(index) }
            services.append(Service(id: id ?? MemberMonthDecoder.defaultId(index), date: date ?? Self.placeholderDate,
                                    startMinute: startMinute, component: component ?? .crs, format: format ?? .individual,
                                    minutes: minutes ?? 0, location: location ?? .onsite, telehealth: telehealth,
                                    employmentSetting: employmentSetting, prescriberContact: prescriberContact))
        }
        var base: String { "/services/\(index)" }  // built only for an error
        guard try expectKind(&r, .object, base) else { return }
        let before = errors.count
        try r.beginObject()
        var first = true
        while true {
            let field: ServiceKey
            if let known = ServiceKey.compact(&r, first: &first, in: keys) { field = known }
            else if let key = try r.nextKeyRef(first: &first) { field = ServiceKey(key) }
            else { break }
            switch field {
            case .id:
                if let v = try readString(&r, base + "/id", nullable: true) {
                    if v.isEmpty || (v.utf8.count > 128 && v.count > 128) { error(base + "/id", "must be 1 to 128 characters") } else { id = v }
                }
            case .date: date = try readDate(&r, base + "/date", nullable: false)
            case .startTime:
                if let v = try readStringRef(&r, base + "/startTime", nullable: true, what: "a time HH:MM") {
                    if let m = v.withBytes({ parseClockTime(utf8: $0) }) { startMinute = m } else { error(base + "/startTime", "must be a time HH:MM (00:00 to 23:59)") }
                }
            case .component: component = try readEnum(&r, base + "/component", Component.self)
            case .format: format = try readEnum(&r, base + "/format", ServiceFormat.self)
            case .location: location = try readEnum(&r, base + "/location", Location.self)
            case .telehealth: telehealth = try readEnum(&r, base + "/telehealth", Telehealth.self, nullable: true) ?? .none
            case .employmentSetting: employmentSetting = try readBool(&r, base + "/employmentSetting") ?? false
            case .prescriberContact: prescriberContact = try readBool(&r, base + "/prescriberContact") ?? false
            case .minutes:
                let n: Int?
                if let v = r.plainInteger() { n = v } else {
                    guard try expectKind(&r, .number, base + "/minutes", what: "an integer") else { continue }
                    n = try r.readInteger()
                }
                if let v = n, (1...Validation.maxMinutes).contains(v) { minutes = v }
                else if n != nil { error(base + "/minutes", "must be between 1 and \(Validation.maxMinutes)") }
                else { error(base + "/minutes", "must be an integer between 1 and \(Validation.maxMinutes)") }
            case .service:
                _ = try readStringRef(&r, base + "/service", nullable: true)
            case .other: try r.skipValue()
            }
        }
        if date == nil || component == nil || format == nil || minutes == nil || location == nil {
            for (field, present) in [("date", date != nil), ("component", component != nil), ("format", format != nil),
                                     ("minutes", minutes != nil), ("location", location != nil)] where !present {
                if !errors[before...].contains(where: { $0.pointer == base + "/" + field }) { error(base + "/" + field, "is required") }
            }
        }
    }

    static let placeholderDate = CivilDate(year: 1, month: 1, day: 1)!

    mutating func build() throws(DecodeFailure) -> MemberMonth {
        if memberId == nil && !errors.contains(where: { $0.pointer == "/memberId" }) { error("/memberId", "is required") }
        if month == nil && !errors.contains(where: { $0.pointer == "/month" }) { error("/month", "is required") }
        if !memberSeen { error("/member", "is required") }
        else if status == nil && !errors.contains(where: { $0.pointer == "/member/status" || $0.pointer == "/member" }) {
            error("/member/status", "is required")
        }
        if !servicesSeen { error("/services", "is required") }

        errors += Validation.contradictions(Validation.Fields(
            month: month, status: status, admissionDate: admissionDate, dischargeDate: dischargeDate,
            priorPreadmissionMonths: prior, services: services, undatedServices: undated, unnamedServices: unnamed,
            reported: errors.map(\.pointer)))
        if !errors.isEmpty { throw .invalid(errors) }
        return MemberMonth(
            memberId: memberId!, month: month!, rateSchedule: rateSchedule,
            member: Member(status: status!, admissionDate: admissionDate, dischargeDate: dischargeDate, rreCodes: rreCodes,
                           medicationManagement: medicationManagement, lastPrescriberContact: lastPrescriberContact),
            priorPreadmissionMonths: prior.map(\.month),
            services: services)
    }
}
