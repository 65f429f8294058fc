#if canImport(Glibc)
import Glibc
#endif

/// One client connection: parser, current exchange, output buffer, timers. Confined to its event loop's thread.
final class Connection {
    let fd: Int32
    let remoteAddress: String
    unowned let loop: EventLoop
    var parser: HTTPRequestParser
    var out: [UInt8] = []
    var outIndex = 0
    var requestsServed = 0
    var closeAfterWrite = false
    var isClosed = false
    var registeredEvents: UInt32 = 0

    // Timers (monotonic milliseconds).
    var idleSince: Int64
    var headStartedAt: Int64?
    var lastBodyProgress: Int64 = 0
    var writeStalledSince: Int64?

    /// The exchange in progress.
    struct Exchange {
        var head: HTTPRequestHead
        var keepAlive: Bool
        var maxBody: Int
        var body: [UInt8] = []
        var received = 0
        var inflater: GzipInflater?
        var buffered: ((HTTPRequest) -> HTTPResponse)?
        var streaming: StreamingHandler?
        var streamStarted = false
        var deflater: GzipDeflater?
        var chunked = true
        /// The handler took this exchange (`.buffered` or `.streaming`) and owes it an answer.
        var routed = false
        /// The body is read; the streaming handler goes on answering as the output drains.
        var producing = false
    }
    var exchange: Exchange?

    init(fd: Int32, remoteAddress: String, loop: EventLoop, now: Int64) {
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.loop = loop
        parser = HTTPRequestParser(limits: HTTPParserLimits(loop.config))
        idleSince = now
    }

    var config: ServerConfiguration { loop.config }
    var pendingOutput: Int { out.count - outIndex }
    var isIdle: Bool { exchange == nil && parser.isIdle && pendingOutput == 0 }
    static let highWater = 256 * 1024

    /// Interest in reading: not while output backs up, or while enough input waits unparsed.
    var wantsRead: Bool {
        !closeAfterWrite && pendingOutput < Self.highWater && parser.bufferedCount < config.maxRequestLineBytes + config.maxHeaderBytes + 65536
    }

    // MARK: input

