import JSON
import PROSService
import Testing

@testable import PROSRules
@testable import PROSWire

/// Invariants over many generated member-months.
@Suite struct InvariantTests {
    struct RNG: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func generate(_ rng: inout RNG) -> MemberMonth {
        let services = (0..<Int.random(in: 0...40, using: &rng)).map { i in
            Service(
                id: "s\(i)", date: CivilDate(year: 2025, month: 6, day: Int.random(in: 1...30, using: &rng))!,
                startMinute: Bool.random(using: &rng) ? Int.random(in: 480...1020, using: &rng) : nil,
                component: Component.allCases.randomElement(using: &rng)!,
                format: ServiceFormat.allCases.randomElement(using: &rng)!,
                minutes: Int.random(in: 1...150, using: &rng), location: Location.allCases.randomElement(using: &rng)!,
                telehealth: Telehealth.allCases.randomElement(using: &rng)!,
                employmentSetting: Int.random(in: 0..<8, using: &rng) == 0,
                prescriberContact: Bool.random(using: &rng))
        }
        let admittedMember = Bool.random(using: &rng)
        return MemberMonth(
            memberId: "G", month: month("2025-06"),
            member: Member(
                status: admittedMember ? .admitted : .preadmission,
                admissionDate: admittedMember ? date("2025-01-01") : nil,
                dischargeDate: Int.random(in: 0..<5, using: &rng) == 0
                    ? CivilDate(year: 2025, month: 6, day: Int.random(in: 1...30, using: &rng)) : nil,
                rreCodes: Bool.random(using: &rng) ? ["84"] : [], medicationManagement: Bool.random(using: &rng)),
            services: services)
    }

    @Test func invariantsHoldOverGeneratedMonths() throws {
        var rng = RNG(state: 20250401)
        for _ in 0..<3000 {
            let m = Self.generate(&rng)
            let claim = try pricer.price(m)
            // One disposition per service, in request order.
            #expect(claim.services.map(\.id) == m.services.map(\.id))
            var perDay: [CivilDate: Int] = [:]
            for (s, d) in zip(m.services, claim.services) {
                perDay[s.date, default: 0] += d.accrued
                #expect(d.accrued <= d.units)
                #expect(d.tierUnits == d.accrued || d.tierUnits == 2 * d.accrued)
                if d.excludedBy != nil { #expect(d.accrued == 0) }
                if s.telehealth != .none { #expect(d.tierUnits == d.accrued) }
            }
            #expect(perDay.values.allSatisfy { $0 <= 5 })
            #expect(claim.units.accrued == claim.services.map(\.accrued).reduce(0, +))
            #expect(claim.units.tier <= 2 * claim.units.accrued)
            // Lines in claim order; never IR and ORS together; at most 2 add-ons.
            let kinds = claim.lines.map(\.kind)
            #expect(kinds.filter { $0 != .addOn }.count <= 1)
            if kinds.count > 1 { #expect(kinds[0] != .addOn) }
            let addOnCodes = claim.lines.filter { $0.kind == .addOn }.map(\.rateCode)
            #expect(addOnCodes == addOnCodes.sorted())
            #expect(addOnCodes.count <= 2)
            #expect(!(addOnCodes.contains("4526") && addOnCodes.contains("4527")))
            // In pre-admission only CT rides beside the 4510 line; CT always needs a base or 4510 line.
            if m.member.status == .preadmission { #expect(addOnCodes.allSatisfy { $0 == "4525" }) }
            if addOnCodes.contains("4525") { #expect(kinds.first == .base || kinds.first == .preadmission) }
            // Each service lists exactly the findings that name it.
            for (i, s) in claim.services.enumerated() {
                let naming = claim.findings.filter { $0.serviceIds.contains(s.id) }.map(\.code)
                #expect(s.findings == naming, "service \(i)")
                if let e = s.excludedBy { #expect(s.findings.contains(e)) }
            }
            // Every line not billed is explained: nothing billed means a finding says why.
            if claim.lines.isEmpty { #expect(!claim.findings.isEmpty) }
            #expect(claim.lines.allSatisfy { $0.dateOfService == claim.dateOfService })
        }
    }
}
