import JSON
import PROSRules
import PROSWire

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
        Problem(
            type: "urn:pros-pricer:problem:malformed-json", title: "Malformed JSON", status: 400,
            detail: "invalid JSON at byte \(e.offset): \(e.reason)")
    }

    /// Invalid fields: a `422` listing each one with its pointer.
    public static func validation(_ errors: [FieldError]) -> Problem {
        let shown = Array(errors.prefix(Validation.maxReportedErrors))
        let more = errors.count > shown.count ? " (the first \(shown.count) are listed)" : ""
        return Problem(
            type: "urn:pros-pricer:problem:validation", title: "Invalid member-month", status: 422,
            detail: (errors.count == 1 ? "1 field is invalid" : "\(errors.count) fields are invalid") + more,
            errors: shown)
    }

    public static func from(_ failure: DecodeFailure) -> Problem {
        switch failure {
        case .syntax(let e): syntax(e)
        case .invalid(let errors, _): validation(errors)
        }
    }

    public static func from(_ error: PricingError) -> Problem {
        guard error.isUnsupportedMonth else { return validation(error.fieldErrors) }
        return Problem(
            type: "urn:pros-pricer:problem:unsupported-month", title: "No rule set covers the month",
            status: 422, detail: error.fieldErrors[0].detail, errors: error.fieldErrors)
    }

    public func write(to w: inout JSONWriter) {
        w.beginProblem(type: type, title: title, status: status, detail: detail)
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
            // One answer lists every problem: the config's (month, schedule, payer) beside the fields'.
            if case .invalid(let errors, let names) = error {
                let more = configErrors(month: names.month, rateSchedule: names.rateSchedule, payer: names.payer)
                return .failure(.validation(errors + more))
            }
            return .failure(.from(error))
        }
    }

    public func price(json bytes: [UInt8]) -> Result<PricedClaim, Problem> {
        bytes.withUnsafeBufferPointer { price(json: $0) }
    }
}

extension JSONWriter {
    /// Opens an RFC 9457 problem object with its four members; the caller adds `errors` and closes it.
    mutating func beginProblem(type: String, title: String, status: Int, detail: String) {
        beginObject()
        field("type", type)
        field("title", title)
        field("status", status)
        field("detail", detail)
    }
}
