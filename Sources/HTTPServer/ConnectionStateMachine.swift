/// What the socket layer does after an event: read more, write the pending output, call
/// `timerFired` at `deadline`, or close. Closing discards any output still pending.
struct ConnectionActions: Equatable {
    var read = false
    var write = false
    /// Work is ready that was left for a later turn: call `resume` once the loop's other connections ran.
    var resume = false
    /// When to call `timerFired` (the monotonic clock, nanoseconds); nil: no deadline.
    var deadline: Int64?
    var close = false

    static let closed = ConnectionActions(close: true)
}

/// What a connection's state machine needs from its event loop.
protocol ConnectionEnvironment: AnyObject {
    /// The current `Date` header value.
    var dateHeader: String { get }
    /// A new request id, unique in this process.
    func makeRequestID() -> String
    /// The monotonic clock in nanoseconds: read only for durations, after a handler ran.
    func durationClock() -> Int64
}

/// One HTTP/1.1 connection as a state machine: bytes, write progress and timer firings in (each with
/// the time), actions out. It owns the parser, the exchange in progress, the output buffer and every
/// deadline, and never touches a socket or reads the clock for a deadline, so it is tested with a fake
/// clock and no sockets. Deadlines (each a `ServerConfiguration` value):
/// - the header section, from its first byte, including bytes left over from the previous request
///   (`headerTimeoutMs`, then 408);
/// - the body: the longest gap between two reads (`bodyTimeoutMs`) and a minimum data rate after a grace
///   period (`minBodyBytesPerSecond`, `bodyRateGraceMs`), then 408; neither runs while the server
///   itself stops reading because its output backs up;
/// - an idle keep-alive connection (`idleTimeoutMs`, then close);
/// - a client that stops taking response bytes (`writeTimeoutMs`, then close), also while a streaming
///   handler that answers after its body waits for the client to read (`Exchange.isProducing`);
/// - the drain (`shutdownGraceMs` from its start, then close).
struct ConnectionStateMachine {
    let config: ServerConfiguration
    let handler: any HTTPHandler
    let remoteAddress: String
    unowned let env: any ConnectionEnvironment
    var parser: HTTPRequestParser
    var out: [UInt8] = []
    var outIndex = 0
    var requestsServed = 0
    var closeAfterWrite = false
    private(set) var isClosed = false
    /// The client sent its FIN: nothing more will arrive.
    var isPeerClosed = false
    var isDraining = false
    var drainDeadline: Int64 = 0
    /// Draining, and a read has yet to find the socket empty: an idle connection waits for it before closing.
    var isDrainReadPending = false

    // Clocks (monotonic nanoseconds).
    var idleSince: Int64
    /// When the first byte of the head being waited for arrived (or was left over).
    var headStartedAt: Int64?
    /// True when the parser last asked for more bytes: the connection waits on its client.
    var isWaitingForInput = false
    var lastBodyProgress: Int64 = 0
    /// The body's rate window: it starts with the body and again whenever reading resumes after backpressure.
    var bodyWindowStart: Int64 = 0
    var bodyWindowBytes = 0
    var wasReading = true
    var writeStalledSince: Int64?

    /// The request in progress: from its head until its answer is complete.
    ///
    /// A class, owned by this machine alone: the machine asks after it a few dozen times a request
    /// (`exchange == nil`, `exchange?.isProducing`), and as an optional struct of some 200 bytes each of
    /// those copied it out and back (as a class: 214.0k -> 212.6k instructions and 90 fewer
    /// instruction-cache misses per priced request, `bench/request.sh`).
    final class Exchange {
        var head: HTTPRequestHead?
        var requestID: String
        var startedAt: Int64
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
        /// `route` was called for it.
        var routed = false
        var status = 0
        var bodyBytesOut = 0
        /// Body bytes (as received: compressed when gzip) taken from the parser, not yet given to a
        /// streaming handler: one piece at most, given out `streamSliceBytes` at a time.
        var pending: [UInt8] = []
        var pendingIndex = 0
        /// The body is read and `finish` called, but the streaming handler goes on answering
        /// (`StreamingHandler.hasMoreOutput`): a piece each time the output has drained, at most one
        /// turn's budget a turn (`resume` between). No body deadline runs and the next request is not
        /// parsed; the write deadline does, as the drain's.
        var isProducing = false

