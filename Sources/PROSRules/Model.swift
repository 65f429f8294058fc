/// The four PROS components (SPEC §4).
public enum Component: String, Sendable, CaseIterable, Hashable {
    case crs = "CRS", ir = "IR", ors = "ORS", ct = "CT"
}

/// How a service was delivered (SPEC §2).
public enum ServiceFormat: String, Sendable, CaseIterable, Hashable {
    case individual, collateral, group
}

/// Where a service was delivered (SPEC §3).
public enum Location: String, Sendable, CaseIterable, Hashable {
    case onsite, offsite
}

/// Telehealth delivery, if any (SPEC §3, §8).
public enum Telehealth: String, Sendable, CaseIterable, Hashable {
    case none, audioVideo = "audio-video", audioOnly = "audio-only"
}

public enum MemberStatus: String, Sendable, CaseIterable, Hashable {
    case preadmission, admitted
}

/// One continuous session delivered to the member or a collateral.
public struct Service: Sendable, Equatable {
    public var id: String
    public var date: CivilDate
    /// Minutes after midnight (0 to 1439, as the decoder accepts them), when sent.
    public var startMinute: Int?
    public var component: Component
    public var format: ServiceFormat
    public var minutes: Int
    public var location: Location
    public var telehealth: Telehealth = .none
    public var employmentSetting = false
    public var prescriberContact = false

    @inlinable public init(id: String, date: CivilDate, startMinute: Int? = nil, component: Component, format: ServiceFormat,
                minutes: Int, location: Location, telehealth: Telehealth = .none,
                employmentSetting: Bool = false, prescriberContact: Bool = false) {
        self.id = id; self.date = date; self.startMinute = startMinute; self.component = component
        self.format = format; self.minutes = minutes; self.location = location; self.telehealth = telehealth
        self.employmentSetting = employmentSetting; self.prescriberContact = prescriberContact
    }
}

public struct Member: Sendable, Equatable {
    public var status: MemberStatus
    public var admissionDate: CivilDate?
    public var dischargeDate: CivilDate?
    public var rreCodes: [String] = []
    public var medicationManagement = false
    public var lastPrescriberContact: CivilDate?

    @inlinable public init(status: MemberStatus, admissionDate: CivilDate? = nil, dischargeDate: CivilDate? = nil,
                rreCodes: [String] = [], medicationManagement: Bool = false, lastPrescriberContact: CivilDate? = nil) {
        self.status = status; self.admissionDate = admissionDate; self.dischargeDate = dischargeDate
        self.rreCodes = rreCodes; self.medicationManagement = medicationManagement
        self.lastPrescriberContact = lastPrescriberContact
    }
}

/// One member, one calendar month, and the services of that month: the unit of pricing.
public struct MemberMonth: Sendable, Equatable {
    public var memberId: String
    public var month: YearMonth
    public var rateSchedule: String?
    public var member: Member
    /// Months billed at the pre-admission rate before this one (SPEC §6).
    public var priorPreadmissionMonths: [YearMonth] = []
    public var services: [Service]

    @inlinable public init(memberId: String, month: YearMonth, rateSchedule: String? = nil, member: Member,
                priorPreadmissionMonths: [YearMonth] = [], services: [Service]) {
        self.memberId = memberId; self.month = month; self.rateSchedule = rateSchedule; self.member = member
        self.priorPreadmissionMonths = priorPreadmissionMonths; self.services = services
    }
}
