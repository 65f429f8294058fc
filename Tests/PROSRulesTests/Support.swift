import Foundation
import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

let book = RuleBook.builtIn()
let pricer = Pricer(book: book)
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func date(_ s: String) -> CivilDate { CivilDate(s)! }
func month(_ s: String) -> YearMonth { YearMonth(s)! }

/// A service on a day of May 2025 unless a date is given.
func svc(
    _ id: String, _ component: Component = .crs, _ format: ServiceFormat = .individual, minutes: Int = 15,
    day: Int = 5, at start: String? = nil, _ location: Location = .onsite, telehealth: Telehealth = .none,
    employment: Bool = false, prescriber: Bool = false, on fullDate: String? = nil
) -> Service {
    Service(
        id: id, date: fullDate.map(date) ?? CivilDate(year: 2025, month: 5, day: day)!,
        startMinute: start.map { parseClockTime($0)! },
        component: component, format: format, minutes: minutes, location: location, telehealth: telehealth,
        employmentSetting: employment, prescriberContact: prescriber)
}

func admitted(
    admission: String = "2024-11-04", discharge: String? = nil, rre: [String] = ["84"], medication: Bool = false,
    lastContact: String? = nil
) -> Member {
    Member(
        status: .admitted, admissionDate: date(admission), dischargeDate: discharge.map(date), rreCodes: rre,
        medicationManagement: medication, lastPrescriberContact: lastContact.map(date))
}

func makeMonth(
    _ services: [Service], member: Member = admitted(), month m: String = "2025-05", schedule: String? = nil,
    prior: [String] = []
) -> MemberMonth {
    MemberMonth(
        memberId: "M-TEST", month: month(m), rateSchedule: schedule, member: member,
        priorPreadmissionMonths: prior.map(month), services: services)
}

/// `count` CRS units, one per on-site individual 15-minute service, one service per day from `firstDay`.
func crsUnits(_ count: Int, firstDay: Int = 1, _ location: Location = .onsite) -> [Service] {
    (0..<count).map { i in
        svc(
            "crs-\(i)", .crs, .individual, minutes: 15, day: firstDay + i % 28,
            at: String(format: "%02d:00", 8 + i / 28), location)
    }
}

func price(_ m: MemberMonth, with p: Pricer = pricer) throws -> PricedClaim { try p.price(m) }

extension PricedClaim {
    var codes: [FindingCode] { findings.map(\.code) }
    var rateCodes: [String] { lines.map(\.rateCode) }
    func finding(_ code: FindingCode) -> Finding? { findings.first { $0.code == code } }
}

/// The built-in rule set with changes, in a book with the given schedules.
func makePricer(rates: [String: String] = [:], _ change: (inout RuleSet) -> Void = { _ in }) -> Pricer {
    var rules = book.ruleSets[0]
    change(&rules)
    let schedule = RateSchedule(
        id: "test", description: "test",
        rates: rates.map {
            Rate(rateCode: $0.key, effectiveFrom: date("2025-04-01"), effectiveTo: nil, amount: Money($0.value)!)
        })
    return Pricer(book: RuleBook(ruleSets: [rules], rateSchedules: [schedule]))
}