        var hasPendingBody: Bool {
            streaming != nil && (pendingIndex < pending.count || inflater?.mayHaveOutput == true)
        }

        init(head: HTTPRequestHead?, requestID: String, startedAt: Int64, keepAlive: Bool, maxBody: Int) {
            self.head = head; self.requestID = requestID; self.startedAt = startedAt
            self.keepAlive = keepAlive; self.maxBody = maxBody
        }
    }
    var exchange: Exchange?

    static let highWater = 256 * 1024
    /// Streamed body bytes still to hand out in this turn of the loop; a turn starts with new bytes or
    /// `resume`, not with a write (the answers of a slice written at once must not start the next slice).
    var turnBudget = 0

    init(
        config: ServerConfiguration, handler: any HTTPHandler, remoteAddress: String,
        env: any ConnectionEnvironment, now: Int64
    ) {
        self.config = config
        self.handler = handler
        self.remoteAddress = remoteAddress
        self.env = env
        parser = HTTPRequestParser(limits: HTTPParserLimits(config))
        idleSince = now
    }

    var pendingOutput: Int { out.count - outIndex }
    /// `mutating` only so that it reads the machine in place: as a plain getter the compiler copied the
    /// whole machine to read it (twice a request, measured).
    var isIdle: Bool { mutating get { exchange == nil && parser.isIdle && pendingOutput == 0 } }

    /// Interest in reading: not while output backs up, while enough input waits unparsed, or while a
    /// streamed body piece waits for its turns.
    var wantsRead: Bool {
        !isClosed && !closeAfterWrite && !isPeerClosed && pendingOutput < Self.highWater
            && parser.bufferedCount < config.maxRequestLineBytes + config.maxHeaderBytes + 65536
            && exchange?.hasPendingBody != true
    }

    // MARK: events

    /// Bytes arrived from the client.
    mutating func received(_ bytes: UnsafeRawBufferPointer, now: Int64) -> ConnectionActions {
        guard !isClosed else { return .closed }
        if exchange == nil && parser.isIdle && headStartedAt == nil { headStartedAt = now }
        parser.append(bytes)
        turnBudget = max(config.streamSliceBytes, 1024)  // a new turn
        process(now: now)
        return actions(now: now)
    }

    mutating func received(_ bytes: [UInt8], now: Int64) -> ConnectionActions {
        bytes.withUnsafeBytes { received($0, now: now) }
    }

    /// The client closed its side (RFC 9112 §9.6: it may half-close after its request): what has arrived
    /// is still answered (a batch whose last slices wait, pipelined requests), then the connection closes;
    /// a request still missing bytes is abandoned (499).
    mutating func peerClosed(now: Int64) -> ConnectionActions {
        guard !isClosed else { return .closed }
        isPeerClosed = true
        turnBudget = max(config.streamSliceBytes, 1024)
        process(now: now)
        return actions(now: now)
    }

    /// `count` bytes of the pending output were written.
    mutating func wrote(_ count: Int, now: Int64) -> ConnectionActions {
        guard !isClosed else { return .closed }
        outIndex += count
        writeStalledSince = nil
        if pendingOutput == 0 {
            out.removeAll(keepingCapacity: out.capacity <= 1 << 20)
            outIndex = 0
            if closeAfterWrite {
                close()
                return .closed
            }
            // Output drained: requests waiting in the buffer (pipelined or backpressured) go on.
            if parser.bufferedCount > 0 || exchange != nil { process(now: now) }
        }
        return actions(now: now)
    }

    /// The client takes no more bytes for now.
    mutating func writeWouldBlock(now: Int64) -> ConnectionActions {
        guard !isClosed else { return .closed }
        if writeStalledSince == nil && pendingOutput > 0 { writeStalledSince = now }
        return actions(now: now)
    }

