// libFuzzer target for the member-month decoder, the pricing engine and the claim encoder (see scripts/fuzz.sh).
// Properties: no crash or hang on any input; every answer is valid JSON; a refusal is a 400 or a 422
// that names at least one JSON pointer; a priced claim's total equals the sum of its lines.

let pricer = Pricer(book: RuleBook.builtIn())

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let result = pricer.price(json: UnsafeBufferPointer(start: data, count: size))
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
    return 0
}
