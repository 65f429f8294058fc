/// Whether a psychiatrist or psychiatric nurse-practitioner contact covers the month, for a member on
/// medication management (docs/rules.md#prescriber-contact-window, #admission-rule-for-prescriber-contacts,
/// #pending-prescriber-contact).
enum ContactStatus: Equatable {
    case covered
    /// No contact covers the month; one from this month on would have.
    case missing(from: YearMonth)
    /// One of the first admission months: a contact by `deadline` covers it.
    case pending(admission: YearMonth, deadline: CivilDate)
}

extension MonthRun {
    /// Every known contact: the month's CT services marked so (unless excluded by discharge, a one-to-one
    /// rule or an overlap — one shorter than a unit or capped to nothing still counts: the contact is a fact
    /// of the visit, not of its units), `lastPrescriberContact` and `prescriberContactDates`.
    func forEachKnownContact(_ body: (CivilDate) -> Void) {
        for d in member.prescriberContactDates { body(d) }
        if let last = member.lastPrescriberContact { body(last) }
        for i in services.indices where services[i].component == .ct && services[i].prescriberContact {
            switch dispositions[i].excludedBy {
            case nil, .belowUnitMinimum?: body(services[i].date)
            default: break
            }
        }
    }

    func knownContacts() -> [CivilDate] {
        var dates: [CivilDate] = []
        forEachKnownContact { dates.append($0) }
        return dates
    }

    /// The latest known contact in month `m` or before it, without building the list.
    func latestContact(through m: YearMonth) -> CivilDate? {
        var latest: CivilDate?
        forEachKnownContact { d in
            if d.yearMonth <= m, latest.map({ d > $0 }) ?? true { latest = d }
        }
        return latest
    }

    /// The admission month, for an admitted member.
    var admissionMonth: YearMonth? {
        member.status == .admitted ? member.admissionDate?.yearMonth : nil
    }

    func prescriberContact() -> ContactStatus {
        let m = month.month
        let window = rules.prescriberContactWindowMonths
        let contacts = knownContacts().map(\.yearMonth)
        // A contact in month C covers C and the `window` months after it: C in M−window ... M.
        if contacts.contains(where: { m.advanced(by: -window) <= $0 && $0 <= m }) { return .covered }
        // A contact in any of the first N admission months covers that month and the earlier ones.
        if let a = admissionMonth, rules.prescriberContactAdmissionMonths > 0 {
            let last = a.advanced(by: rules.prescriberContactAdmissionMonths - 1)
            if a <= m && m <= last {
                if contacts.contains(where: { m <= $0 && $0 <= last }) { return .covered }
                return .pending(admission: a, deadline: last.lastDay)
            }
        }
        return .missing(from: m.advanced(by: -window))
    }
}