    /// The socket failed (reset, or an error other than EAGAIN).
    mutating func socketFailed(now: Int64) -> ConnectionActions {
        close()
        return .closed
    }

    /// The server starts draining: requests whose bytes have arrived are answered, the last with
    /// `Connection: close`; an idle connection closes once a read finds nothing more (`readWouldBlock`),
    /// so a request already in the socket buffer is answered, not reset; whatever is left at `deadline`
    /// is closed.
    mutating func startDrain(deadline: Int64, now: Int64) -> ConnectionActions {
        guard !isClosed else { return .closed }
        isDraining = true
        isDrainReadPending = true
        drainDeadline = deadline
        return actions(now: now)
    }

    /// The loop's other connections had their turn: goes on with the work left (`ConnectionActions.resume`).
    mutating func resume(now: Int64) -> ConnectionActions {
        guard !isClosed else { return .closed }
        turnBudget = max(config.streamSliceBytes, 1024)
        process(now: now)
        return actions(now: now)
    }

    /// A read found no more bytes for now.
    mutating func readWouldBlock(now: Int64) -> ConnectionActions {
        isDrainReadPending = false
        return actions(now: now)
    }

    /// A deadline passed (or the loop's tick came): enforces every deadline due at `now`.
    mutating func timerFired(now: Int64) -> ConnectionActions {
        guard !isClosed else { return .closed }
        if let since = writeStalledSince, pendingOutput > 0, now - since >= ms(config.writeTimeoutMs) {
            close()
            return .closed
        }
        if isDraining && now >= drainDeadline {
            close()
            return .closed
        }
        if closeAfterWrite { return actions(now: now) }  // answered: only the write is left (else a second 408)
        if exchange?.isProducing == true {
            // the body is read: only the write's and the drain's deadlines apply (above)
        } else if exchange != nil && wantsRead {
            if now - lastBodyProgress >= ms(config.bodyTimeoutMs) {
                fail(408, "the request body stalled for \(config.bodyTimeoutMs) ms")
            } else if let due = bodyRateDeadline, now >= due {
                fail(408, "the request body arrived slower than \(config.minBodyBytesPerSecond) bytes per second")
            }
        } else if exchange == nil, isWaitingForInput, let started = headStartedAt,
            now - started >= ms(config.headerTimeoutMs)
        {
            fail(408, "the request header section took longer than \(config.headerTimeoutMs) ms")
        } else if isIdle && now - idleSince >= ms(config.idleTimeoutMs) {
            close()
            return .closed
        }
        return actions(now: now)
    }

    /// Refuses the connection before reading it (over the connection cap): a 503 with `Retry-After`.
    mutating func refuse(_ detail: String, now: Int64) -> ConnectionActions {
        headStartedAt = now
        fail(503, detail)
        return actions(now: now)
    }

