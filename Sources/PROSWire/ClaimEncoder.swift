import JSON
import PROSRules

extension PricedClaim {
    /// The `200` body (docs/api.md).
    public func write(to w: inout JSONWriter) {
        w.beginObject()
        w.field("memberId", memberId)
        w.key("month"); w.month(month)
        w.field("ruleSet", ruleSet)
        w.field("rateSchedule", optional: rateSchedule)
        w.field("payer", optional: payer)
        w.key("dateOfService"); w.date(dateOfService)
        w.key("units")
        w.beginObject()
        w.field("accrued", units.accrued)
        w.field("tier", units.tier)
        w.key("byComponent")
        w.beginObject()
        for c in Component.allCases { w.key(dynamic: c.rawValue); w.int(units.byComponent[c]) }
        w.endObject()
        w.key("providedByComponent")
        w.beginObject()
        for c in Component.allCases { w.key(dynamic: c.rawValue); w.int(units.providedByComponent[c]) }
        w.endObject()
        w.endObject()
        w.key("lines")
        w.beginArray()
        // Lines, services and findings are walked through their arrays' buffers, which the compiler turns
        // into fewer instructions per element than the arrays' own iterators: 0.4% of a month
        // (bench/instructions.sh, 184,222 -> 183,461).
        lines.withUnsafeBufferPointer { lines in
            for line in lines {
                w.beginObject()
                w.field("kind", line.kind.rawValue)
                if let t = line.tier { w.field("tier", t) }
                if let c = line.component { w.field("component", c.rawValue) }
                w.field("rateCode", line.rateCode)
                w.field("procedureCode", line.procedureCode)
                w.stringArray("modifiers", line.modifiers)
                w.field("units", line.units)
                w.key("dateOfService"); w.date(line.dateOfService)
                w.key("amount")
                if let a = line.amount { w.hundredthsString(a.cents) } else { w.null() }
                w.endObject()
            }
        }
        w.endArray()
        w.key("total")
        if let total { w.hundredthsString(total.cents) } else { w.null() }
        w.key("summary"); w.string(utf8: summaryUTF8)
        w.key("services")
        w.beginArray()
        // The most repeated object of the answer (one per service): written as runs of fixed bytes.
        services.withUnsafeBufferPointer { services in
            for s in services {
                w.separate()
                w.chunk(#"{"id":"#)
                w.string(s.id)
                w.chunk(#","units":"#)
                w.int(s.units)
                w.chunk(#","accrued":"#)
                w.int(s.accrued)
                w.chunk(#","tierUnits":"#)
                w.int(s.tierUnits)
                w.chunk(
                    s.countedAs == .offsite
                        ? #","countedAs":"offsite","excludedBy":"# : #","countedAs":"onsite","excludedBy":"#)
                if let e = s.excludedBy { w.plainString(e.rawValue) } else { w.chunk("null") }
                w.chunk(#","findings":["#)
                for f in s.findings { w.plainString(f.rawValue) }
                w.chunk("]}", valueEnds: true)
            }
        }
        w.endArray()
        w.key("findings")
        w.beginArray()
        findings.withUnsafeBufferPointer { findings in
            for f in findings {
                w.beginObject()
                w.key("code"); w.plainString(f.code.rawValue)
                w.key("severity"); w.plainString(f.severity.rawValue)
                w.key("message"); w.string(utf8: f.messageUTF8)
                w.stringArray("serviceIds", f.serviceIds)
                w.endObject()
            }
        }
        w.endArray()
        w.key("hints")
        w.beginArray()
        for h in hints {
            w.beginObject()
            w.key("code"); w.plainString(h.code.rawValue)
            w.field("needed", h.needed)
            w.key("message"); w.string(utf8: h.messageUTF8)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// Room for the usual answer, so a writer sized by it does not regrow.
    public var expectedJSONBytes: Int {
        1024 + services.count * 130 + findings.count * 300 + summaryUTF8.count + hints.count * 250
    }

    public func jsonBytes() -> [UInt8] {
        JSONWriter.makeBytes(capacity: expectedJSONBytes) { write(to: &$0) }
    }
}
