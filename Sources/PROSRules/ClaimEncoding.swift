extension PricedClaim {
    /// The `200` body of API.md.
    public func write(to w: inout JSONWriter) {
        w.beginObject()
        w.field("memberId", memberId)
        w.key("month"); w.month(month)
        w.field("ruleSet", ruleSet)
        w.field("rateSchedule", optional: rateSchedule)
        w.key("dateOfService"); w.date(dateOfService)
        w.key("units")
        w.beginObject()
        w.field("accrued", units.accrued)
        w.field("tier", units.tier)
        w.key("byComponent")
        w.beginObject()
        for c in Component.allCases { w.key(dynamic: c.rawValue); w.int(units.byComponent[c, default: 0]) }
        w.endObject()
        w.endObject()
        w.key("lines")
        w.beginArray()
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
            w.field("amount", optional: line.amount?.description)
            w.endObject()
        }
        w.endArray()
        w.field("total", optional: total?.description)
        w.key("services")
        w.beginArray()
        // The most repeated object of the answer (one per service): written as runs of fixed bytes.
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
            w.chunk(s.countedAs == .offsite ? #","countedAs":"offsite","excludedBy":"# : #","countedAs":"onsite","excludedBy":"#)
            if let e = s.excludedBy { w.plainString(e.rawValue) } else { w.chunk("null") }
            w.chunk(#","findings":["#)
            for f in s.findings { w.plainString(f.rawValue) }
            w.chunk("]}", valueEnds: true)
        }
        w.endArray()
        w.key("findings")
        w.beginArray()
        for f in findings {
            w.beginObject()
            w.key("code"); w.plainString(f.code.rawValue)
            w.key("severity"); w.plainString(f.severity.rawValue)
            w.key("message"); w.string(utf8: f.messageUTF8)
            w.stringArray("serviceIds", f.serviceIds)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    public func jsonBytes() -> [UInt8] {
        var w = JSONWriter(capacity: 1024 + services.count * 130 + findings.count * 250)  // room for the usual answer: no regrowth
        write(to: &w)
        return w.bytes
    }
}

/// An RFC 9457 problem: why a request was refused. Shared by the HTTP service and the command line.
public struct Problem: Error, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var errors: [FieldError]

    public init(type: String, title: String, status: Int, detail: String, errors: [FieldError] = []) {
        self.type = type; self.title = title; self.status = status; self.detail = detail; self.errors = errors
    }

    /// Malformed JSON: a `400` naming the byte offset.
    public static func syntax(_ e: JSONSyntaxError) -> Problem {
        Problem(type: "urn:pros-pricer:problem:malformed-json", title: "Malformed JSON", status: 400,
                detail: "invalid JSON at byte \(e.offset): \(e.reason)")
    }

    /// Invalid fields: a `422` listing each one with its pointer.
    public static func validation(_ errors: [FieldError]) -> Problem {
        let shown = Array(errors.prefix(MemberMonthDecoder.maxReportedErrors))
        let more = errors.count > shown.count ? " (the first \(shown.count) are listed)" : ""
        return Problem(type: "urn:pros-pricer:problem:validation", title: "Invalid member-month", status: 422,
                       detail: (errors.count == 1 ? "1 field is invalid" : "\(errors.count) fields are invalid") + more,
                       errors: shown)
    }

    public static func from(_ failure: DecodeFailure) -> Problem {
        switch failure {
        case let .syntax(e): syntax(e)
        case let .invalid(errors): validation(errors)
        }
    }

    public static func from(_ error: PricingError) -> Problem {
        switch error {
        case .unsupportedMonth:
            Problem(type: "urn:pros-pricer:problem:unsupported-month", title: "No rule set covers the month", status: 422,
                    detail: error.fieldErrors[0].detail, errors: error.fieldErrors)
        case .unknownRateSchedule:
            validation(error.fieldErrors)
        }
    }

    public func write(to w: inout JSONWriter) {
        w.beginObject()
        w.field("type", type)
        w.field("title", title)
        w.field("status", status)
        w.field("detail", detail)
        if !errors.isEmpty {
            w.key("errors")
            w.beginArray()
            for e in errors {
                w.beginObject()
                w.field("pointer", e.pointer)
                w.field("detail", e.detail)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
    }

    public func jsonBytes() -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        write(to: &w)
        return w.bytes
    }
}

extension Pricer {
    /// Decodes and prices one member-month from JSON bytes: the claim, or the problem to answer with.
    public func price(json buffer: UnsafeBufferPointer<UInt8>) -> Result<PricedClaim, Problem> {
        do {
            let month = try MemberMonthDecoder.decode(buffer)
            do { return .success(try price(month)) } catch { return .failure(.from(error)) }
        } catch {
            return .failure(.from(error))
        }
    }

    public func price(json bytes: [UInt8]) -> Result<PricedClaim, Problem> {
        bytes.withUnsafeBufferPointer { price(json: $0) }
    }
}
