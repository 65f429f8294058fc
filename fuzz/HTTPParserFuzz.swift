// libFuzzer target for the HTTP/1.1 request parser (see scripts/fuzz.sh).
// Property: the parser never crashes or hangs, and feeding the bytes whole, split at a point chosen by the
// input, or one byte at a time gives the same requests, bodies and errors.

/// Runs the parser over `data` cut into pieces at `cuts`; returns a normalised trace of what it produced.
func trace(_ data: UnsafeBufferPointer<UInt8>, cuts: [Int]) -> [String] {
    var parser = HTTPRequestParser(limits: HTTPParserLimits(maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 16))
    var out: [String] = []
    var body: [UInt8] = []
    var start = 0
    var failed = false
    for end in cuts + [data.count] where end > start && !failed {
        parser.append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: data[start..<end])))
        start = end
        var steps = 0
        while true {
            steps += 1
            precondition(steps < 1_000_000, "the parser loops without consuming input")
            do {
                guard let event = try parser.next() else { break }
                switch event {
                case let .head(h):
                    out.append("head \(h.method) \(h.target) \(h.version) \(h.headers.fields.map { $0.name + ": " + $0.value })")
                    precondition(parser.currentHead != nil)
                case let .body(bytes):
                    precondition(!bytes.isEmpty, "empty body piece")
                    body += bytes
                case .end:
                    out.append("body \(body.count) \(body.reduce(0) { $0 &* 31 &+ Int($1) })")
                    out.append("end")
                    body = []
                }
            } catch {
                precondition((400...599).contains(error.status), "an error status outside 4xx/5xx")
                out.append("error \(error.status)")
                failed = true
                break
            }
        }
    }
    if !body.isEmpty { out.append("partial body \(body.count)") }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let buffer = UnsafeBufferPointer(start: data, count: size)
    let whole = trace(buffer, cuts: [])
    if size > 0 {
        let cut = Int(buffer[0]) % (size + 1)
        let split = trace(buffer, cuts: [cut])
        precondition(whole == split, "split at \(cut) differs:\n\(whole)\n\(split)")
    }
    if size <= 2048 {
        let bytewise = trace(buffer, cuts: Array(0..<size))
        precondition(whole == bytewise, "byte-at-a-time differs:\n\(whole)\n\(bytewise)")
    }
    return 0
}
