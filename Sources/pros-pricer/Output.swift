import ArgumentParser
import CSV
import JSON
import PROSRules
import PROSService

/// How `price` writes its answers.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json, pretty, ndjson, csv, table
}

/// One member-month's answer (a single month when `line` is nil, else an NDJSON batch line).
func render(line: Int?, _ result: Result<PricedClaim, Problem>, _ format: OutputFormat) -> [UInt8] {
    switch format {
    case .json, .ndjson, .pretty:
        var w = JSONWriter(capacity: 2048)
        if let line {
            BatchPricer.writeItem(line: line, result, to: &w)
        } else {
            switch result {
            case .success(let claim): claim.write(to: &w)
            case .failure(let problem): problem.write(to: &w)
            }
        }
        return format == .pretty ? prettyJSON(w.bytes) : w.bytes + [0x0A]
    case .csv:
        switch result {
        case .success(let claim):
            var out: [UInt8] = []
            let outcome = BillingExport.Outcome(
                memberId: claim.memberId, month: claim.month.description, rows: [],
                result: .success(claim))
            BillingExport.writeCSV(outcome, into: &out)
            return out
        case .failure(let problem):
            var out: [UInt8] = []
            let why = (line.map { "line \($0): " } ?? "") + problemText(problem)
            CSVWriter.appendRecord(["", "", "", "error", "", "", "", "", "", why], to: &out)
            return out
        }
    case .table:
        let title = line.map { "line \($0): " } ?? ""
        switch result {
        case .success(let claim): return Array((title + claimTable(claim) + "\n").utf8)
        case .failure(let problem):
            var t = title + "refused (\(problem.status)) \(problem.title): \(problem.detail)\n"
            for e in problem.errors { t += "  \(e.pointer): \(e.detail)\n" }
            return Array((t + "\n").utf8)
        }
    }
}

/// One member-month of a billing export.
func render(_ o: BillingExport.Outcome, _ format: OutputFormat) -> [UInt8] {
    var out: [UInt8] = []
    switch format {
    case .json, .ndjson: BillingExport.writeNDJSON(o, into: &out)
    case .pretty: BillingExport.writeNDJSON(o, into: &out); out = prettyJSON(out)
    case .csv: BillingExport.writeCSV(o, into: &out)
    case .table:
        let rows = o.rows.count == 1 ? "row \(o.rows[0])" : "rows " + o.rows.map(String.init).joined(separator: ", ")
        switch o.result {
        case .success(let claim):
            var t = claimTable(claim)
            let firstLine = t.firstIndex(of: "\n").map { t.index(after: $0) } ?? t.endIndex
            t.insert(contentsOf: "  \(rows) of the export\n", at: firstLine)
            out = Array((t + "\n").utf8)
        case .failure(let refusal):
            out = Array(
                ("\(o.memberId.isEmpty ? "(no memberId)" : o.memberId) \(o.month) (\(rows))\n"
                    + refusalTable(refusal) + "\n").utf8)
        }
    }
    return out
}

func problemText(_ p: Problem) -> String {
    p.errors.isEmpty ? p.detail : p.errors.map { "\($0.pointer): \($0.detail)" }.joined(separator: "; ")
}

func refusalTable(_ r: BillingExport.Refusal) -> String {
    var t = "refused (\(r.status)) \(r.title): \(r.detail)\n"
    for e in r.errors { t += "  row \(e.row)" + (e.column.map { ", \($0)" } ?? "") + ": \(e.detail)\n" }
    return t
}

/// A claim as a person reads it: its lines with amounts and the total, then the findings.
func claimTable(_ c: PricedClaim) -> String {
    func pad(_ s: String, _ n: Int, left: Bool = true) -> String {
        let fill = String(repeating: " ", count: max(0, n - s.count))
        return left ? s + fill : fill + s
    }
    let byComponent = Component.allCases.map { "\($0.rawValue) \(c.units.byComponent[$0])" }
    var t =
        "\(c.memberId)  \(c.month)  rule set \(c.ruleSet)  rate schedule \(c.rateSchedule ?? "none")  "
        + "date of service \(c.dateOfService)\n"
    t += "  units: \(c.units.accrued) accrued, \(c.units.tier) for the tier (\(byComponent.joined(separator: ", ")))\n"
    t += "  \(c.summary)\n"
    if c.lines.isEmpty {
        t += "  nothing is billable\n"
    } else {
        t +=
            "  " + pad("kind", 14) + pad("rate", 6) + pad("procedure", 11) + pad("modifiers", 11)
            + pad("units", 6, left: false)
            + pad("amount", 11, left: false) + "\n"
        for l in c.lines {
            let kind =
                l.kind.rawValue + (l.tier.map { " tier \($0)" } ?? "")
                + (l.component.map { " \($0.rawValue)" } ?? "")
            t +=
                "  " + pad(kind, 14) + pad(l.rateCode, 6) + pad(l.procedureCode, 11)
                + pad(l.modifiers.joined(separator: " "), 11)
                + pad(String(l.units), 6, left: false) + pad(l.amount?.description ?? "no rate", 11, left: false) + "\n"
        }
        t += "  " + pad("total", 48) + pad(c.total?.description ?? "no rate", 11, left: false) + "\n"
    }
    for f in c.findings {
        t +=
            "  " + pad(f.severity.rawValue, 8) + f.code.rawValue + ": " + f.message
            + (f.serviceIds.isEmpty ? "" : " (services \(f.serviceIds.joined(separator: ", ")))") + "\n"
    }
    for h in c.hints { t += "  " + pad("hint", 8) + h.code.rawValue + ": " + h.message + "\n" }
    return t
}

/// Compact JSON re-indented by two spaces (strings copied as they are), ending in a newline.
func prettyJSON(_ json: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(json.count * 2)
    var depth = 0
    var inString = false
    var escaped = false
    func newline() { out.append(0x0A); out += [UInt8](repeating: 0x20, count: depth * 2) }
    var i = 0
    while i < json.count {
        let c = json[i]
        if inString {
            out.append(c)
            if escaped {
                escaped = false
            } else if c == UInt8(ascii: "\\") {
                escaped = true
            } else if c == 0x22 {
                inString = false
            }
            i += 1
            continue
        }
        switch c {
        case 0x22: inString = true; out.append(c)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            if i + 1 < json.count && json[i + 1] == close { out += [c, close]; i += 2; continue }
            out.append(c); depth += 1; newline()
        case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; newline(); out.append(c)
        case UInt8(ascii: ","): out.append(c); newline()
        case UInt8(ascii: ":"): out += [c, 0x20]
        case 0x0A: if depth == 0 { out.append(c) }
        default: out.append(c)
        }
        i += 1
    }
    if out.last != 0x0A { out.append(0x0A) }
    return out
}
