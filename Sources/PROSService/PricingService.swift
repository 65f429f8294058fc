import HTTPServer
import JSON
import Logging
import PROSRules
import PROSWire
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The API of API.md over our HTTP server: the only place rules meet HTTP.
public final class PricingService: HTTPHandler {
    public let config: ServiceConfiguration
    public let metrics = Metrics()
    public let logger: Logger
    let pricer: Mutex<Pricer>
    let server = Mutex<HTTPServer?>(nil)
    /// The config folder's content as last reloaded or refused; reloads are serialized by this lock.
    let loadedDigest: Mutex<UInt64?>

    /// `logger`: where the access log and the service's events go (a `JSONLogHandler` by default, whose
    /// dropped lines `/metrics` reports). `configDigest`: the config folder's `ConfigFolder.digest` taken
    /// before `book` was read from it (nil: taken now), so a change made while it was being read still
    /// reloads at the next poll.
    public init(
        config: ServiceConfiguration, book: RuleBook, logger: Logger = .json(JSONLog()),
        configDigest: UInt64? = nil
    ) {
        self.config = config
        self.logger = logger
        pricer = Mutex(Pricer(book: book))
        loadedDigest = Mutex(configDigest ?? config.configDirectory.map(ConfigFolder.digest))
    }

    public func attach(_ server: HTTPServer) { self.server.withLock { $0 = server } }

    public var currentPricer: Pricer { pricer.withLock { $0 } }

    /// SIGHUP: reloads rule sets and rate schedules atomically. In-flight requests keep the pricer they
    /// started with; a bad reload keeps the old config, is logged and counted.
    @discardableResult
    public func reload(trigger: String = "SIGHUP") -> Bool {
        loadedDigest.withLock { seen in
            // The digest is taken before the files are read: a change landing mid-read reloads again next poll.
            seen = config.configDirectory.map(ConfigFolder.digest)
            return reloadLocked(trigger: trigger)
        }
    }

    /// `configWatchMs`: reloads exactly as SIGHUP does when the config folder's content differs from what
    /// was last loaded or refused (a refused config is not retried until it changes again). Nil when
    /// nothing changed or the config is the built-in one; else whether the reload succeeded.
    @discardableResult
    public func reloadIfConfigChanged() -> Bool? {
        guard let dir = config.configDirectory else { return nil }
        return loadedDigest.withLock { seen -> Bool? in
            let now = ConfigFolder.digest(dir)
            guard now != seen else { return nil }
            seen = now
            return reloadLocked(trigger: "config folder changed")
        }
    }

    private func reloadLocked(trigger: String) -> Bool {
        do {
            let book = try ConfigLoader.loadRuleBook(configDirectory: config.configDirectory)
            pricer.withLock { $0 = Pricer(book: book) }
            metrics.reloaded(ok: true)
            logger.info("config reloaded", metadata: ["trigger": .string(trigger), "digest": .string(book.digest)])
            return true
        } catch {
            metrics.reloaded(ok: false)
            logger.error(
                "config reload failed; keeping the loaded config",
                metadata: ["trigger": .string(trigger), "error": .string(error.description)])
            return false
        }
    }

    // MARK: routing

