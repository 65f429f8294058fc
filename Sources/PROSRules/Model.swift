/// The four PROS components (docs/rules.md#components).
public enum Component: String, Sendable, CaseIterable, Hashable {
    case crs = "CRS"
    case ir = "IR"
    case ors = "ORS"
    case ct = "CT"
}

/// How a service was delivered (docs/rules.md#units).
public enum ServiceFormat: String, Sendable, CaseIterable, Hashable {
    case individual, collateral, group
}

/// Where a service was delivered (docs/rules.md#off-site-doubling).
public enum Location: String, Sendable, CaseIterable, Hashable {
    case onsite, offsite
}

/// Telehealth delivery, if any (docs/rules.md#telehealth).
public enum Telehealth: String, Sendable, CaseIterable, Hashable {
    case none
    case audioVideo = "audio-video"
    case audioOnly = "audio-only"
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

    @inlinable public init(
        id: String, date: CivilDate, startMinute: Int? = nil, component: Component, format: ServiceFormat,
        minutes: Int, location: Location, telehealth: Telehealth = .none,
        employmentSetting: Bool = false, prescriberContact: Bool = false
    ) {
        self.id = id; self.date = date; self.startMinute = startMinute; self.component = component
        self.format = format; self.minutes = minutes; self.location = location; self.telehealth = telehealth
        self.employmentSetting = employmentSetting; self.prescriberContact = prescriberContact
    }
}

/// What the request says of the member (docs/api.md#member).
public struct Member: Sendable, Equatable {
    public var status: MemberStatus
    public var admissionDate: CivilDate?
    public var dischargeDate: CivilDate?
    /// Restriction/exception codes on the member's Medicaid file.
    public var rreCodes: [String] = []
    public var medicationManagement = false
    public var lastPrescriberContact: CivilDate?
    /// Psychiatrist or psychiatric nurse-practitioner contacts, any order; may lie after the month.
    public var prescriberContactDates: [CivilDate] = []
    /// In the target population of 14 NYCRR 512.20(b) (docs/rules.md#target-population).
    public var targetPopulation = false

    @inlinable public init(
        status: MemberStatus, admissionDate: CivilDate? = nil, dischargeDate: CivilDate? = nil,
        rreCodes: [String] = [], medicationManagement: Bool = false, lastPrescriberContact: CivilDate? = nil,
        prescriberContactDates: [CivilDate] = [], targetPopulation: Bool = false
    ) {
        self.status = status; self.admissionDate = admissionDate; self.dischargeDate = dischargeDate
        self.rreCodes = rreCodes; self.medicationManagement = medicationManagement
        self.lastPrescriberContact = lastPrescriberContact; self.prescriberContactDates = prescriberContactDates
        self.targetPopulation = targetPopulation
    }
}

/// One member, one calendar month, and the services of that month: the unit of pricing.
public struct MemberMonth: Sendable, Equatable {
    public var memberId: String
    public var month: YearMonth
    public var rateSchedule: String?
    /// The payer profile whose policy applies (docs/rules.md#payer-profiles); nil: the rule set's own.
    public var payer: String?
    public var member: Member
    /// Months billed at the pre-admission rate before this one (docs/rules.md#pre-admission).
    public var priorPreadmissionMonths: [YearMonth] = []
    public var services: [Service]
    /// Pointers of request members the API does not know, ignored (reported as UNKNOWN_FIELDS_IGNORED).
    public var unknownFields: [String] = []

    @inlinable public init(
        memberId: String, month: YearMonth, rateSchedule: String? = nil, payer: String? = nil, member: Member,
        priorPreadmissionMonths: [YearMonth] = [], services: [Service], unknownFields: [String] = []
    ) {
        self.memberId = memberId; self.month = month; self.rateSchedule = rateSchedule; self.payer = payer
        self.member = member; self.priorPreadmissionMonths = priorPreadmissionMonths; self.services = services
        self.unknownFields = unknownFields
    }
}
