/// What the application does with a request, decided from its head before any body byte is read.
public enum HTTPRoute {
    /// Answer at once; a request body, if any, is not read and the connection closes after the answer.
    case respond(HTTPResponse)
    /// Read the whole body (up to `maxBodyBytes`, inflated size when gzip-encoded), then answer.
    case buffered(maxBodyBytes: Int, (HTTPRequest) -> HTTPResponse)
    /// Read the body as it arrives and answer as it goes, chunked, with backpressure.
    case streaming(maxBodyBytes: Int, StreamingHandler)
}

/// A handler that consumes a request body piece by piece and writes its response as it goes.
/// Called on one event-loop thread, in order: `responseHead`, `consume`*, `finish`, `produceMore`*.
public protocol StreamingHandler: AnyObject {
    /// Status and headers of the streamed response (sent before the first body byte).
    func responseHead() -> (status: Int, headers: HTTPHeaders)
    /// A piece of the (inflated) request body; appends response bytes to `out`.
    func consume(_ bytes: [UInt8], into out: inout [UInt8])
    /// The body ended; appends the last response bytes (or the first ones, when `hasMoreOutput`).
    func finish(into out: inout [UInt8])
    /// After `finish`: whether the answer goes on. The server then calls `produceMore` each time its
    /// output to the client has drained (backpressure), until it returns false.
    var hasMoreOutput: Bool { get }
    /// Appends the next piece of the answer; false when it was the last.
    func produceMore(into out: inout [UInt8]) -> Bool
    /// The exchange ended without `finish` (client gone, bad body, timeout). Release resources only:
    /// the server reports the outcome through `HTTPHandler.responded`.
    func abort()
}

extension StreamingHandler {
    public var hasMoreOutput: Bool { false }
    public func produceMore(into out: inout [UInt8]) -> Bool { false }
}

/// One request's outcome, reported once whoever answered it (the application, or the server itself for
/// a parse error, a limit, a timeout, the connection cap), for access logs and metrics.
public struct HTTPExchangeRecord: Sendable {
    /// The client's `X-Request-ID` when valid, else a new one; the answer carries it.
    public var requestID: String
    /// Nil when the request head could not be parsed (or was never read: the over-cap `503`).
    public var head: HTTPRequestHead?
    public var remoteAddress: String
    /// The answer's status; 499 when the client went away before the answer was complete.
    public var status: Int
    /// Response body bytes as sent (after gzip), 0 for `HEAD`.
    public var bodyBytes: Int
    /// From the request's first byte to its answer's last byte handed to the connection, in nanoseconds.
    public var durationNs: Int64
    /// Whether `HTTPHandler.route` was called for this request.
    public var routed: Bool

    public init(
        requestID: String, head: HTTPRequestHead?, remoteAddress: String, status: Int, bodyBytes: Int,
        durationNs: Int64, routed: Bool
    ) {
        self.requestID = requestID
        self.head = head
        self.remoteAddress = remoteAddress
        self.status = status
        self.bodyBytes = bodyBytes
        self.durationNs = durationNs
        self.routed = routed
    }
}

/// The application: routes request heads. Called on event-loop threads; must not block.
public protocol HTTPHandler: Sendable {
    func route(_ head: HTTPRequestHead, remoteAddress: String) -> HTTPRoute
    /// The body of an answer the server makes itself (`status` 400, 408, 413, 414, 415, 417, 431, 501, 503,
    /// 505): the one place an application turns the server's errors into its own problem documents. The
    /// server adds `X-Request-ID`, `Retry-After` (503) and `Connection: close`.
    func errorResponse(status: Int, detail: String, head: HTTPRequestHead?) -> HTTPResponse
    /// Every request's outcome, once (see `HTTPExchangeRecord`).
    func responded(_ record: HTTPExchangeRecord)
}

extension HTTPHandler {
    public func errorResponse(status: Int, detail: String, head: HTTPRequestHead?) -> HTTPResponse {
        problemResponse(status, detail)
    }

    public func responded(_ record: HTTPExchangeRecord) {}
}

/// An RFC 9457 problem body (`type` defaults to `about:blank`).
public func problemResponse(
    _ status: Int, _ detail: String, type: String = "about:blank",
    title: String? = nil
) -> HTTPResponse {
    var json = "{\"type\":\"" + type + "\",\"title\":\"" + (title ?? reasonPhrase(status)) + "\",\"status\":"
    json += "\(status),\"detail\":\""
    for c in detail.unicodeScalars {
        switch c {
        case "\"": json += "\\\""
        case "\\": json += "\\\\"
        case _ where c.value < 0x20: json += " "
        default: json.unicodeScalars.append(c)
        }
    }
    json += "\"}"
    return HTTPResponse(status: status, contentType: "application/problem+json", body: Array(json.utf8))
}

/// Whether a client's `X-Request-ID` may be echoed: 1–128 visible ASCII characters.
public func isValidRequestID(_ id: String) -> Bool {
    let u = id.utf8
    return (1...128).contains(u.count) && u.allSatisfy { $0 > 0x20 && $0 < 0x7F }
}