    /// The pending output, for the socket layer to write.
    func withPendingOutput<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        out.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[outIndex...])) }
    }

    // MARK: deadlines

    @inline(__always) func ms(_ value: Int) -> Int64 { Int64(value) * 1_000_000 }

    /// When the body falls below the minimum rate: the grace period, then the window's bytes at that rate.
    var bodyRateDeadline: Int64? {
        guard config.minBodyBytesPerSecond > 0 else { return nil }
        let allowance = Double(bodyWindowBytes) * 1e9 / Double(config.minBodyBytesPerSecond)
        return bodyWindowStart + ms(config.bodyRateGraceMs) + Int64(min(allowance, 1e15))
    }

    /// The actions after an event, and the clocks' bookkeeping: the header clock starts with the first
    /// byte of a head the connection waits for, also when it was left over from the previous request.
    mutating func actions(now: Int64) -> ConnectionActions {
        if isClosed { return .closed }
        if closeAfterWrite && pendingOutput == 0 {  // answered and written (or nothing owed): done
            close()
            return .closed
        }
        if exchange == nil {
            if parser.isIdle {
                headStartedAt = nil
            } else if isWaitingForInput && headStartedAt == nil {
                headStartedAt = now
            }
        }
        if isDraining && isIdle && !isDrainReadPending {
            close()
            return .closed
        }
        var a = ConnectionActions(read: wantsRead || (isDrainReadPending && isIdle), write: pendingOutput > 0)
        // Work left for a later turn: a streamed body piece, or requests behind one that used up the turn.
        a.resume =
            pendingOutput < Self.highWater && !closeAfterWrite
            && (exchange?.hasPendingBody == true
                || (turnBudget <= 0 && !isWaitingForInput && (parser.bufferedCount > 0 || exchange != nil)))
        if a.read && !wasReading && exchange != nil {  // reading resumes after backpressure: a fresh window
            lastBodyProgress = now
            bodyWindowStart = now
            bodyWindowBytes = 0
        }
        wasReading = a.read
        func earliest(_ t: Int64) { a.deadline = min(a.deadline ?? t, t) }
        if let since = writeStalledSince, pendingOutput > 0 { earliest(since + ms(config.writeTimeoutMs)) }
        if isDraining { earliest(drainDeadline) }
        if closeAfterWrite { return a }  // only the write's deadline is left (found by fuzzing: a stale header one)
        if exchange?.isProducing == true {
            // no body deadline: the answer goes on as the client reads (the write's deadline, above)
        } else if exchange != nil && a.read {
            earliest(lastBodyProgress + ms(config.bodyTimeoutMs))
            if let due = bodyRateDeadline { earliest(due) }
        } else if exchange == nil, isWaitingForInput, let started = headStartedAt {
            earliest(started + ms(config.headerTimeoutMs))
        } else if isIdle {
            earliest(idleSince + ms(config.idleTimeoutMs))
        }
        return a
    }

    // MARK: requests

    /// Parses and handles buffered requests in order, one at a time (pipelining).
    mutating func process(now: Int64) {
        isWaitingForInput = false
        if exchange?.hasPendingBody == true {
            pump()
            if exchange?.hasPendingBody == true { return }
        }
        if exchange?.isProducing == true {
            produce(now: now)
            if exchange?.isProducing == true { return }  // the next request waits for the whole answer
        }
        while !isClosed && !closeAfterWrite && pendingOutput < Self.highWater && turnBudget > 0 {
            let event: HTTPParserEvent?
            do {
                event = try parser.next()
            } catch {
                fail(error.status, error.reason)
                return
            }
            guard let event else {
                isWaitingForInput = true
                if isPeerClosed {  // nothing more will come: what is incomplete is abandoned
                    abandonExchange(status: 499)
                    closeAfterWrite = true
                }
                return
            }
            switch event {
            case .head: begin(parser.currentHead!, now: now)
            case .body(let bytes):
                receive(bytes, now: now)
                if exchange?.hasPendingBody == true { return }
            case .end:
                complete(now: now)
                if exchange?.isProducing == true { return }
            }
        }
    }

    mutating func begin(_ head: HTTPRequestHead, now: Int64) {
        let started = headStartedAt ?? now
        headStartedAt = nil
        lastBodyProgress = now
        bodyWindowStart = now
        bodyWindowBytes = 0
        requestsServed += 1
        let keepAlive = head.isKeepAlive && requestsServed < config.maxRequestsPerConnection
        let clientID = head.headers["x-request-id"]
        let id = clientID.flatMap { isValidRequestID($0) ? $0 : nil } ?? env.makeRequestID()
        exchange = Exchange(
            head: head, requestID: id, startedAt: started, keepAlive: keepAlive,
            maxBody: config.maxBodyBytes)
        let hasBody = parser.declaredBodyLength != 0

        // Content-Encoding of the request body: identity or gzip only (415 otherwise).
        let codings = head.headers.tokens("content-encoding").filter { $0 != "identity" }
        if hasBody && !codings.isEmpty {
            guard codings == ["gzip"] || codings == ["x-gzip"] else {
                fail(415, "unsupported Content-Encoding \(codings.joined(separator: ", "))")
                return
            }
        }
        exchange!.routed = true
        let route = handler.route(head, remoteAddress: remoteAddress)
        switch route {
        case .respond(let response):
            if hasBody { exchange!.keepAlive = false }
            send(response)
            finishExchange(now: now)
            return
        case .buffered(let maxBody, let handler):
            exchange!.maxBody = maxBody
            exchange!.buffered = handler
        case .streaming(let maxBody, let handler):
            exchange!.maxBody = maxBody
            exchange!.streaming = handler
        }
        let maxBody = exchange!.maxBody
        if hasBody && !codings.isEmpty { exchange!.inflater = GzipInflater(maxOutputBytes: maxBody) }
        // Limits are answered before the body is read (RFC 9110 §15.5.14).
        if let declared = parser.declaredBodyLength, declared > maxBody, codings.isEmpty {
            fail(413, "the body is larger than \(maxBody) bytes")
            return
        }
        if let expect = head.headers["expect"] {
            guard expect.lowercased() == "100-continue" else {
                fail(417, "unsupported expectation")
                return
            }
            if hasBody && head.version == .http11 { append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        }
    }

    mutating func receive(_ raw: [UInt8], now: Int64) {
        guard exchange != nil else { return }
        lastBodyProgress = now
        bodyWindowBytes += raw.count
        if exchange!.streaming != nil {
            exchange!.pending = raw
            exchange!.pendingIndex = 0
            pump()
            return
        }
        var bytes = raw
        if let inflater = exchange!.inflater {
            var inflated: [UInt8] = []
            do { try inflater.inflate(raw, into: &inflated) } catch {
                if error == .tooLarge {
                    fail(413, "the inflated body is larger than \(exchange!.maxBody) bytes")
                } else {
                    fail(400, "the gzip body is corrupt")
                }
                return
            }
            bytes = inflated
        }
        exchange!.received += bytes.count
        if exchange!.received > exchange!.maxBody {
            fail(413, "the body is larger than \(exchange!.maxBody) bytes")
            return
        }
        if exchange!.body.isEmpty {
            exchange!.body = bytes  // the common case, the whole body in one piece: no copy
        } else {
            exchange!.body.append(contentsOf: bytes)
        }
    }

    /// Gives the streaming handler body bytes, `streamSliceBytes` a turn (inflated ones when gzip), while
    /// the client takes the answers.
    mutating func pump() {
        while turnBudget > 0 && pendingOutput < Self.highWater, let ex = exchange, let stream = ex.streaming,
            ex.hasPendingBody
        {
            var bytes: [UInt8] = []
            if let inflater = ex.inflater {
                var failure: GzipError?
                let consumed = ex.pending.withUnsafeBytes { p -> Int in
                    do throws(GzipError) {
                        let rest = UnsafeRawBufferPointer(rebasing: p[ex.pendingIndex...])
                        return try inflater.inflate(rest, into: &bytes, maxOutput: turnBudget)
                    } catch {
                        failure = error
                        return 0
                    }
                }
                if let failure {
                    if failure == .tooLarge {
                        fail(413, "the inflated body is larger than \(ex.maxBody) bytes")
                    } else {
                        fail(400, "the gzip body is corrupt")
                    }
                    return
                }
                ex.pendingIndex += consumed
            } else {
                let n = min(ex.pending.count - ex.pendingIndex, turnBudget)
                bytes = Array(ex.pending[ex.pendingIndex..<(ex.pendingIndex + n)])
                ex.pendingIndex += n
            }
            if ex.pendingIndex == ex.pending.count {
                ex.pending = []
                ex.pendingIndex = 0
            }
            turnBudget -= max(bytes.count, 1)
            ex.received += bytes.count
            if ex.received > ex.maxBody {
                fail(413, "the body is larger than \(ex.maxBody) bytes")
                return
            }
            var produced: [UInt8] = []
            stream.consume(bytes, into: &produced)
            writeStream(produced, last: false)
        }
    }

    mutating func complete(now: Int64) {
        guard exchange != nil else { return }
        if let inflater = exchange!.inflater {
            do { try inflater.finish() } catch {
                fail(400, "the gzip body is truncated")
                return
            }
        }
        if let stream = exchange!.streaming {
            var produced: [UInt8] = []
            stream.finish(into: &produced)
            let more = stream.hasMoreOutput
            writeStream(produced, last: !more)
            if more {  // the exchange ends with the handler's last piece (`produce`)
                exchange!.isProducing = true
                turnBudget -= max(produced.count, 1)
                produce(now: now)  // at once when nothing is waiting (found by fuzzing: else nothing asks)
                return
            }
        } else if let handler = exchange!.buffered {
            let request = HTTPRequest(head: exchange!.head!, body: exchange!.body, remoteAddress: remoteAddress)
            exchange!.body = []
            send(handler(request))
        }
        finishExchange(now: now)
    }

    /// Pulls the next pieces of a streaming handler's answer after its body (`isProducing`): only when the
    /// output has drained (the client reads; a client that stops reading stops the handler, then meets the
    /// write deadline), and within the turn's budget, so one long answer does not hold the event loop.
    mutating func produce(now: Int64) {
        while turnBudget > 0 && pendingOutput == 0, let ex = exchange, ex.isProducing, let stream = ex.streaming {
            var produced: [UInt8] = []
            let more = stream.produceMore(into: &produced)
            turnBudget -= max(produced.count, 1)
            writeStream(produced, last: !more)
            if !more {
                finishExchange(now: now)
                return
            }
        }
    }

    /// The exchange's answer is complete: reported once, and the connection goes idle or closes.
    mutating func finishExchange(now: Int64) {
        guard let ex = exchange.take() else { return }  // moved out: no copy of its strings and buffers
        if !ex.keepAlive { closeAfterWrite = true }
        report(ex, status: ex.status)
        idleSince = now
    }

    func report(_ ex: Exchange, status: Int) {
        handler.responded(
            HTTPExchangeRecord(
                requestID: ex.requestID, head: ex.head, remoteAddress: remoteAddress, status: status,
                bodyBytes: ex.bodyBytesOut, durationNs: env.durationClock() - ex.startedAt, routed: ex.routed))
    }

    /// Answers an error the server detected itself, then closes (RFC 9112 §11: never a silent drop).
    mutating func fail(_ status: Int, _ detail: String) {
        if exchange?.streamStarted == true {  // the status line is gone: cut the stream so the client sees an error
            abandonExchange(status: status)  // reported with the cause; the client sees the cut
            close()
            return
        }
        exchange?.streaming?.abort()
        exchange?.streaming = nil
        if exchange == nil {  // a head that could not be parsed, or a refused connection
            exchange = Exchange(
                head: nil, requestID: env.makeRequestID(),
                startedAt: headStartedAt ?? env.durationClock(), keepAlive: false, maxBody: 0)
        }
        exchange!.keepAlive = false
        headStartedAt = nil
        isWaitingForInput = false
        var r = handler.errorResponse(status: status, detail: detail, head: exchange!.head)
        if status == 503 && !r.headers.contains("retry-after") {
            r.headers.add("Retry-After", String(config.retryAfterSeconds))
        }
        send(r)
        let ex = exchange.take()!
        closeAfterWrite = true
        report(ex, status: ex.status)
    }

    /// Ends the exchange in progress without its handler's answer, and reports it.
    mutating func abandonExchange(status: Int) {
        guard let ex = exchange.take() else { return }
        ex.streaming?.abort()
        report(ex, status: status)
    }

    mutating func close() {
        guard !isClosed else { return }
        abandonExchange(status: 499)
        isClosed = true
    }

    // MARK: output

    mutating func append(_ bytes: [UInt8]) {
        if outIndex == out.count { out.removeAll(keepingCapacity: true); outIndex = 0 }
        out.append(contentsOf: bytes)
    }

    /// Writes the exchange's whole answer, with `X-Request-ID`, gzip when accepted and worth it.
    mutating func send(_ response: HTTPResponse) {
        guard let ex = exchange else { return }
        var r = response
        let requestHeaders = ex.head?.headers ?? HTTPHeaders()
        r.headers.reserveCapacity(r.headers.count + 3)  // the three below, without regrowing twice
        let compressible = isCompressible(r.headers["content-type"])
        if compressible && !r.headers.contains("vary") { r.headers.add("Vary", "Accept-Encoding") }
        if compressible && r.body.count >= config.gzipMinBytes && !r.headers.contains("content-encoding")
            && acceptsGzip(requestHeaders)
        {
            r.body = GzipDeflater.gzip(r.body, level: config.gzipLevel)
            r.headers.add("Content-Encoding", "gzip")
        }
        r.headers.add("X-Request-ID", ex.requestID)
        // Draining: pipelined requests already received are still answered; the last says close.
        if isDraining && parser.bufferedCount == 0 { ex.keepAlive = false }
        if !ex.keepAlive { closeAfterWrite = true }
        let connection: StaticString? = !ex.keepAlive ? "close" : ex.head?.version == .http10 ? "keep-alive" : nil
        appendHead(
            status: r.status, headers: r.headers, contentLength: r.body.count, chunked: false,
            connection: connection)
        let isHead = ex.head?.method == "HEAD"
        if !isHead { append(r.body) }
        ex.status = r.status
        ex.bodyBytesOut = isHead ? 0 : r.body.count
    }

    /// Writes a status line and header section straight into the output buffer.
    mutating func appendHead(
        status: Int, headers: HTTPHeaders, contentLength: Int?, chunked: Bool,
        connection: StaticString?
    ) {
        if outIndex == out.count { out.removeAll(keepingCapacity: true); outIndex = 0 }
        Self.writeHead(
            into: &out, status: status, date: env.dateHeader, headers: headers,
            contentLength: contentLength, chunked: chunked, connection: connection)
    }

    /// Streams response bytes: chunked for HTTP/1.1 (gzip-compressed as they go when accepted),
    /// close-delimited for 1.0.
    mutating func writeStream(_ bytes: [UInt8], last: Bool) {
        guard let ex = exchange, let stream = ex.streaming, let head = ex.head else { return }
        if !ex.streamStarted {
            if bytes.isEmpty && !last { return }  // the head waits for the first answer bytes
            ex.streamStarted = true
            var (status, headers) = stream.responseHead()
            if isCompressible(headers["content-type"]) {
                headers.add("Vary", "Accept-Encoding")
                if acceptsGzip(head.headers) {
                    headers.add("Content-Encoding", "gzip")
                    ex.deflater = GzipDeflater(level: config.gzipLevel)
                }
            }
            headers.add("X-Request-ID", ex.requestID)
            ex.status = status
            ex.chunked = head.version == .http11
            if !ex.chunked || isDraining { ex.keepAlive = false }
            appendHead(
                status: status, headers: headers, contentLength: nil, chunked: ex.chunked,
                connection: ex.keepAlive ? nil : "close")
        }
        var payload = bytes
        if let d = ex.deflater {
            var z: [UInt8] = []
            if !payload.isEmpty || last { d.compress(payload, finish: last, into: &z) }
            payload = z
        }
        if head.method != "HEAD" {
            ex.bodyBytesOut += payload.count
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
    }
}

extension ConnectionStateMachine {
    static func writeHead(
        into o: inout [UInt8], status: Int, date: String, headers: HTTPHeaders, contentLength: Int?,
        chunked: Bool, connection: StaticString?
    ) {
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
}

func isCompressible(_ contentType: String?) -> Bool {
    guard let t = contentType else { return false }
    return asciiContainsLowercased(t, "text/") || asciiContainsLowercased(t, "json")
        || asciiContainsLowercased(t, "yaml") || asciiContainsLowercased(t, "xml")
        || asciiContainsLowercased(t, "javascript")
}
