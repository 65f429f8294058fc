#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import PROSRules
import Synchronization

/// The API of API.md over our HTTP server: the only place rules meet HTTP.
public final class PricingService: HTTPHandler {
    public let config: ServiceConfiguration
    public let metrics = Metrics()
    public let logger: Logger
    let pricer: Mutex<Pricer>
    let server = Mutex<HTTPServer?>(nil)
    let requestCounter = Atomic<UInt64>(0)
    let requestIdPrefix: String

    public init(config: ServiceConfiguration, book: RuleBook, logger: Logger = Logger()) {
        self.config = config
        self.logger = logger
        pricer = Mutex(Pricer(book: book))
        requestIdPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }

    public func attach(_ server: HTTPServer) { self.server.withLock { $0 = server } }

    public var currentPricer: Pricer { pricer.withLock { $0 } }

    /// SIGHUP: reloads rule sets and rate schedules atomically. In-flight requests keep the pricer they
    /// started with; a bad reload keeps the old config, is logged and counted.
    @discardableResult
    public func reload() -> Bool {
        do {
            let book = try ConfigLoader.loadRuleBook(configDirectory: config.configDirectory)
            pricer.withLock { $0 = Pricer(book: book) }
            metrics.reloaded(ok: true)
            logger.log("info", "config reloaded", [("digest", book.digest)])
            return true
        } catch {
            metrics.reloaded(ok: false)
            logger.log("error", "config reload failed; keeping the loaded config", [("error", error.description)])
            return false
        }
    }

    // MARK: routing

    struct Context {
        let requestId: String
        let route: String
        let method: String
        let started: Int64
        let client: String
    }

