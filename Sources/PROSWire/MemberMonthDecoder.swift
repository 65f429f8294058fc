import JSON
import PROSRules

/// Why a member-month could not be read: malformed JSON (a `400`) or invalid fields (a `422`).
public enum DecodeFailure: Error, Sendable, Equatable {
    case syntax(JSONSyntaxError)
    /// The invalid fields, and the names the config must know that were read anyway, so one answer can
    /// list an unsupported month or an unknown rate schedule or payer beside the field errors.
    case invalid([FieldError], names: ConfigNames)
}

/// The values of a member-month that name loaded config: checked against the rule book by the pricer.
public struct ConfigNames: Sendable, Equatable {
    public var month: YearMonth?
    public var rateSchedule: String?
    public var payer: String?
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
        reader.skipByteOrderMark()  // sent by some Windows tools; nothing else in JSON may precede the value
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
enum ServiceKey: Int, CaseIterable, Sendable {
    case id, date, startTime, component, format, minutes, location, telehealth, employmentSetting
    case prescriberContact, service, other

    /// Every known member name, with its closing quote and colon as it appears in compact JSON.
    static let declared: [(key: ServiceKey, nameQuoteColon: StaticString)] = [
        (.id, #"id":"#), (.date, #"date":"#), (.startTime, #"startTime":"#), (.component, #"component":"#),
        (.format, #"format":"#), (.minutes, #"minutes":"#), (.location, #"location":"#),
        (.telehealth, #"telehealth":"#), (.employmentSetting, #"employmentSetting":"#),
        (.prescriberContact, #"prescriberContact":"#), (.service, #"service":"#),
    ]

    /// `declared` for lookups: an entry per name (its bytes with quote and colon, 4 to 24 of them) and a
    /// 64-slot open-addressed index on the first four of those bytes, names sharing them chained. Built
    /// once; a compact member name is then found with one load, one multiply and, as a rule, one compare.
    struct Table: @unchecked Sendable {  // immutable after init, never freed (a static)
        struct Entry {
            let key: ServiceKey
            let name: UnsafePointer<UInt8>
            let length: Int
            let prefix: UInt32
            /// The next entry whose name starts with the same four bytes, or -1.
            var next: Int
        }
        static let slotCount = 64
        let entries: UnsafeMutableBufferPointer<Entry>
        /// Entry index of the first name with a slot's prefix, or -1 (linear probing).
        let slots: UnsafeMutableBufferPointer<Int>
        /// The longest name with its quote and colon: compact matching needs that many bytes ahead.
        let longest: Int

        init(_ declared: [(key: ServiceKey, nameQuoteColon: StaticString)]) {
            precondition(declared.allSatisfy { (4...24).contains($0.nameQuoteColon.utf8CodeUnitCount) })
            entries = .allocate(capacity: declared.count)
            slots = .allocate(capacity: Self.slotCount)
            slots.initialize(repeating: -1)
            for (i, d) in declared.enumerated() {
                let name = d.nameQuoteColon
                let prefix = UnsafeRawPointer(name.utf8Start).loadUnaligned(as: UInt32.self)
                entries.initializeElement(
                    at: i,
                    to: Entry(
                        key: d.key, name: name.utf8Start, length: name.utf8CodeUnitCount, prefix: prefix, next: -1))
                var slot = Self.slot(prefix)
                while slots[slot] >= 0 && entries[slots[slot]].prefix != prefix { slot = (slot + 1) % Self.slotCount }
                if slots[slot] < 0 {
                    slots[slot] = i
                } else {  // shares its first four bytes: appended to that chain
                    var last = slots[slot]
                    while entries[last].next >= 0 { last = entries[last].next }
                    entries[last].next = i
                }
            }
            longest = declared.map(\.nameQuoteColon.utf8CodeUnitCount).max() ?? 0
        }

        @inline(__always) static func slot(_ prefix: UInt32) -> Int { Int((prefix &* 0x9E37_79B1) >> 26) }

        /// The entry whose name (with quote and colon) the bytes at `at` start with; `at` has more than
        /// `longest` bytes.
        @inline(__always) func match(_ at: UnsafePointer<UInt8>) -> Entry? {
            let prefix = UnsafeRawPointer(at).loadUnaligned(as: UInt32.self)
            var slot = Self.slot(prefix)
            while true {
                var k = slots[slot]
                if k < 0 { return nil }
                if entries[k].prefix == prefix {
                    while k >= 0 {
                        if sameShortBytes(at, entries[k].name, entries[k].length) { return entries[k] }
                        k = entries[k].next
                    }
                    return nil
                }
                slot = (slot + 1) % Self.slotCount
            }
        }
    }

    static let table = Table(declared)

    /// The member's name, for a pointer.
    var name: String {
        guard let entry = Self.declared.first(where: { $0.key == self }) else { return "" }
        let n = entry.nameQuoteColon
        return String(decoding: UnsafeBufferPointer(start: n.utf8Start, count: n.utf8CodeUnitCount - 2), as: UTF8.self)
    }

    /// A member name read by the general path (its bytes, escapes decoded).
    init(_ key: JSONStringRef) {
        self = key.withBytes { b in
            for d in Self.declared where d.nameQuoteColon.utf8CodeUnitCount - 2 == b.count {
                let name = UnsafeBufferPointer(start: d.nameQuoteColon.utf8Start, count: b.count)
                if sameBytes(name, b) { return d.key }
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
        if count > 16
            && x.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                != y.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        {
            return false
        }
        return x.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == y.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
    return x.loadUnaligned(as: UInt32.self) == y.loadUnaligned(as: UInt32.self)
        && x.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            == y.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
}

extension ServiceKey {
    /// The next member name of a service when sent compactly and known: found in the table by its first
    /// bytes, checked whole with its closing quote and colon, then consumed. nil (nothing consumed)
    /// otherwise: the general path then reads it, whitespace, escapes, unknown names and the object's end.
    @inline(__always) static func compact(
        _ r: inout JSONReader, first: inout Bool, in table: borrowing Table
    ) -> ServiceKey? {
        guard let (at, rest) = r.compactMemberName(first: first), rest.count > table.longest,
            let base = rest.baseAddress, let entry = table.match(base)
        else { return nil }
        r.consumeMemberName(through: at + entry.length, first: &first)
        return entry.key
    }
}

private struct State {
    /// The service member names, read once a month rather than at every member.
    let keys = ServiceKey.table
    var errors: [FieldError] = []
    var memberId: String?
    var month: YearMonth?
    var rateSchedule: String?
    var payer: String?
    var memberSeen = false
    var status: MemberStatus?
    var admissionDate: CivilDate?
    var dischargeDate: CivilDate?
    var rreCodes: [String] = []
    var medicationManagement = false
    var lastPrescriberContact: CivilDate?
    var prescriberContactDates: [CivilDate] = []
    var targetPopulation = false
    /// Pointers of members the API does not know (ignored, and reported as a finding).
    var unknown: [String] = []
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
    mutating func expectKind(
        _ r: inout JSONReader, _ kind: JSONKind, _ pointer: @autoclosure () -> String, nullable: Bool = false,
        what: @autoclosure () -> String? = nil
    ) throws(JSONSyntaxError) -> Bool {
        let k = try r.peekKind()
        if k == kind { return true }
        if k == .null && nullable { try r.readNull(); return false }
        error(pointer(), "must be \(what() ?? kind.noun)" + (nullable ? " or null" : ""))
        try r.skipValue()
        return false
    }

    mutating func readString(
        _ r: inout JSONReader, _ pointer: @autoclosure () -> String, nullable: Bool = false,
        what: @autoclosure () -> String? = nil
    ) throws(JSONSyntaxError) -> String? {
        if let s = r.plainStringRef() { return s.string }
        guard try expectKind(&r, .string, pointer(), nullable: nullable, what: what()) else { return nil }
        return try r.readString()
    }

    /// A string value in place (valid while the input is), or nil after recording why not. A plain value
    /// is taken in place (inlined at each call); anything else is read in general and reported.
    @inline(__always) mutating func readStringRef(
        _ r: inout JSONReader, _ pointer: @autoclosure () -> String, nullable: Bool = false,
        what: @autoclosure () -> String? = nil
    ) throws(JSONSyntaxError) -> JSONStringRef? {
        if let s = r.plainStringRef() { return s }
        return try readStringRefInGeneral(&r, pointer(), nullable: nullable, what: what())
    }

    mutating func readStringRefInGeneral(
        _ r: inout JSONReader, _ pointer: @autoclosure () -> String, nullable: Bool, what: @autoclosure () -> String?
    ) throws(JSONSyntaxError) -> JSONStringRef? {
        guard try expectKind(&r, .string, pointer(), nullable: nullable, what: what()) else { return nil }
        return try r.readStringRef()
    }

    mutating func readBool(_ r: inout JSONReader, _ pointer: @autoclosure () -> String) throws(JSONSyntaxError) -> Bool?
    {
        if let b = r.plainBool() { return b }
        guard try expectKind(&r, .bool, pointer(), nullable: true) else { return nil }
        return try r.readBool()
    }

    /// A plain, valid value is taken in place (inlined at each call); anything else is read in general
    /// and reported.
    @inline(__always) mutating func readDate(
        _ r: inout JSONReader, _ pointer: @autoclosure () -> String,
        nullable: Bool
    ) throws(JSONSyntaxError) -> CivilDate? {
        if let (v, end) = r.peekPlainString(), let d = CivilDate(utf8: v) { r.consume(through: end); return d }
        return try readDateInGeneral(&r, pointer(), nullable: nullable)
    }

    mutating func readDateInGeneral(_ r: inout JSONReader, _ pointer: @autoclosure () -> String, nullable: Bool)
        throws(JSONSyntaxError) -> CivilDate?
    {
        guard let s = try readStringRef(&r, pointer(), nullable: nullable, what: "a date YYYY-MM-DD") else {
            return nil
        }
        guard let d = s.withBytes({ CivilDate(utf8: $0) }) else {
            error(pointer(), "must be a valid date YYYY-MM-DD"); return nil
        }
        return d
    }

    /// As `readDate`: a plain, known value in place, anything else in general.
    @inline(__always) mutating func readEnum<E: JSONEnum>(
        _ r: inout JSONReader, _ pointer: @autoclosure () -> String, _: E.Type,
        nullable: Bool = false
    ) throws(JSONSyntaxError) -> E? {
        if let (v, end) = r.peekPlainString(), let e = E.named(v) { r.consume(through: end); return e }
        return try readEnumInGeneral(&r, pointer(), E.self, nullable: nullable)
    }

    mutating func readEnumInGeneral<E: JSONEnum>(
        _ r: inout JSONReader, _ pointer: @autoclosure () -> String, _: E.Type,
        nullable: Bool
    ) throws(JSONSyntaxError) -> E? {
        func options() -> String { E.allCases.map { $0.rawValue }.joined(separator: ", ") }
        guard let s = try readStringRef(&r, pointer(), nullable: nullable, what: "one of \(options())") else {
            return nil
        }
        guard let e = s.withBytes({ E.named($0) }) else { error(pointer(), "must be one of \(options())"); return nil }
        return e
    }

    /// Whether a member appears for the first time in its object (`bit` in `seen`); a second appearance is
    /// an error at its pointer and its value is skipped: two readers of one body must never see two claims.
    @inline(__always) mutating func once(
        _ seen: inout UInt32, _ bit: Int, _ pointer: @autoclosure () -> String,
        _ r: inout JSONReader
    ) throws(JSONSyntaxError) -> Bool {
        let mask: UInt32 = 1 << UInt32(bit)
        if seen & mask == 0 { seen |= mask; return true }
        try duplicate(pointer(), &r)
        return false
    }

    /// A member's second appearance: reported at its pointer, its value skipped.
    @inline(never) mutating func duplicate(_ pointer: String, _ r: inout JSONReader) throws(JSONSyntaxError) {
        error(pointer, "appears twice in one object; send each member once")
        try r.skipValue()
    }

    /// A member the API does not know: skipped and remembered by pointer (a second one of the same name is
    /// an error, as for known members).
    mutating func unknownMember(
        _ key: JSONStringRef, in object: String, names: inout [String],
        _ r: inout JSONReader
    ) throws(JSONSyntaxError) {
        let name = key.string
        let pointer = object + "/" + escapePointerToken(name)
        if names.contains(name) {
            error(pointer, "appears twice in one object; send each member once")
        } else {
            names.append(name)
            unknown.append(pointer)
        }
        try r.skipValue()
    }

    /// A whole number of minutes: `60`, also written `60.0` or `6e1`; `60.5` is not one.
    mutating func readMinutes(_ r: inout JSONReader, _ pointer: @autoclosure () -> String) throws(JSONSyntaxError)
        -> Int?
    {
        var bounds: String { "between 1 and \(Validation.maxMinutes)" }  // built only for an error
        if let v = r.plainInteger() {
            if (1...Validation.maxMinutes).contains(v) { return v }
            error(pointer(), "must be \(bounds)")
            return nil
        }
        guard try expectKind(&r, .number, pointer(), what: "an integer") else { return nil }
        let (text, integer) = try r.readNumber()
        guard let v = integer ?? integralValue(text) else {
            error(pointer(), "must be a whole number of minutes \(bounds)")
            return nil
        }
        if (1...Validation.maxMinutes).contains(v) { return v }
        error(pointer(), "must be \(bounds)")
        return nil
    }

    mutating func readRoot(_ r: inout JSONReader) throws(JSONSyntaxError) {
        guard try expectKind(&r, .object, "") else { return }
        try r.beginObject()
        var first = true, seen: UInt32 = 0, unknownNames: [String] = []
        while let key = try r.nextKeyRef(first: &first) {
            switch key {
            case "memberId":
                guard try once(&seen, 0, "/memberId", &r) else { continue }
                if let s = try readString(&r, "/memberId") {
                    if s.isEmpty || s.unicodeScalars.count > Validation.maxMemberIdLength {
                        error("/memberId", "must be 1 to \(Validation.maxMemberIdLength) characters")
                    } else {
                        memberId = s
                    }
                }
            case "month":
                guard try once(&seen, 1, "/month", &r) else { continue }
                if let s = try readStringRef(&r, "/month", what: "a month YYYY-MM") {
                    if let m = s.withBytes({ YearMonth(utf8: $0) }) {
                        month = m
                    } else {
                        error("/month", "must be a valid month YYYY-MM")
                    }
                }
            case "rateSchedule":
                guard try once(&seen, 2, "/rateSchedule", &r) else { continue }
                rateSchedule = try readString(&r, "/rateSchedule", nullable: true)
            case "payer":
                guard try once(&seen, 3, "/payer", &r) else { continue }
                payer = try readString(&r, "/payer", nullable: true)
            case "member":
                guard try once(&seen, 4, "/member", &r) else { continue }
                memberSeen = true
                try readMember(&r)
            case "priorPreadmissionMonths":
                guard try once(&seen, 5, "/priorPreadmissionMonths", &r),
                    try expectKind(&r, .array, "/priorPreadmissionMonths", nullable: true)
                else { continue }
                try r.beginArray()
                var f = true, i = 0
                while try r.nextElement(first: &f) {
                    let p = "/priorPreadmissionMonths/\(i)"
                    if let s = try readString(&r, p, what: "a month YYYY-MM") {
                        if let m = YearMonth(s) {
                            prior.append((m, i))
                        } else {
                            error(p, "must be a valid month YYYY-MM")
                        }
                    }
                    i += 1
                }
            case "services":
                guard try once(&seen, 6, "/services", &r) else { continue }
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
                try unknownMember(key, in: "", names: &unknownNames, &r)
            }
        }
    }

    mutating func readMember(_ r: inout JSONReader) throws(JSONSyntaxError) {
        guard try expectKind(&r, .object, "/member") else { return }
        try r.beginObject()
        var first = true, seen: UInt32 = 0, unknownNames: [String] = []
        while let key = try r.nextKeyRef(first: &first) {
            switch key {
            case "status":
                guard try once(&seen, 0, "/member/status", &r) else { continue }
                status = try readEnum(&r, "/member/status", MemberStatus.self)
            case "admissionDate":
                guard try once(&seen, 1, "/member/admissionDate", &r) else { continue }
                admissionDate = try readDate(&r, "/member/admissionDate", nullable: true)
            case "dischargeDate":
                guard try once(&seen, 2, "/member/dischargeDate", &r) else { continue }
                dischargeDate = try readDate(&r, "/member/dischargeDate", nullable: true)
            case "lastPrescriberContact":
                guard try once(&seen, 3, "/member/lastPrescriberContact", &r) else { continue }
                lastPrescriberContact = try readDate(&r, "/member/lastPrescriberContact", nullable: true)
            case "medicationManagement":
                guard try once(&seen, 4, "/member/medicationManagement", &r) else { continue }
                medicationManagement = try readBool(&r, "/member/medicationManagement") ?? false
            case "targetPopulation":
                guard try once(&seen, 5, "/member/targetPopulation", &r) else { continue }
                targetPopulation = try readBool(&r, "/member/targetPopulation") ?? false
            case "prescriberContactDates":
                guard try once(&seen, 6, "/member/prescriberContactDates", &r),
                    try expectKind(&r, .array, "/member/prescriberContactDates", nullable: true)
                else { continue }
                try r.beginArray()
                var f = true, i = 0
                while try r.nextElement(first: &f) {
                    if let d = try readDate(&r, "/member/prescriberContactDates/\(i)", nullable: false) {
                        if prescriberContactDates.count < Validation.maxContactDates {
                            prescriberContactDates.append(d)
                        }
                    }
                    i += 1
                }
                if i > Validation.maxContactDates {
                    error(
                        "/member/prescriberContactDates",
                        "must have at most \(Validation.maxContactDates) dates (has \(i))")
                }
            case "rreCodes":
                guard try once(&seen, 7, "/member/rreCodes", &r),
                    try expectKind(&r, .array, "/member/rreCodes", nullable: true)
                else { continue }
                try r.beginArray()
                var f = true, i = 0
                while try r.nextElement(first: &f) {
                    if let s = try readString(&r, "/member/rreCodes/\(i)") {
                        if s.isEmpty || s.unicodeScalars.count > Validation.maxRRECodeLength {
                            error("/member/rreCodes/\(i)", "must be 1 to \(Validation.maxRRECodeLength) characters")
                        } else if rreCodes.count < Validation.maxRRECodes {
                            rreCodes.append(s)
                        }
                    }
                    i += 1
                }
                if i > Validation.maxRRECodes {
                    error("/member/rreCodes", "must have at most \(Validation.maxRRECodes) codes (has \(i))")
                }
            default: try unknownMember(key, in: "/member", names: &unknownNames, &r)
            }
        }
    }

    mutating func readService(_ r: inout JSONReader, _ index: Int) throws(JSONSyntaxError) {
        var id: String?, date: CivilDate?, startMinute: Int?, component: Component?, format: ServiceFormat?
        var minutes: Int?, location: Location?
        var telehealth = Telehealth.none, employmentSetting = false, prescriberContact = false
        defer {
            // Room for every service at the first: a month sent without ids lists them all.
            if id == nil {
                if unnamed.isEmpty { unnamed.reserveCapacity(services.capacity) }
                unnamed.append(index)
            }
            if date == nil { undated.append(index) }
            services.append(
                Service(
                    id: id ?? MemberMonthDecoder.defaultId(index), date: date ?? Self.placeholderDate,
                    startMinute: startMinute, component: component ?? .crs, format: format ?? .individual,
                    minutes: minutes ?? 0, location: location ?? .onsite, telehealth: telehealth,
                    employmentSetting: employmentSetting, prescriberContact: prescriberContact))
        }
        var base: String { "/services/\(index)" }  // built only for an error
        guard try expectKind(&r, .object, base) else { return }
        let before = errors.count
        try r.beginObject()
        var first = true, seen: UInt32 = 0, unknownNames: [String] = []
        while true {
            let field: ServiceKey
            let name: JSONStringRef?
            if let known = ServiceKey.compact(&r, first: &first, in: keys) {
                field = known; name = nil
            } else if let key = try r.nextKeyRef(first: &first) {
                field = ServiceKey(key); name = key
            } else {
                break
            }
            if field != .other {
                guard try once(&seen, field.rawValue, base + "/" + field.name, &r) else { continue }
            }
            switch field {
            case .id:
                if let v = try readString(&r, base + "/id", nullable: true) {
                    // Characters are counted only when the bytes could exceed the limit (a character is 1 to 4 bytes).
                    let tooLong =
                        v.utf8.count > Validation.maxServiceIdLength
                        && v.unicodeScalars.count > Validation.maxServiceIdLength
                    if v.isEmpty || tooLong {
                        error(base + "/id", "must be 1 to \(Validation.maxServiceIdLength) characters")
                    } else {
                        id = v
                    }
                }
            case .date: date = try readDate(&r, base + "/date", nullable: false)
            case .startTime:
                if let v = try readStringRef(&r, base + "/startTime", nullable: true, what: "a time HH:MM") {
                    if let m = v.withBytes({ parseClockTime(utf8: $0) }) {
                        startMinute = m
                    } else {
                        error(base + "/startTime", "must be a time HH:MM (00:00 to 23:59)")
                    }
                }
            case .component: component = try readEnum(&r, base + "/component", Component.self)
            case .format: format = try readEnum(&r, base + "/format", ServiceFormat.self)
            case .location: location = try readEnum(&r, base + "/location", Location.self)
            case .telehealth:
                telehealth = try readEnum(&r, base + "/telehealth", Telehealth.self, nullable: true) ?? .none
            case .employmentSetting: employmentSetting = try readBool(&r, base + "/employmentSetting") ?? false
            case .prescriberContact: prescriberContact = try readBool(&r, base + "/prescriberContact") ?? false
            case .minutes: minutes = try readMinutes(&r, base + "/minutes")
            case .service: _ = try readStringRef(&r, base + "/service", nullable: true)
            case .other: try unknownMember(name!, in: base, names: &unknownNames, &r)
            }
        }
        if date == nil || component == nil || format == nil || minutes == nil || location == nil {
            let required = [
                ("date", date != nil), ("component", component != nil), ("format", format != nil),
                ("minutes", minutes != nil), ("location", location != nil),
            ]
            for (field, present) in required where !present {
                if !errors[before...].contains(where: { $0.pointer == base + "/" + field }) {
                    error(base + "/" + field, "is required")
                }
            }
        }
    }

    static let placeholderDate = CivilDate(year: 1, month: 1, day: 1)!

    mutating func build() throws(DecodeFailure) -> MemberMonth {
        if memberId == nil && !errors.contains(where: { $0.pointer == "/memberId" }) {
            error("/memberId", "is required")
        }
        if month == nil && !errors.contains(where: { $0.pointer == "/month" }) { error("/month", "is required") }
        if !memberSeen {
            error("/member", "is required")
        } else if status == nil
            && !errors.contains(where: { $0.pointer == "/member/status" || $0.pointer == "/member" })
        {
            error("/member/status", "is required")
        }
        if !servicesSeen { error("/services", "is required") }

        errors += Validation.contradictions(
            Validation.Fields(
                month: month, status: status, admissionDate: admissionDate, dischargeDate: dischargeDate,
                priorPreadmissionMonths: prior, services: services, undatedServices: undated, unnamedServices: unnamed,
                reported: errors.map(\.pointer)))
        if !errors.isEmpty {
            throw .invalid(errors, names: ConfigNames(month: month, rateSchedule: rateSchedule, payer: payer))
        }
        return MemberMonth(
            memberId: memberId!, month: month!, rateSchedule: rateSchedule, payer: payer,
            member: Member(
                status: status!, admissionDate: admissionDate, dischargeDate: dischargeDate, rreCodes: rreCodes,
                medicationManagement: medicationManagement, lastPrescriberContact: lastPrescriberContact,
                prescriberContactDates: prescriberContactDates, targetPopulation: targetPopulation),
            priorPreadmissionMonths: prior.map(\.month),
            services: services, unknownFields: unknown)
    }
}

/// A JSON number's value when it is a whole number (`60`, `60.0`, `6e1`, `600e-1`); nil otherwise. Values
/// too large for the contract come back as a large number (still refused by the range check).
func integralValue(_ text: String) -> Int? {
    var digits: [UInt8] = [], exponent = 0, negative = false, afterDot = false, i = text.utf8.startIndex
    let u = text.utf8
    while i < u.endIndex {
        let c = u[i]
        switch c {
        case UInt8(ascii: "-"): negative = true
        case UInt8(ascii: "."): afterDot = true
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            digits.append(c - 0x30)
            if afterDot { exponent -= 1 }
        case UInt8(ascii: "e"), UInt8(ascii: "E"):
            guard let e = Int(String(decoding: u[u.index(after: i)...], as: UTF8.self)) else {
                return nil
            }
            exponent += max(-1000, min(1000, e))
            i = u.endIndex
            continue
        default: return nil
        }
        i = u.index(after: i)
    }
    while let last = digits.last, exponent < 0 {  // a fraction is fine while it is only zeros
        guard last == 0 else { return nil }
        digits.removeLast(); exponent += 1
    }
    if exponent < 0 { return digits.allSatisfy { $0 == 0 } ? 0 : nil }
    var value = 0
    for d in digits + [UInt8](repeating: 0, count: min(exponent, 20)) {
        value = value > 1_000_000_000 ? value : value * 10 + Int(d)
    }
    return negative ? -value : value
}

/// A JSON pointer reference token (RFC 6901 §3): `~` as `~0`, `/` as `~1`.
func escapePointerToken(_ name: String) -> String {
    guard name.contains("~") || name.contains("/") else { return name }
    return name.replacingOccurrences("~", "~0").replacingOccurrences("/", "~1")
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
