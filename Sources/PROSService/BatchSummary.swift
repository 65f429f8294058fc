import JSON
import PROSRules

/// What a batch priced (`?summary=true`, `--summary`): member-months read, priced and refused; lines,
/// units and amounts by rate code; the total; findings by code.
public struct BatchSummary: Sendable, Equatable {
    public var read = 0
    public var priced = 0
    public var refused = 0
    public struct RateCode: Sendable, Equatable {
        public var lines = 0
        public var units = 0
        public var amount = Money.zero
        /// Lines with no configured rate (not in `amount`).
        public var unpricedLines = 0
    }
    public var rateCodes: [String: RateCode] = [:]
    /// The sum of every line's amount (lines without a rate add nothing; `linesWithoutRate` counts them).
    public var total = Money.zero
    public var linesWithoutRate = 0
    public var findings: [String: Int] = [:]

    public init() {}

    public mutating func add(_ claim: PricedClaim) {
        read += 1
        priced += 1
        for line in claim.lines {
            var r = rateCodes[line.rateCode, default: RateCode()]
            r.lines += 1
            r.units += line.units
            if let a = line.amount {
                r.amount = r.amount + a
                total = total + a
            } else {
                r.unpricedLines += 1
                linesWithoutRate += 1
            }
            rateCodes[line.rateCode] = r
        }
        for f in claim.findings { findings[f.code.rawValue, default: 0] += 1 }
    }

    public mutating func addRefused() {
        read += 1
        refused += 1
    }

    /// `{"summary": {…}}`, the last line of a batch answer with `?summary=true`.
    public func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("summary")
        w.beginObject()
        w.field("read", read)
        w.field("priced", priced)
        w.field("refused", refused)
        w.key("rateCodes")
        w.beginObject()
        for code in rateCodes.keys.sorted() {
            let r = rateCodes[code]!
            w.key(dynamic: code)
            w.beginObject()
            w.field("lines", r.lines)
            w.field("units", r.units)
            w.field("amount", optional: r.unpricedLines == r.lines ? nil : r.amount.description)
            w.field("unpricedLines", r.unpricedLines)
            w.endObject()
        }
        w.endObject()
        w.field("total", total.description)
        w.field("linesWithoutRate", linesWithoutRate)
        w.key("findings")
        w.beginObject()
        for code in findings.keys.sorted() { w.key(dynamic: code); w.int(findings[code]!) }
        w.endObject()
        w.endObject()
        w.endObject()
    }

    public func jsonLine() -> [UInt8] {
        var w = JSONWriter(capacity: 512)
        write(to: &w)
        return w.bytes + [0x0A]
    }

    /// The same as a table for a terminal (`--summary` on standard error).
    public func table() -> String {
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return left ? s + fill : fill + s
        }
        var t = "member-months: \(read) read, \(priced) priced, \(refused) refused\n"
        t += pad("rate code", 10, left: true) + pad("lines", 8) + pad("units", 9) + pad("amount", 14) + "\n"
        for code in rateCodes.keys.sorted() {
            let r = rateCodes[code]!
            t +=
                pad(code, 10, left: true) + pad(String(r.lines), 8) + pad(String(r.units), 9)
                + pad(r.unpricedLines == r.lines ? "no rate" : r.amount.description, 14)
                + (r.unpricedLines > 0 && r.unpricedLines < r.lines ? "  (\(r.unpricedLines) without a rate)" : "")
                + "\n"
        }
        t +=
            pad("total", 27, left: true) + pad(total.description, 14)
            + (linesWithoutRate > 0 ? "  (\(linesWithoutRate) lines without a rate are not in it)" : "") + "\n"
        if !findings.isEmpty {
            t += pad("finding", 34, left: true) + pad("count", 7) + "\n"
            for code in findings.keys.sorted() {
                t += pad(code, 34, left: true) + pad(String(findings[code]!), 7) + "\n"
            }
        }
        return t
    }
}