    public func route(_ head: HTTPRequestHead, remoteAddress: String) -> HTTPRoute {
        let ctx = Context(requestId: requestId(head), route: routeTemplate(head.path), method: head.method,
                          started: monotonicNs(), client: clientAddress(head, remoteAddress))
        metrics.requestStarted()
        let path = ctx.route
        let allowed: String
        let methodAllowed: Bool
        switch path {
        case "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v1/rule-sets":
            allowed = "GET, HEAD"
            methodAllowed = head.method == "GET" || head.method == "HEAD"
        case "/v1/claims/price", "/v1/claims/price/batch":
            allowed = "POST"
            methodAllowed = head.method == "POST"
        default:
            return .respond(finish(ctx, problem(404, "urn:pros-pricer:problem:not-found", "Not found", "no resource at \(head.path)")))
        }
        guard methodAllowed else {
            var r = problem(405, "urn:pros-pricer:problem:method-not-allowed", "Method not allowed", "\(path) allows \(allowed)")
            r.headers.add("Allow", allowed)
            return .respond(finish(ctx, r))
        }
        if path.hasPrefix("/v1/"), !config.apiKeys.isEmpty, !authorized(head) {
            var r = problem(401, "urn:pros-pricer:problem:unauthorized", "Unauthorized", "a valid Authorization: Bearer key is required")
            r.headers.add("WWW-Authenticate", "Bearer")
            return .respond(finish(ctx, r))
        }
        switch path {
        case "/healthz":
            return .respond(finish(ctx, json(200, #"{"status":"ok"}"#)))
        case "/readyz":
            let ready = server.withLock { $0?.isAcceptingWork ?? false }
            if ready { return .respond(finish(ctx, json(200, #"{"status":"ready"}"#))) }
            var r = json(503, #"{"status":"draining"}"#)
            r.headers.add("Retry-After", "1")
            return .respond(finish(ctx, r))
        case "/metrics":
            let open = server.withLock { $0?.openConnections ?? 0 }
            return .respond(finish(ctx, HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4", body: Array(metrics.render(openConnections: open, droppedLogLines: logger.droppedLines).utf8))))
        case "/openapi.yaml":
            return .respond(finish(ctx, HTTPResponse(status: 200, contentType: "application/yaml", body: Array(OpenAPIDocument.yaml.utf8))))
        case "/v1/rule-sets":
            return .respond(finish(ctx, HTTPResponse(status: 200, contentType: "application/json", body: ruleSetsJSON())))
        default:
            break
        }
        // POST routes: the body must be framed and typed.
        if !head.headers.contains("content-length") && !head.headers.contains("transfer-encoding") {
            return .respond(finish(ctx, problem(411, "urn:pros-pricer:problem:length-required", "Length required", "send Content-Length or chunked Transfer-Encoding")))
        }
        let mediaType = Self.mediaType(head.headers["content-type"])
        let pricer = currentPricer  // this request prices on the config it started with
        if path == "/v1/claims/price" {
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                return .respond(finish(ctx, unsupportedMediaType(mediaType, "application/json")))
            }
            return .buffered(maxBodyBytes: config.maxPriceBodyBytes) { [self] request in
                let result = pricer.price(json: request.body)
                metrics.priced(result)
                switch result {
                case let .success(claim): return finish(ctx, HTTPResponse(status: 200, contentType: "application/json", body: claim.jsonBytes()))
                case let .failure(p): return finish(ctx, problemResponse(p))
                }
            }
        }
        let summary = Self.queryFlag(head.target, "summary")
        switch mediaType {
        case "application/x-ndjson", "application/jsonl", "application/ndjson":
            return .streaming(maxBodyBytes: config.maxBatchBodyBytes,
                              NDJSONBatch(service: self, pricer: pricer, ctx: ctx, summary: summary))
        case "application/json":
            return .buffered(maxBodyBytes: config.maxBatchArrayBytes) { [self] request in finish(ctx, priceArray(request.body, pricer)) }
        case "text/csv":
            let csvOut = !summary && (head.headers["accept"].map { Self.mediaType($0) == "text/csv" } ?? false)
            let declared = head.headers["content-length"].flatMap { Int($0) } ?? 0
            return .streaming(maxBodyBytes: config.maxCsvBytes,
                              CSVExportStream(service: self, pricer: pricer, ctx: ctx, format: csvOut ? .csv : .ndjson,
                                              summary: summary, expectedBytes: min(declared, config.maxCsvBytes)))
        default:
            let accepted = "application/x-ndjson, application/json or text/csv"
            return .respond(finish(ctx, unsupportedMediaType(mediaType, accepted)))
        }
    }

    /// The media type of a Content-Type value: before any `;` parameters, spaces and tabs trimmed,
    /// ASCII lower-cased (RFC 9110 §8.3.1: case-insensitive). Worked on bytes: this runs every request.
    static func mediaType(_ contentType: String?) -> String {
        guard var value = contentType else { return "" }
        return value.withUTF8 { u in
            var end = u.firstIndex(of: UInt8(ascii: ";")) ?? u.count
            var start = 0
            while start < end && (u[start] == 0x20 || u[start] == 0x09) { start += 1 }
            while end > start && (u[end - 1] == 0x20 || u[end - 1] == 0x09) { end -= 1 }
            return String(unsafeUninitializedCapacity: end - start) { out in
                for i in start..<end {
                    let c = u[i]
                    out[i - start] = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 0x20 : c
                }
                return end - start
            }
        }
    }

    public func serverAnswered(status: Int, head: HTTPRequestHead?, remoteAddress: String, routed: Bool) {
        metrics.requestFinished(route: head.map { routeTemplate($0.path) } ?? "-", status: status, seconds: 0)
        if routed { metrics.requestEnded() }  // route() counted it in flight
        guard config.accessLog else { return }
        logger.log("info", "request", [("requestId", head.map(requestId) ?? "-"), ("method", head?.method ?? "-"),
                                       ("route", head.map { routeTemplate($0.path) } ?? "-"), ("client", remoteAddress)],
                   numbers: [("status", status), ("bytes", 0), ("durationUs", 0)])
    }

    /// Completes a response: request id header, access log, metrics.
    func finish(_ ctx: Context, _ response: HTTPResponse, bytes: Int? = nil) -> HTTPResponse {
        var r = response
        r.headers.add("X-Request-ID", ctx.requestId)
        let seconds = Double(monotonicNs() - ctx.started) / 1e9
        metrics.requestFinished(route: ctx.route, status: r.status, seconds: seconds)
        metrics.requestEnded()
        if config.accessLog {
            logger.log("info", "request", [("requestId", ctx.requestId), ("method", ctx.method), ("route", ctx.route), ("client", ctx.client)],
                       numbers: [("status", r.status), ("bytes", bytes ?? r.body.count), ("durationUs", Int(seconds * 1e6))])
        }
        return r
    }

    // MARK: pieces

    func priceArray(_ body: [UInt8], _ pricer: Pricer) -> HTTPResponse {
        // The array is split into its elements' byte ranges, each priced like an NDJSON line.
        var ranges: [Range<Int>] = []
        do {
            try body.withUnsafeBufferPointer { buf throws(JSONSyntaxError) in
                var r = JSONReader(buf)
                guard try r.peekKind() == .array else { throw JSONSyntaxError(offset: r.offset, reason: "expected an array of member-months") }
                try r.beginArray()
                var first = true
                while try r.nextElement(first: &first) {
                    _ = try r.peekKind()
                    let start = r.offset
                    try r.skipValue()
                    ranges.append(start..<r.offset)
                }
                try r.finish()
            }
        } catch {
            return problemResponse(.syntax(error))
        }
        var w = JSONWriter(capacity: ranges.count * 1500 + 16)
        w.beginArray()
        for (i, range) in ranges.enumerated() {
            let result = body.withUnsafeBufferPointer { pricer.price(json: UnsafeBufferPointer(rebasing: $0[range])) }
            metrics.priced(result)
            BatchPricer.writeItem(line: i + 1, result, to: &w)
        }
        w.endArray()
        return HTTPResponse(status: 200, contentType: "application/json", body: w.bytes)
    }

    /// Whether the request target's query sets `name` to `true` (or `1`).
    static func queryFlag(_ target: String, _ name: String) -> Bool {
        guard let q = target.firstIndex(of: "?") else { return false }
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if kv[0] == name { return kv.count == 2 && (kv[1] == "true" || kv[1] == "1") }
        }
        return false
    }

    func ruleSetsJSON() -> [UInt8] {
        let book = currentPricer.book
        var w = JSONWriter()
        w.beginObject()
        w.field("digest", book.digest)
        w.key("ruleSets")
        w.beginArray()
        for r in book.ruleSets {
            w.beginObject()
            w.field("id", r.id)
            w.field("effectiveFrom", r.effectiveFrom.description)
            w.field("effectiveTo", optional: r.effectiveTo?.description)
            w.endObject()
        }
        w.endArray()
        w.key("rateSchedules")
        w.beginArray()
        for s in book.rateSchedules.values.sorted(by: { $0.id < $1.id }) {
            w.beginObject()
            w.field("id", s.id)
            w.field("description", s.description)
            w.key("rates")
            w.beginArray()
            for rate in s.rates {
                w.beginObject()
                w.field("rateCode", rate.rateCode)
                w.field("effectiveFrom", rate.effectiveFrom.description)
                w.field("effectiveTo", optional: rate.effectiveTo?.description)
                w.field("amount", rate.amount.description)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    func authorized(_ head: HTTPRequestHead) -> Bool {
        guard let auth = head.headers["authorization"], auth.count > 7, auth.lowercased().hasPrefix("bearer ") else { return false }
        let presented = Array(auth.dropFirst(7).utf8)
        var match = false
        for key in config.apiKeys where constantTimeEquals(presented, Array(key.utf8)) { match = true }
        return match
    }

    func requestId(_ head: HTTPRequestHead) -> String {
        if let id = head.headers["x-request-id"], (1...128).contains(id.utf8.count),
           id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return id
        }
        return requestIdPrefix + "-" + String(requestCounter.add(1, ordering: .relaxed).newValue, radix: 16)
    }

    func clientAddress(_ head: HTTPRequestHead, _ peer: String) -> String {
        guard config.trustedProxies.contains(peer), let xff = head.headers.values("x-forwarded-for").last else { return peer }
        // The right-most address is the one the trusted proxy saw.
        return xff.split(separator: ",").last.map { String($0).trimmingSpaces } ?? peer
    }

    /// The route a path names (its own text for a known route), else "unmatched"; compared as bytes.
    func routeTemplate(_ path: Substring) -> String {
        let p = String(path)
        switch p {
        case "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v1/rule-sets", "/v1/claims/price", "/v1/claims/price/batch": return p
        default: return "unmatched"
        }
    }

    func json(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: Array(text.utf8))
    }

    func problem(_ status: Int, _ type: String, _ title: String, _ detail: String) -> HTTPResponse {
        problemResponse(Problem(type: type, title: title, status: status, detail: detail))
    }

    func unsupportedMediaType(_ got: String, _ want: String) -> HTTPResponse {
        problem(415, "urn:pros-pricer:problem:unsupported-media-type", "Unsupported media type",
                "Content-Type \(got.isEmpty ? "(none)" : got) is not accepted; send \(want)")
    }

    func problemResponse(_ p: Problem) -> HTTPResponse {
        HTTPResponse(status: p.status, contentType: "application/problem+json", body: p.jsonBytes())
    }
}

/// Streams an NDJSON batch: each input line priced and written out as soon as it is complete.
final class NDJSONBatch: StreamingHandler {
    let service: PricingService
    let ctx: PricingService.Context
    var batch: BatchPricer
    var bytesOut = 0
    /// Present when the answer ends with a summary line (`?summary=true`).
    let totals: SummaryBox?

    final class SummaryBox { var summary = BatchSummary() }

    init(service: PricingService, pricer: Pricer, ctx: PricingService.Context, summary: Bool = false) {
        self.service = service
        self.ctx = ctx
        batch = BatchPricer(pricer: pricer, maxLineBytes: service.config.maxPriceBodyBytes)
        let totals = summary ? SummaryBox() : nil
        self.totals = totals
        batch.onResult = { [metrics = service.metrics] result in
            metrics.priced(result)
            if let totals {
                if case let .success(claim) = result { totals.summary.add(claim) } else { totals.summary.addRefused() }
            }
        }
    }

    func responseHead() -> (status: Int, headers: HTTPHeaders) {
        (200, HTTPHeaders([("Content-Type", "application/x-ndjson"), ("X-Request-ID", ctx.requestId)]))
    }

    func consume(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBytes { batch.feed($0, into: &out) }
        bytesOut += out.count
    }

    func finish(into out: inout [UInt8]) {
        batch.finish(into: &out)
        if let totals { out += totals.summary.jsonLine() }
        bytesOut += out.count
        _ = service.finish(ctx, HTTPResponse(status: 200), bytes: bytesOut)
    }

    func abort() {}  // nothing to release; the server reports the outcome (serverAnswered)
}

/// A CSV billing export: the body is gathered whole (rows of a member-month need not be adjacent), then
/// answered a window of members at a time as the client reads, so the answer is never all in memory.
final class CSVExportStream: StreamingHandler {
    let service: PricingService
    let ctx: PricingService.Context
    let pricer: Pricer
    let format: ExportFormat
    let summary: Bool
    var body: ByteBuffer
    var export: BillingExport?
    var status = 200
    var nextMember = 0
    var totals = BatchSummary()
    var bytesOut = 0
    var done = false

    init(service: PricingService, pricer: Pricer, ctx: PricingService.Context, format: ExportFormat, summary: Bool,
         expectedBytes: Int) {
        self.service = service; self.pricer = pricer; self.ctx = ctx; self.format = format; self.summary = summary
        body = ByteBuffer(capacity: expectedBytes)
    }

    func responseHead() -> (status: Int, headers: HTTPHeaders) {
        let type = status != 200 ? "application/problem+json"
            : format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"
        return (status, HTTPHeaders([("Content-Type", type), ("X-Request-ID", ctx.requestId)]))
    }

    func consume(_ bytes: [UInt8], into out: inout [UInt8]) { body.append(bytes) }

    func finish(into out: inout [UInt8]) {
        do throws(BillingExport.Refusal) {
            export = try BillingExport(body.bytes)
            out = BillingExport.preamble(format)
            _ = produceMore(into: &out)
        } catch {
            status = error.status
            out = error.jsonBytes()
            end(bytes: out.count)
        }
    }

    var hasMoreOutput: Bool { !done }

    func produceMore(into out: inout [UInt8]) -> Bool {
        guard let export, !done else { return false }
        let end = min(nextMember + 64, export.members.count)
        out += export.priceMembers(nextMember..<end, with: pricer, workers: 1, render: { [format] o in
            var bytes: [UInt8] = []
            BillingExport.write(o, format, into: &bytes)
            return bytes
        }, onOutcome: { [self] o in
            switch o.result {
            case let .success(claim): totals.add(claim); service.metrics.priced(.success(claim))
            case .failure: totals.addRefused(); service.metrics.refused()
            }
        })
        nextMember = end
        let last = nextMember >= export.members.count
        if last && summary { out += totals.jsonLine() }
        bytesOut += out.count
        guard last else { return true }
        self.end(bytes: bytesOut)
        return false
    }

    func end(bytes: Int) {
        done = true
        _ = service.finish(ctx, HTTPResponse(status: status), bytes: bytes)
        export = nil
        body = ByteBuffer(capacity: 0)
    }

    func abort() {
        export = nil
        body = ByteBuffer(capacity: 0)
    }
}

/// Bytes gathered in one allocation grown with realloc(3) (no copy when it can grow in place), sized up
/// front when the length is known.
final class ByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>?
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = capacity > 0 ? malloc(capacity)?.assumingMemoryBound(to: UInt8.self) : nil
    }

    deinit { free(base) }

    func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if count + bytes.count > capacity {
            let grown = max(count + bytes.count, capacity * 2, 1 << 16)
            guard let p = realloc(base, grown) else { fatalError("out of memory") }
            base = p.assumingMemoryBound(to: UInt8.self)
            capacity = grown
        }
        bytes.withUnsafeBufferPointer { (base! + count).update(from: $0.baseAddress!, count: $0.count) }
        count += bytes.count
    }

    /// Valid while this buffer lives and is not appended to.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
}

func monotonicNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var diff = UInt8(a.count == b.count ? 0 : 1)
    let n = max(a.count, b.count)
    for i in 0..<n { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
    return diff == 0
}
