// libFuzzer target for the member-month decoder, the pricing engine and the claim encoder (see scripts/fuzz.sh).
// Properties: no crash or hang on any input; every answer is valid JSON; a refusal is a 400 or a 422
// that names at least one JSON pointer; a priced claim's total equals the sum of its lines; and the
// decoder's two paths agree: an input that is valid JSON gets the same answer written compactly and
// written with spaces and newlines (the compact path reads the first in place, the general path the other).

let pricer = Pricer(book: RuleBook.builtIn())

/// A JSON value written with spaces after every separator, so no member or value is compact.
func spaced(_ v: JSONValue) -> String {
    switch v {
    case let .object(members):
        return "{ " + members.map { key, value in
            var w = JSONWriter()
            w.string(key)
            return String(decoding: w.bytes, as: UTF8.self) + " : " + spaced(value)
        }.joined(separator: " ,\n ") + " }"
    case let .array(items): return "[ " + items.map(spaced).joined(separator: " , ") + " ]"
    default:
        var w = JSONWriter()
        w.value(v)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

func answer(_ result: Result<PricedClaim, Problem>) -> [UInt8] {
    switch result {
    case let .success(claim): claim.jsonBytes()
    case let .failure(problem): problem.jsonBytes()
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: data, count: size)
    let result = pricer.price(json: input)
    switch result {
    case let .success(claim):
        let bytes = claim.jsonBytes()
        guard let doc = try? JSONValue.parse(bytes) else { preconditionFailure("the encoder wrote invalid JSON") }
        if case let .string(total)? = doc["total"] {
            var sum: Int64 = 0
            for line in claim.lines { if let a = line.amount { sum += a.cents } }
            precondition(Money(total)?.cents == sum, "total \(total) is not the sum of the lines")
        }
    case let .failure(problem):
        precondition(problem.status == 400 || problem.status == 422, "unexpected status \(problem.status)")
        if problem.status == 422 { precondition(!problem.errors.isEmpty, "a 422 without a pointer") }
        precondition((try? JSONValue.parse(problem.jsonBytes())) != nil, "the problem is not valid JSON")
    }
    // Both decoder paths: the same value written compactly and spaced gets the same answer.
    if let value = try? JSONValue.parse(Array(input)) {
        var w = JSONWriter()
        w.value(value)
        let compact = answer(pricer.price(json: w.bytes))
        let other = answer(pricer.price(json: Array(spaced(value).utf8)))
        precondition(compact == other, "compact and spaced answers differ")
    }
    return 0
}