    public func route(_ head: HTTPRequestHead, remoteAddress: String) -> HTTPRoute {
        metrics.requestStarted()
        let path = routeTemplate(head.path)
        let allowed: String
        let methodAllowed: Bool
        // The POST routes first: a switch on strings compares its cases in turn, and these are the busy ones.
        switch path {
        case "/v1/claims/price", "/v1/claims/price/batch":
            allowed = "POST"
            methodAllowed = head.method == "POST"
        case "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v1/rule-sets", "/v1/findings":
            allowed = "GET, HEAD"
            methodAllowed = head.method == "GET" || head.method == "HEAD"
        case _ where WebPage.responses[path] != nil:  // the web page: /, /app.js, /app.css …
            allowed = "GET, HEAD"
            methodAllowed = head.method == "GET" || head.method == "HEAD"
        default:
            return .respond(
                problem(
                    404, "urn:pros-pricer:problem:not-found", "Not found",
                    "no resource at \(head.path)"))
        }
        guard methodAllowed else {
            var r = problem(
                405, "urn:pros-pricer:problem:method-not-allowed", "Method not allowed", "\(path) allows \(allowed)")
            r.headers.add("Allow", allowed)
            return .respond(r)
        }
        if path.hasPrefix("/v1/"), !config.apiKeys.isEmpty, !authorized(head) {
            var r = problem(
                401, "urn:pros-pricer:problem:unauthorized", "Unauthorized",
                "a valid Authorization: Bearer key is required")
            r.headers.add("WWW-Authenticate", "Bearer")
            return .respond(r)
        }
        switch path {
        case "/v1/claims/price", "/v1/claims/price/batch": break  // below, without looking for a page first
        case "/healthz":
            return .respond(json(200, #"{"status":"ok"}"#))
        case "/readyz":
            let ready = server.withLock { $0?.isAcceptingWork ?? false }
            if ready { return .respond(json(200, #"{"status":"ready"}"#)) }
            var r = json(503, #"{"status":"draining"}"#)
            r.headers.add("Retry-After", "1")
            return .respond(r)
        case "/metrics":
            let open = server.withLock { $0?.openConnections ?? 0 }
            let text = metrics.render(openConnections: open, droppedLogLines: droppedLogLines)
            return .respond(HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4", body: Array(text.utf8)))
        case "/openapi.yaml":
            return .respond(
                HTTPResponse(
                    status: 200, contentType: "application/yaml",
                    body: Array(OpenAPIDocument.yaml.utf8)))
        case "/v1/rule-sets":
            return .respond(HTTPResponse(status: 200, contentType: "application/json", body: ruleSetsJSON()))
        case "/v1/findings":
            return .respond(HTTPResponse(status: 200, contentType: "application/json", body: Self.findingsJSON))
        default:
            if let page = WebPage.responses[path] { return .respond(page) }
        }
        // POST routes: the body must be framed and typed.
        if !head.headers.contains("content-length") && !head.headers.contains("transfer-encoding") {
            return .respond(
                problem(
                    411, "urn:pros-pricer:problem:length-required", "Length required",
                    "the request has no body: send the member-month (or batch) as the body, "
                        + "with Content-Length or chunked Transfer-Encoding"))
        }
        let mediaType = Self.mediaType(head.headers["content-type"])
        let pricer = currentPricer  // this request prices on the config it started with
        if path == "/v1/claims/price" {
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                return .respond(unsupportedMediaType(mediaType, "application/json"))
            }
            return .buffered(maxBodyBytes: config.maxPriceBodyBytes) { [self] request in
                if let mistake = BodyDiagnosis.singleMonth(request.body) { return problemResponse(mistake) }
                let result = pricer.price(json: request.body)
                metrics.priced(result)
                switch result {
                case .success(let claim):
                    return HTTPResponse(status: 200, contentType: "application/json", body: claim.jsonBytes())
                case .failure(let p): return problemResponse(p)
                }
            }
        }
        let summary = Self.queryFlag(head.target, "summary")
        switch mediaType {
        case "application/x-ndjson", "application/jsonl", "application/ndjson":
            return .streaming(
                maxBodyBytes: config.maxBatchBodyBytes,
                NDJSONBatch(service: self, pricer: pricer, summary: summary))
        case "application/json":
            return .streaming(maxBodyBytes: config.maxBatchArrayBytes, JSONArrayBatch(service: self, pricer: pricer))
        case "text/csv":
            let csvOut = !summary && (head.headers["accept"].map { Self.mediaType($0) == "text/csv" } ?? false)
            let declared = head.headers["content-length"].flatMap { Int($0) } ?? 0
            return .streaming(
                maxBodyBytes: config.maxCsvBytes,
                CSVExportStream(
                    service: self, pricer: pricer, format: csvOut ? .csv : .ndjson,
                    summary: summary, expectedBytes: min(declared, config.maxCsvBytes)))
        default:
            let accepted = "application/x-ndjson, application/json or text/csv"
            return .respond(unsupportedMediaType(mediaType, accepted))
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

    /// Every answer, the server's own included: the access log line and the request metrics, once.
    public func responded(_ record: HTTPExchangeRecord) {
        let route = record.head.map { routeTemplate($0.path) } ?? "-"
        let seconds = Double(record.durationNs) / 1e9
        metrics.requestFinished(route: route, status: record.status, seconds: seconds)
        if record.routed { metrics.requestEnded() }  // route() counted it in flight
        guard config.accessLog else { return }
        let client = record.head.map { clientAddress($0, record.remoteAddress) } ?? record.remoteAddress
        logger.info(
            "request",
            metadata: [
                "requestId": .string(record.requestID), "method": .string(record.head?.method ?? "-"),
                "route": .string(route), "client": .string(client), "status": .stringConvertible(record.status),
                "bytes": .stringConvertible(record.bodyBytes),
                "durationUs": .stringConvertible(Int(record.durationNs / 1000)),
            ])
    }

    /// Log lines dropped because the destination did not keep up (when the logger writes a `JSONLog`).
    public var droppedLogLines: Int { (logger.handler as? JSONLogHandler)?.output.droppedLines ?? 0 }

    /// The `JSONLog` behind the logger, if that is where it writes.
    public var logOutput: JSONLog? {
        (logger.handler as? JSONLogHandler)?.output
    }

    /// The server's own errors as this service's problem documents (the one map from an HTTP-level
    /// failure to `urn:pros-pricer:problem:...`).
    public func errorResponse(status: Int, detail: String, head: HTTPRequestHead?) -> HTTPResponse {
        let (name, title): (String, String) =
            switch status {
            case 400: ("malformed-request", "Malformed request")
            case 408: ("request-timeout", "Request timeout")
            case 413: ("body-too-large", "Body too large")
            case 414: ("uri-too-long", "URI too long")
            case 415: ("unsupported-media-type", "Unsupported media type")
            case 417: ("expectation-failed", "Expectation failed")
            case 431: ("header-too-large", "Header section too large")
            case 501: ("not-implemented", "Not implemented")
            case 503: ("unavailable", "Service unavailable")
            case 505: ("http-version-not-supported", "HTTP version not supported")
            default: ("http-error", reasonPhrase(status))
            }
        return problem(status, "urn:pros-pricer:problem:" + name, title, detail)
    }

    // MARK: pieces

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
        w.key("payers")
        w.beginArray()
        for p in book.payers.values.sorted(by: { $0.id < $1.id }) {
            w.beginObject()
            w.field("id", p.id)
            w.field("description", p.description)
            w.field("digest", p.digest)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    /// `GET /v1/findings`: the findings catalogue (docs/findings.md), the same text as the documentation.
    static let findingsJSON: [UInt8] = {
        var w = JSONWriter(capacity: 32 * 1024)
        w.beginObject()
        w.key("entries")
        w.beginArray()
        for e in FindingCatalogue.entries {
            w.beginObject()
            w.field("code", e.code)
            w.field("kind", e.kind)
            w.field("severity", e.severity)
            w.field("title", e.title)
            w.field("meaning", e.meaning)
            w.field("action", e.action)
            w.field("source", e.source)
            w.field("rule", e.rule)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }()

    func authorized(_ head: HTTPRequestHead) -> Bool {
        guard let auth = head.headers["authorization"], auth.count > 7, auth.lowercased().hasPrefix("bearer ") else {
            return false
        }
        let presented = Array(auth.dropFirst(7).utf8)
        var match = false
        for key in config.apiKeys where constantTimeEquals(presented, Array(key.utf8)) { match = true }
        return match
    }

    func clientAddress(_ head: HTTPRequestHead, _ peer: String) -> String {
        guard config.trustedProxies.contains(peer), let xff = head.headers.values("x-forwarded-for").last else {
            return peer
        }
        // The right-most address is the one the trusted proxy saw.
        return xff.split(separator: ",").last.map { String($0).trimmingSpaces } ?? peer
    }

    /// The route a path names (its own text for a known route), else "unmatched"; compared as bytes.
    func routeTemplate(_ path: Substring) -> String {
        // One of the listed strings is returned, not a copy of the path ("/v1/claims/price" is too long to be
        // stored inline: a copy would allocate, twice a request).
        var p = path
        if let known = p.withUTF8({ bytes in Self.routeTemplates.first { $0.bytes.elementsEqual(bytes) }?.name }) {
            return known
        }
        let page = String(path)
        return WebPage.responses[page] != nil ? page : "unmatched"
    }

    /// The API's routes, the busy ones first.
    static let routeTemplates: [(name: String, bytes: [UInt8])] = [
        "/v1/claims/price", "/v1/claims/price/batch", "/healthz", "/readyz", "/metrics", "/openapi.yaml",
        "/v1/rule-sets", "/v1/findings",
    ].map { ($0, Array($0.utf8)) }

    func json(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: Array(text.utf8))
    }

    func problem(_ status: Int, _ type: String, _ title: String, _ detail: String) -> HTTPResponse {
        problemResponse(Problem(type: type, title: title, status: status, detail: detail))
    }

    func unsupportedMediaType(_ got: String, _ want: String) -> HTTPResponse {
        problem(
            415, "urn:pros-pricer:problem:unsupported-media-type", "Unsupported media type",
            "Content-Type \(got.isEmpty ? "(none)" : got) is not accepted; send \(want)")
    }

    func problemResponse(_ p: Problem) -> HTTPResponse {
        HTTPResponse(status: p.status, contentType: "application/problem+json", body: p.jsonBytes())
    }
}

/// Streams an NDJSON batch: each input line priced and written out as soon as it is complete.
final class NDJSONBatch: StreamingHandler {
    let service: PricingService
    var batch: BatchPricer
    /// Present when the answer ends with a summary line (`?summary=true`).
    let totals: SummaryBox?

    final class SummaryBox { var summary = BatchSummary() }

    init(service: PricingService, pricer: Pricer, summary: Bool = false) {
        self.service = service
        batch = BatchPricer(pricer: pricer, maxLineBytes: service.config.maxPriceBodyBytes)
        let totals = summary ? SummaryBox() : nil
        self.totals = totals
        batch.onResult = { [metrics = service.metrics] result in
            metrics.priced(result)
            if let totals {
                if case .success(let claim) = result { totals.summary.add(claim) } else { totals.summary.addRefused() }
            }
        }
    }

    func responseHead() -> (status: Int, headers: HTTPHeaders) {
        (200, HTTPHeaders([("Content-Type", "application/x-ndjson")]))
    }

    func consume(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBytes { batch.feed($0, into: &out) }
    }

    func finish(into out: inout [UInt8]) {
        batch.finish(into: &out)
        if let totals { out += totals.summary.jsonLine() }
    }

    func abort() {}  // nothing to release; the server reports the outcome (`responded`)
}

/// Streams a JSON-array batch: each element priced as soon as it is complete, the answer array written as it goes.
final class JSONArrayBatch: StreamingHandler {
    var batch: ArrayBatchPricer

    init(service: PricingService, pricer: Pricer) {
        batch = ArrayBatchPricer(pricer: pricer, maxElementBytes: service.config.maxPriceBodyBytes)
        batch.onResult = { [metrics = service.metrics] in metrics.priced($0) }
    }

    func responseHead() -> (status: Int, headers: HTTPHeaders) {
        let type = batch.status == 200 ? "application/json" : "application/problem+json"
        return (batch.status, HTTPHeaders([("Content-Type", type)]))
    }

    func consume(_ bytes: [UInt8], into out: inout [UInt8]) { bytes.withUnsafeBytes { batch.feed($0, into: &out) } }

    func finish(into out: inout [UInt8]) { batch.finish(into: &out) }

    func abort() {}
}

/// A CSV billing export: the body is gathered whole (rows of a member-month need not be adjacent), then
/// answered a window of members at a time as the client reads, so the answer is never all in memory.
final class CSVExportStream: StreamingHandler {
    let service: PricingService
    let pricer: Pricer
    let format: ExportFormat
    let summary: Bool
    var body: ByteBuffer
    var export: BillingExport?
    var status = 200
    var nextMember = 0
    var totals = BatchSummary()
    var done = false

    init(service: PricingService, pricer: Pricer, format: ExportFormat, summary: Bool, expectedBytes: Int) {
        self.service = service
        self.pricer = pricer
        self.format = format
        self.summary = summary
        body = ByteBuffer(capacity: expectedBytes)
    }

    func responseHead() -> (status: Int, headers: HTTPHeaders) {
        let type =
            status != 200
            ? "application/problem+json"
            : format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"
        return (status, HTTPHeaders([("Content-Type", type)]))
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
            end()
        }
    }

    var hasMoreOutput: Bool { !done }

    /// The next window of members, priced now: the server asks once its output to the client has drained.
    func produceMore(into out: inout [UInt8]) -> Bool {
        guard let export, !done else { return false }
        let end = min(nextMember + 64, export.members.count)
        out += export.priceMembers(
            nextMember..<end, with: pricer, workers: 1,
            render: { [format] o in
                var bytes: [UInt8] = []
                BillingExport.write(o, format, into: &bytes)
                return bytes
            },
            onOutcome: { [self] o in
                switch o.result {
                case .success(let claim): totals.add(claim); service.metrics.priced(.success(claim))
                case .failure: totals.addRefused(); service.metrics.refused()
                }
            })
        nextMember = end
        let last = nextMember >= export.members.count
        if last && summary { out += totals.jsonLine() }
        guard last else { return true }
        self.end()
        return false
    }

    /// The answer is complete (the server reports it, `responded`): the file and the groups are released.
    func end() {
        done = true
        export = nil
        body = ByteBuffer(capacity: 0)
    }

    func abort() { end() }
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

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var diff = UInt8(a.count == b.count ? 0 : 1)
    let n = max(a.count, b.count)
    for i in 0..<n { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
    return diff == 0
}
