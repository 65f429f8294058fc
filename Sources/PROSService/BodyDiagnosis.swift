import JSON
import PROSRules

/// Errors that say how to fix them (docs/api.md#errors): a body that cannot be a member-month for a
/// reason the client can act on gets a problem naming that reason, before the JSON reader's byte offset.
enum BodyDiagnosis {
    /// The problem with a body sent to `POST /v1/claims/price`, when it is one of the usual mistakes.
    static func singleMonth(_ body: [UInt8]) -> Problem? {
        var i = 0
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }  // a byte-order mark is skipped, as the decoder does
        while i < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[i]) { i += 1 }
        guard i < body.count else {
            return Problem(
                type: "urn:pros-pricer:problem:empty-body", title: "Empty body", status: 400,
                detail: "the request has no body: send one member-month as a JSON object (docs/api.md)")
        }
        if body.count >= 2 && body[0] == 0x1F && body[1] == 0x8B {
            return Problem(
                type: "urn:pros-pricer:problem:malformed-json", title: "Malformed JSON", status: 400,
                detail: "the body is gzip-compressed but was sent without Content-Encoding: gzip; "
                    + "add that header, or send it uncompressed")
        }
        if body[i] == UInt8(ascii: "[") {
            return Problem(
                type: "urn:pros-pricer:problem:malformed-json", title: "Malformed JSON", status: 400,
                detail: "the body is a JSON array: this endpoint takes one member-month (an object); "
                    + "send arrays to POST /v1/claims/price/batch")
        }
        return nil
    }
}
