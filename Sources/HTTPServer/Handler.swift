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
/// Called on one event-loop thread, in order: `responseHead`, `consume`* , `finish`.
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
    /// the server reports the outcome through `HTTPHandler.serverAnswered(..., routed: true)`.
    func abort()
}

extension StreamingHandler {
    public var hasMoreOutput: Bool { false }
    public func produceMore(into out: inout [UInt8]) -> Bool { false }
}

/// The application: routes request heads. Called on event-loop threads; must not block.
public protocol HTTPHandler: Sendable {
    func route(_ head: HTTPRequestHead, remoteAddress: String) -> HTTPRoute
    /// A request the server itself answered or abandoned (parse error, limit, timeout; 499 when the client
    /// went away or a started stream was cut): for access logs and metrics. `routed` is true when `route`
    /// had returned `.buffered` or `.streaming` for it, whose handler then never answered.
    func serverAnswered(status: Int, head: HTTPRequestHead?, remoteAddress: String, routed: Bool)
}

extension HTTPHandler {
    public func serverAnswered(status: Int, head: HTTPRequestHead?, remoteAddress: String, routed: Bool) {}
}

/// An RFC 9457 problem body for errors the server answers itself.
func problemResponse(_ status: Int, _ detail: String, keepHeaders: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
    var headers = keepHeaders
    headers.add("Content-Type", "application/problem+json")
    var json = "{\"type\":\"about:blank\",\"title\":\"" + reasonPhrase(status) + "\",\"status\":\(status),\"detail\":\""
    for c in detail.unicodeScalars {
        switch c {
        case "\"": json += "\\\""
        case "\\": json += "\\\\"
        case _ where c.value < 0x20: json += " "
        default: json.unicodeScalars.append(c)
        }
    }
    json += "\"}"
    return HTTPResponse(status: status, headers: headers, body: Array(json.utf8))
}
