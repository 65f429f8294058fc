import Testing

@testable import PROSRules

/// Money, dates and months: the values the rules compute with.
@Suite struct ValueTests {
    @Test(arguments: [("690.40", 69040), ("12", 1200), ("0.5", 50), ("1187.21", 118721)])
    func moneyParsesExactly(text: String, cents: Int64) {
        #expect(Money(text)?.cents == cents)
    }

    @Test(arguments: ["", "1.234", "-1", "1.", ".5", "1,00", "abc"])
    func badMoneyIsRejected(text: String) { #expect(Money(text) == nil) }

    @Test func datesValidateTheCalendar() {
        #expect(CivilDate("2024-02-29") != nil)
        #expect(CivilDate("2025-02-29") == nil)
        #expect(CivilDate("2025-04-31") == nil)
        #expect(CivilDate("2025-4-01") == nil)
        #expect(YearMonth("2025-01")!.advanced(by: -2).description == "2024-11")
        #expect(YearMonth("2025-02")!.lastDay.description == "2025-02-28")
    }
}
