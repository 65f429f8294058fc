/// One invalid field: its JSON pointer (RFC 6901) and a plain sentence.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    public let pointer: String
    public let detail: String
    public init(_ pointer: String, _ detail: String) { self.pointer = pointer; self.detail = detail }
    public var description: String { "\(pointer): \(detail)" }
}

/// The contract a member-month must meet before it is priced: its bounds, and the contradictions between
/// its fields that make it impossible to bill (an admission after the month, a discharge before it, a
/// service outside it). Each is a `422` naming the field, never a guess (docs/rules.md#refused-months).
public enum Validation {
    public static let maxServices = 1000
    public static let maxMemberIdLength = 64
    public static let maxServiceIdLength = 128
    public static let maxMinutes = 1440
    /// R/E codes accepted in one request: an EHR may send the member's whole Medicaid list; more than the
    /// rule set's limit (2) is priced with a finding (docs/rules.md#re-code-limit).
    public static let maxRRECodes = 20
    public static let maxContactDates = 100
    public static let maxRRECodeLength = 8
    /// Errors listed in one answer; the count in the detail stays exact.
    public static let maxReportedErrors = 100

    /// What the contradiction checks read of a member-month that may still be incomplete: each field is
    /// nil when it was missing or invalid (already reported), so no check fires on a placeholder.
    public struct Fields: Sendable {
        public var month: YearMonth?
        public var status: MemberStatus?
        public var admissionDate: CivilDate?
        public var dischargeDate: CivilDate?
        /// Prior pre-admission months with their index in the request.
        public var priorPreadmissionMonths: [(month: YearMonth, index: Int)]
        public var services: [Service]
        /// Indices of services sent without a valid date (in service order): their date is a placeholder.
        public var undatedServices: [Int]
        /// Indices of services sent without an id (their id is the index).
        public var unnamedServices: [Int]
        /// Pointers already reported, so one field is not reported twice.
        public var reported: [String]

        public init(
            month: YearMonth?, status: MemberStatus?, admissionDate: CivilDate?, dischargeDate: CivilDate?,
            priorPreadmissionMonths: [(month: YearMonth, index: Int)], services: [Service],
            undatedServices: [Int], unnamedServices: [Int], reported: [String]
        ) {
            self.month = month; self.status = status; self.admissionDate = admissionDate
            self.dischargeDate = dischargeDate; self.priorPreadmissionMonths = priorPreadmissionMonths
            self.services = services; self.undatedServices = undatedServices
            self.unnamedServices = unnamedServices; self.reported = reported
        }
    }

    /// Every contradiction between the fields, in the order of the request.
    public static func contradictions(_ f: Fields) -> [FieldError] {
        var errors: [FieldError] = []
        if f.status == .admitted && f.admissionDate == nil && !f.reported.contains("/member/admissionDate") {
            errors.append(FieldError("/member/admissionDate", "is required when status is admitted"))
        }
        if let month = f.month {
            // docs/rules.md#pre-admission: a month before the admission date is still pre-admission.
            if f.status == .admitted, let a = f.admissionDate, a > month.lastDay {
                errors.append(
                    FieldError(
                        "/member/admissionDate",
                        "is after \(month): the member was still in pre-admission that month"))
            }
            // docs/rules.md#discharge: a discharged member has no later month to bill.
            if let d = f.dischargeDate, d < month.firstDay {
                errors.append(
                    FieldError(
                        "/member/dischargeDate",
                        "is before \(month): a discharged member has no later month to bill"))
            }
            for (m, i) in f.priorPreadmissionMonths where m >= month {
                errors.append(FieldError("/priorPreadmissionMonths/\(i)", "must be a month before \(month)"))
            }
            var next = 0  // `undatedServices` is in service order
            for i in f.services.indices {
                if next < f.undatedServices.count && f.undatedServices[next] == i { next += 1; continue }
                if !month.contains(f.services[i].date) {
                    errors.append(FieldError("/services/\(i)/date", "must be inside the month \(month)"))
                }
            }
        }
        if let d = f.dischargeDate, let a = f.admissionDate, d < a {
            errors.append(FieldError("/member/dischargeDate", "is before the admission date \(a)"))
        }
        // Findings name services by id, so ids must be unique.
        // A month sent without ids (each named by its index) cannot repeat one.
        let named = f.unnamedServices.count < f.services.count
        if named && hasDuplicateIds(f.services) {  // rare: then every duplicate is named, the simple way
            var seen: [[UInt8]: Int] = [:]
            for (i, s) in f.services.enumerated() {
                let key = Array(s.id.utf8)
                if let j = seen[key] {
                    let note = f.unnamedServices.contains(i) ? " (the default id is the index)" : ""
                    errors.append(
                        FieldError(
                            "/services/\(i)/id", "duplicates the id \"\(s.id)\" of /services/\(j)" + note))
                } else {
                    seen[key] = i
                }
            }
        }
        return errors
    }

    /// Whether two services share an id. Ids compare byte for byte, as RFC 8259 §8.3 advises (two
    /// spellings of an accented letter are two ids, though Swift's `String ==` calls them equal). An
    /// open-addressed table of indices with FNV-1a hashes of the bytes: one small allocation, no SipHash
    /// per service. It may answer true for ids that differ only in spelling; never false for a duplicate.
    static func hasDuplicateIds(_ services: [Service]) -> Bool {
        let n = services.count
        guard n > 1 else { return false }
        var capacity = 4
        while capacity < n * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var table = [Int32](repeating: -1, count: capacity)
        for i in 0..<n {
            var slot = Int(truncatingIfNeeded: fnv1a(services[i].id.utf8.span)) & mask
            while table[slot] >= 0 {
                // `==` may also call two spellings of one accented letter equal: then the exact,
                // byte-for-byte pass above decides, so a false alarm costs time, never a wrong error.
                if services[Int(table[slot])].id == services[i].id { return true }
                slot = (slot + 1) & mask
            }
            table[slot] = Int32(i)
        }
        return false
    }
}

/// 64-bit FNV-1a of some bytes: a quick hash for a table of a month's service ids (not for security).
func fnv1a(_ bytes: Span<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for i in bytes.indices { h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3 }
    return h
}