    func onReadable(now: Int64) {
        let scratch = loop.readBuffer  // the loop's one receive buffer; its bytes are copied into the parser at once
        while !isClosed && wantsRead {
            let n = recv(fd, scratch.baseAddress, scratch.count, 0)
            if n > 0 {
                if parser.isIdle && exchange == nil { headStartedAt = now }
                parser.append(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                process(now: now)
                if n < scratch.count { break }
            } else if n == 0 {
                // The peer closed its side: finish writing what is owed, then close.
                abandonExchange(status: 499)
                closeAfterWrite = true
                if pendingOutput == 0 { close() }
                break
            } else {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                close()
                break
            }
        }
        flush(now: now)
    }

    /// Parses and handles buffered requests in order, one at a time (pipelining).
    func process(now: Int64) {
        while !isClosed && !closeAfterWrite && pendingOutput < Self.highWater && exchange?.producing != true {
            let event: HTTPParserEvent?
            do {
                event = try parser.next()
            } catch {
                fail(error.status, error.reason)
                return
            }
            guard let event else { return }
            switch event {
            case .head: begin(parser.currentHead!, now: now)
            case let .body(bytes): receive(bytes, now: now)
            case .end: complete(now: now)
            }
        }
    }

    func begin(_ head: HTTPRequestHead, now: Int64) {
        headStartedAt = nil
        lastBodyProgress = now
        requestsServed += 1
        let keepAlive = head.isKeepAlive && requestsServed < config.maxRequestsPerConnection && !loop.isDraining
        var ex = Exchange(head: head, keepAlive: keepAlive, maxBody: config.maxBodyBytes)
        let hasBody = parser.declaredBodyLength != 0

        // Content-Encoding of the request body: identity or gzip only (415 otherwise).
        let codings = head.headers.tokens("content-encoding").filter { $0 != "identity" }
        if hasBody && !codings.isEmpty {
            guard codings == ["gzip"] || codings == ["x-gzip"] else {
                exchange = ex
                fail(415, "unsupported Content-Encoding \(codings.joined(separator: ", "))", head: head)
                return
            }
        }
        let route = loop.handler.route(head, remoteAddress: remoteAddress)
        switch route {
        case let .respond(response):
            exchange = ex
            if hasBody { exchange!.keepAlive = false; closeAfterWrite = true }
            send(response, for: &exchange!)
            finishExchange(now: now)
            return
        case let .buffered(maxBody, handler):
            ex.maxBody = maxBody
            ex.buffered = handler
        case let .streaming(maxBody, handler):
            ex.maxBody = maxBody
            ex.streaming = handler
        }
        ex.routed = true
        exchange = ex
        if hasBody && !codings.isEmpty { exchange!.inflater = GzipInflater(maxOutputBytes: ex.maxBody) }
        // Limits are answered before the body is read (RFC 9110 §15.5.14).
        if let declared = parser.declaredBodyLength, declared > ex.maxBody, codings.isEmpty {
            fail(413, "the body is larger than \(ex.maxBody) bytes", head: head)
            return
        }
        if let expect = head.headers["expect"] {
            guard expect.lowercased() == "100-continue" else { fail(417, "unsupported expectation", head: head); return }
            if hasBody && head.version == .http11 { append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        }
    }

    func receive(_ raw: [UInt8], now: Int64) {
        guard exchange != nil else { return }
        lastBodyProgress = now
        var bytes = raw
        if let inflater = exchange!.inflater {
            var inflated: [UInt8] = []
            do { try inflater.inflate(raw, into: &inflated) } catch {
                if error == .tooLarge { fail(413, "the inflated body is larger than \(exchange!.maxBody) bytes", head: exchange!.head) }
                else { fail(400, "the gzip body is corrupt", head: exchange!.head) }
                return
            }
            bytes = inflated
        }
        exchange!.received += bytes.count
        if exchange!.received > exchange!.maxBody {
            fail(413, "the body is larger than \(exchange!.maxBody) bytes", head: exchange!.head)
            return
        }
        if let stream = exchange!.streaming {
            var produced: [UInt8] = []
            stream.consume(bytes, into: &produced)
            writeStream(produced, last: false)
        } else if exchange!.body.isEmpty {
            exchange!.body = bytes  // the common case, the whole body in one piece: no copy
        } else {
            exchange!.body.append(contentsOf: bytes)
        }
    }

    func complete(now: Int64) {
        guard exchange != nil else { return }
        if let inflater = exchange!.inflater {
            do { try inflater.finish() } catch { fail(400, "the gzip body is truncated", head: exchange!.head); return }
        }
        if let stream = exchange!.streaming {
            var produced: [UInt8] = []
            stream.finish(into: &produced)
            let more = stream.hasMoreOutput
            writeStream(produced, last: !more)
            if more { exchange!.producing = true; return }  // the exchange ends when the handler is done (flush)
        } else if let handler = exchange!.buffered {
            let request = HTTPRequest(head: exchange!.head, body: exchange!.body, remoteAddress: remoteAddress)
            let response = handler(request)
            send(response, for: &exchange!)
        }
        finishExchange(now: now)
    }

    func finishExchange(now: Int64) {
        if let ex = exchange, !ex.keepAlive { closeAfterWrite = true }
        exchange = nil
        idleSince = now
    }

    /// Answers an error the server detected itself, then closes (RFC 9112 §11: never a silent drop).
    func fail(_ status: Int, _ reason: String, head: HTTPRequestHead? = nil) {
        let h = head ?? exchange?.head
        if exchange?.streamStarted == true {  // the status line is gone: cut the stream so the client sees an error
            abandonExchange(status: status)  // logged with the cause; the client sees the cut
            close()
            return
        }
        let routed = exchange?.routed ?? false
        exchange?.streaming?.abort()
        var headers = HTTPHeaders()
        if status == 503 { headers.add("Retry-After", String(config.retryAfterSeconds)) }
        var ex = Exchange(head: h ?? HTTPRequestHead(method: "GET", target: "/", version: .http11, headers: HTTPHeaders()),
                          keepAlive: false, maxBody: 0)
        send(problemResponse(status, reason, keepHeaders: headers), for: &ex, isHead: h?.method == "HEAD")
        loop.handler.serverAnswered(status: status, head: h, remoteAddress: remoteAddress, routed: routed)
        exchange = nil
        closeAfterWrite = true
    }

    /// Ends the exchange in progress without its handler's answer, and reports it.
    func abandonExchange(status: Int) {
        guard let ex = exchange else { return }
        exchange = nil
        ex.streaming?.abort()
        loop.handler.serverAnswered(status: status, head: ex.head, remoteAddress: remoteAddress, routed: ex.routed)
    }

    // MARK: output

    func append(_ bytes: [UInt8]) {
        if outIndex == out.count { out.removeAll(keepingCapacity: true); outIndex = 0 }
        out.append(contentsOf: bytes)
    }

    func send(_ response: HTTPResponse, for ex: inout Exchange, isHead: Bool? = nil) {
        var r = response
        let head = ex.head
        let compressible = isCompressible(r.headers["content-type"])
        if compressible && !r.headers.contains("vary") { r.headers.add("Vary", "Accept-Encoding") }
        if compressible && r.body.count >= config.gzipMinBytes && !r.headers.contains("content-encoding") && acceptsGzip(head.headers) {
            r.body = GzipDeflater.gzip(r.body, level: config.gzipLevel)
            r.headers.add("Content-Encoding", "gzip")
        }
        if !ex.keepAlive { closeAfterWrite = true }
        let connection: StaticString? = !ex.keepAlive ? "close" : head.version == .http10 ? "keep-alive" : nil
        appendHead(status: r.status, headers: r.headers, contentLength: r.body.count, chunked: false, connection: connection)
        if !(isHead ?? (head.method == "HEAD")) { append(r.body) }
    }

    /// Writes a status line and header section straight into the output buffer (one access to it:
    /// `out` is a class property, so each separate append would be checked for exclusive access).
    func appendHead(status: Int, headers: HTTPHeaders, contentLength: Int?, chunked: Bool, connection: StaticString?) {
        if outIndex == out.count { out.removeAll(keepingCapacity: true); outIndex = 0 }
        let date = loop.dateHeader
        Self.writeHead(into: &out, status: status, date: date, headers: headers, contentLength: contentLength,
                       chunked: chunked, connection: connection)
    }

    static func writeHead(into o: inout [UInt8], status: Int, date: String, headers: HTTPHeaders, contentLength: Int?,
                          chunked: Bool, connection: StaticString?) {
        put(&o, "HTTP/1.1 ")
        putDecimal(&o, status)
        o.append(0x20)
        put(&o, reasonPhrase(status))
        put(&o, "\r\nDate: ")
        put(&o, date)
        put(&o, "\r\n")
        for f in headers.fields {
            put(&o, f.name)
            put(&o, ": ")
            put(&o, f.value)
            put(&o, "\r\n")
        }
        if let contentLength {
            put(&o, "Content-Length: ")
            putDecimal(&o, contentLength)
            put(&o, "\r\n")
        }
        if chunked { put(&o, "Transfer-Encoding: chunked\r\n") }
        if let connection {
            put(&o, "Connection: ")
            put(&o, connection)
            put(&o, "\r\n")
        }
        put(&o, "\r\n")
    }

    /// Bytes appended in one copy (`append(contentsOf: s.utf8)` goes byte by byte).
    @inline(__always) static func put(_ o: inout [UInt8], _ s: StaticString) {
        o.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always) static func put(_ o: inout [UInt8], _ s: String) {
        var s = s
        s.withUTF8 { o.append(contentsOf: $0) }
    }

    static func putDecimal(_ o: inout [UInt8], _ value: Int) {
        precondition(value >= 0)
        if value >= 10 { putDecimal(&o, value / 10) }
        o.append(UInt8(0x30 + value % 10))
    }

    /// Streams response bytes: chunked for HTTP/1.1 (gzip-compressed as they go when accepted), close-delimited for 1.0.
    func writeStream(_ bytes: [UInt8], last: Bool) {
        guard var ex = exchange, let stream = ex.streaming else { return }
        if bytes.isEmpty && !last && !ex.streamStarted { return }  // the status waits for the first answer byte
        if !ex.streamStarted {
            ex.streamStarted = true
            var (status, headers) = stream.responseHead()
            if isCompressible(headers["content-type"]) {
                headers.add("Vary", "Accept-Encoding")
                if acceptsGzip(ex.head.headers) {
                    headers.add("Content-Encoding", "gzip")
                    ex.deflater = GzipDeflater(level: config.gzipLevel)
                }
            }
            ex.chunked = ex.head.version == .http11
            if !ex.chunked { ex.keepAlive = false }
            appendHead(status: status, headers: headers, contentLength: nil, chunked: ex.chunked, connection: ex.keepAlive ? nil : "close")
        }
        var payload = bytes
        if let d = ex.deflater {
            var z: [UInt8] = []
            if !payload.isEmpty || last { d.compress(payload, finish: last, into: &z) }
            payload = z
        }
        if ex.head.method != "HEAD" {
            if ex.chunked {
                if !payload.isEmpty {
                    append(Array((String(payload.count, radix: 16) + "\r\n").utf8))
                    append(payload)
                    append([0x0D, 0x0A])
                }
                if last { append(Array("0\r\n\r\n".utf8)) }
            } else {
                append(payload)
            }
        }
        exchange = ex
    }

    func flush(now: Int64) {
        guard !isClosed else { return }
        while true {
            while pendingOutput > 0 {
                let n = out.withUnsafeBytes { p in
                    Glibc.send(fd, p.baseAddress! + outIndex, p.count - outIndex, Int32(MSG_NOSIGNAL))
                }
                if n > 0 {
                    outIndex += n
                    writeStalledSince = nil
                } else if n < 0 && errno == EINTR {
                    continue
                } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    if writeStalledSince == nil { writeStalledSince = now }
                    break
                } else {
                    close()
                    return
                }
            }
            // Drained while a handler is still answering: its next piece.
            guard pendingOutput == 0, let ex = exchange, ex.producing, let stream = ex.streaming else { break }
            var produced: [UInt8] = []
            let more = stream.produceMore(into: &produced)
            writeStream(produced, last: !more)
            if !more { finishExchange(now: now) }
        }
        if pendingOutput == 0 {
            out.removeAll(keepingCapacity: out.capacity <= 1 << 20)
            outIndex = 0
            writeStalledSince = nil
            if closeAfterWrite { close(); return }
            // Output drained: requests waiting in the buffer (pipelined or backpressured) go on.
            if parser.bufferedCount > 0 && (exchange != nil || !parser.isIdle) {
                process(now: now)
                if pendingOutput > 0 { flush(now: now); return }
            }
        }
        loop.updateInterest(self)
    }

    /// Enforces the timeouts; returns after closing when one expired.
    func checkTimeouts(now: Int64) {
        if let since = writeStalledSince, now - since > Int64(config.writeTimeoutMs) { close(); return }
        if let ex = exchange, !ex.producing, pendingOutput == 0 || ex.streaming != nil {
            if now - lastBodyProgress > Int64(config.bodyTimeoutMs) {
                fail(408, "the request body arrived too slowly")
                flush(now: now)
            }
            return
        }
        if let started = headStartedAt, exchange == nil, now - started > Int64(config.headerTimeoutMs) {
            fail(408, "the request header section arrived too slowly")
            flush(now: now)
            return
        }
        if isIdle && now - idleSince > Int64(config.idleTimeoutMs) { close() }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        abandonExchange(status: 499)
        loop.remove(self)
        Glibc.close(fd)
    }
}

func isCompressible(_ contentType: String?) -> Bool {
    guard let t = contentType else { return false }
    return asciiContainsLowercased(t, "text/") || asciiContainsLowercased(t, "json") || asciiContainsLowercased(t, "yaml") || asciiContainsLowercased(t, "xml")
        || asciiContainsLowercased(t, "javascript")
}
