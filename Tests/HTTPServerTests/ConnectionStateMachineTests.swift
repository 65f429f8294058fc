import Synchronization
import Testing

@testable import HTTPServer

/// The connection state machine with a fake clock and no sockets: every deadline, the drain, request ids
/// and the one report per answer.
@Suite struct ConnectionStateMachineTests {
    /// The fake clock and request ids.
    final class Environment: ConnectionEnvironment {
        var now: Int64 = 0
        var ids = 0
        let dateHeader = "Tue, 01 Dec 2026 00:00:00 GMT"
        func makeRequestID() -> String {
            ids += 1
            return "new-\(ids)"
        }
        func durationClock() -> Int64 { now }
    }

    /// `/ok` answers at once, `/echo` reads its body then answers, `/stream` echoes as it reads.
    final class App: HTTPHandler {
        let records = Mutex<[HTTPExchangeRecord]>([])
        let counter = Counter()
        let producer = Producer()

        func route(_ head: HTTPRequestHead, remoteAddress: String) -> HTTPRoute {
            switch head.path {
            case "/ok": .respond(HTTPResponse(status: 200, contentType: "text/plain", body: Array("ok".utf8)))
            case "/echo": .buffered(maxBodyBytes: 1000) { HTTPResponse(status: 200, body: $0.body) }
            case "/stream": .streaming(maxBodyBytes: 1 << 20, Echo())
            case "/count": .streaming(maxBodyBytes: 16 << 20, counter)
            case "/produce": .streaming(maxBodyBytes: 1000, producer)
            default: .respond(HTTPResponse(status: 404))
            }
        }

        func responded(_ record: HTTPExchangeRecord) { records.withLock { $0.append(record) } }
        var statuses: [Int] { records.withLock { $0.map(\.status) } }
    }

    final class Echo: StreamingHandler {
        func responseHead() -> (status: Int, headers: HTTPHeaders) { (200, HTTPHeaders()) }
        func consume(_ bytes: [UInt8], into out: inout [UInt8]) { out += bytes }
        func finish(into out: inout [UInt8]) {}
        func abort() {}
    }

    /// Records the size of each piece a streaming handler is given; answers a byte per piece.
    final class Counter: StreamingHandler, @unchecked Sendable {  // used by one test at a time, on its thread
        var sizes: [Int] = []
        func responseHead() -> (status: Int, headers: HTTPHeaders) { (200, HTTPHeaders()) }
        func consume(_ bytes: [UInt8], into out: inout [UInt8]) {
            sizes.append(bytes.count)
            out.append(0x2E)
        }
        func finish(into out: inout [UInt8]) {}
        func abort() {}
    }

    /// Answers after its body: `finish` writes a header line, then each `produceMore` a piece of
    /// `pieceBytes` ("1...", "2...", ...) until `pieces`, like a CSV export priced as the client reads.
    final class Producer: StreamingHandler, @unchecked Sendable {  // used by one test at a time, on its thread
        var pieces = 3
        var pieceBytes = 10
        var produced = 0
        var aborted = false
        var head = "head\n"
        func responseHead() -> (status: Int, headers: HTTPHeaders) { (200, HTTPHeaders()) }
        func consume(_ bytes: [UInt8], into out: inout [UInt8]) {}
        func finish(into out: inout [UInt8]) { out += Array(head.utf8) }
        var hasMoreOutput: Bool { produced < pieces }
        func produceMore(into out: inout [UInt8]) -> Bool {
            produced += 1
            out += [UInt8(0x30 + produced % 10)] + [UInt8](repeating: 0x2E, count: pieceBytes - 1)
            return produced < pieces
        }
        func abort() { aborted = true }
    }

    /// A connection under test: its machine, the fake clock, and everything it wrote.
    struct Harness {
        let env = Environment()
        let app = App()
        var machine: ConnectionStateMachine
        var written: [UInt8] = []
        var last = ConnectionActions()

        init(_ configure: (inout ServerConfiguration) -> Void = { _ in }) {
            var config = ServerConfiguration()
            configure(&config)
            machine = ConnectionStateMachine(config: config, handler: app, remoteAddress: "10.0.0.1", env: env, now: 0)
        }

        var text: String { String(decoding: written, as: UTF8.self) }

        /// Sets the clock to `ms` and delivers `bytes`; then the client takes every byte written.
        @discardableResult
        mutating func send(_ bytes: String, atMs ms: Int64) -> ConnectionActions {
            env.now = ms * 1_000_000
            return take(machine.received(Array(bytes.utf8), now: env.now))
        }

        mutating func fire(atMs ms: Int64) -> ConnectionActions {
            env.now = ms * 1_000_000
            return take(machine.timerFired(now: env.now))
        }

        mutating func drain(atMs ms: Int64, graceMs: Int64) -> ConnectionActions {
            env.now = ms * 1_000_000
            return take(machine.startDrain(deadline: env.now + graceMs * 1_000_000, now: env.now))
        }

        /// A read finds the socket empty.
        mutating func readEmpty() -> ConnectionActions { take(machine.readWouldBlock(now: env.now)) }

        mutating func take(_ first: ConnectionActions) -> ConnectionActions {
            var a = first
            while a.write && !a.close {
                var chunk: [UInt8] = []
                let n = machine.withPendingOutput { p in
                    chunk = Array(p)
                    return p.count
                }
                written += chunk
                a = machine.wrote(n, now: env.now)
            }
            last = a
            return a
        }
    }

    static let get = "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"
    static func ns(_ ms: Int64) -> Int64 { ms * 1_000_000 }
    static func count(_ needle: String, in text: String) -> Int {
        text.split(separator: needle, omittingEmptySubsequences: false).count - 1
    }

    // MARK: the header deadline

    @Test func theHeaderDeadlineRunsFromBytesLeftOverByThePreviousRequest() {
        // The example: a request and the first byte of the next in one write, then nothing.
        var h = Harness {
            $0.headerTimeoutMs = 10_000; $0.idleTimeoutMs = 75_000
        }
        let a = h.send(Self.get + "G", atMs: 0)
        #expect(h.text.hasPrefix("HTTP/1.1 200 OK"))
        #expect(a.deadline == Self.ns(10_000))
        #expect(!h.fire(atMs: 9_999).close)
        #expect(!h.text.contains(" 408 "))
        #expect(h.fire(atMs: 10_000).close)
        #expect(h.text.contains("HTTP/1.1 408 Request Timeout"))
        #expect(h.app.statuses == [200, 408])
    }

    @Test func theHeaderDeadlineRunsFromTheFirstByteNotTheLatest() {
        var h = Harness { $0.headerTimeoutMs = 10_000 }
        h.send("GET /ok HTTP/1.1\r\n", atMs: 1_000)
        h.send("Host: x\r\n", atMs: 9_000)
        #expect(h.last.deadline == Self.ns(11_000))
        #expect(h.fire(atMs: 11_000).close)
        #expect(h.text.hasPrefix("HTTP/1.1 408 "))
    }

    @Test func aHeadArrivingInTimeIsAnswered() {
        var h = Harness { $0.headerTimeoutMs = 10_000 }
        h.send("GET /ok HTTP/1.1\r\n", atMs: 0)
        h.send("Host: x\r\n\r\n", atMs: 9_999)
        #expect(h.text.hasPrefix("HTTP/1.1 200 OK"))
        #expect(h.last.deadline == Self.ns(9_999 + 75_000))  // now idle
    }

    /// Found by fuzzing: a timer firing again before the 408 was written answered a second 408, and a stale
    /// header deadline stayed armed.
    @Test func aTimerFiringAgainAfterA408AddsNothing() {
        var h = Harness {
            $0.headerTimeoutMs = 100; $0.writeTimeoutMs = 1_000
        }
        h.send("GET /ok HTTP/1.1\r\n", atMs: 0)
        var a = h.machine.timerFired(now: Self.ns(200))  // the client reads nothing meanwhile
        #expect(a.write && (a.deadline == nil || a.deadline! > Self.ns(200)))
        a = h.machine.writeWouldBlock(now: Self.ns(200))
        #expect(a.deadline == Self.ns(1_200))
        a = h.machine.timerFired(now: Self.ns(300))
        #expect(
            h.machine.withPendingOutput { Self.count("HTTP/1.1 408", in: String(decoding: $0, as: UTF8.self)) } == 1)
        #expect(h.app.statuses == [408])
    }

    // MARK: the body deadlines

    @Test func aBodyTrickledSlowerThanTheMinimumRateGets408() {
        // The example: a byte every 29 s never trips the 30 s gap between reads.
        var h = Harness {
            $0.bodyTimeoutMs = 30_000; $0.minBodyBytesPerSecond = 100; $0.bodyRateGraceMs = 10_000
        }
        h.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n", atMs: 0)
        #expect(h.last.deadline == Self.ns(10_000))
        h.send("a", atMs: 5_000)
        #expect(h.last.deadline == Self.ns(10_010))  // the grace, then one byte's worth at 100 B/s
        #expect(!h.fire(atMs: 10_009).close)
        #expect(h.fire(atMs: 10_010).close)
        #expect(h.text.hasPrefix("HTTP/1.1 408 "))
        #expect(h.app.statuses == [408])
    }

    @Test func aBodyAtTheMinimumRateIsRead() {
        var h = Harness {
            $0.minBodyBytesPerSecond = 100; $0.bodyRateGraceMs = 1_000
        }
        h.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 300\r\n\r\n", atMs: 0)
        for second in 1...3 {
            h.send(String(repeating: "b", count: 100), atMs: Int64(second) * 1000)
            #expect(!h.fire(atMs: Int64(second) * 1000).close)
        }
        #expect(h.text.hasPrefix("HTTP/1.1 200 OK"))
    }

    @Test func theGapBetweenReadsStillCounts() {
        var h = Harness {
            $0.bodyTimeoutMs = 2_000; $0.minBodyBytesPerSecond = 0
        }
        h.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab", atMs: 0)
        #expect(h.last.deadline == Self.ns(2_000))
        #expect(h.fire(atMs: 2_000).close)
        #expect(h.text.hasPrefix("HTTP/1.1 408 "))
    }

    @Test func theBodyClocksPauseWhileTheServerStopsReading() {
        // A streamed answer the client does not read: the server stops reading, and the write
        // deadline, not the body's, decides.
        var h = Harness {
            $0.bodyTimeoutMs = 1_000; $0.writeTimeoutMs = 5_000; $0.minBodyBytesPerSecond = 0
        }
        let big = String(repeating: "z", count: 300 * 1024)
        let request = "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 400000\r\n\r\n\(big)"
        var a = h.machine.received(Array(request.utf8), now: 0)
        while a.resume { a = h.machine.resume(now: 0) }  // a slice a turn, until the answer backs up
        #expect(!a.read && a.write)
        a = h.machine.writeWouldBlock(now: 0)
        #expect(a.deadline == Self.ns(5_000))
        #expect(!h.machine.timerFired(now: Self.ns(1_500)).close)
        #expect(h.machine.timerFired(now: Self.ns(5_000)).close)
        #expect(h.app.statuses == [499])
    }

    // MARK: idle and write deadlines

    @Test func anIdleKeepAliveConnectionClosesAtItsDeadline() {
        var h = Harness { $0.idleTimeoutMs = 75_000 }
        h.send(Self.get, atMs: 100)
        #expect(h.last.deadline == Self.ns(75_100) && h.last.read)
        #expect(!h.fire(atMs: 75_099).close)
        #expect(h.fire(atMs: 75_100).close)
    }

    @Test func aClientThatStopsReadingIsClosedAtTheWriteDeadline() {
        var h = Harness { $0.writeTimeoutMs = 3_000 }
        _ = h.machine.received(Array(Self.get.utf8), now: 0)
        let a = h.machine.writeWouldBlock(now: Self.ns(10))
        #expect(a.write && a.deadline == Self.ns(3_010))
        #expect(!h.machine.timerFired(now: Self.ns(3_009)).close)
        #expect(h.machine.timerFired(now: Self.ns(3_010)).close)
    }

    // MARK: the drain

    @Test func theDrainClosesAnIdleConnection() {
        var h = Harness()
        h.send(Self.get, atMs: 0)
        #expect(!h.drain(atMs: 1, graceMs: 10_000).close)
        #expect(h.last.read)  // first a read, for what may already be in the socket buffer
        #expect(h.readEmpty().close)
    }

    @Test func theDrainAnswersWhatHasArrivedWithConnectionClose() {
        var h = Harness()
        h.send(Self.get, atMs: 0)
        #expect(!h.text.contains("Connection: close"))
        h.drain(atMs: 1, graceMs: 10_000)
        // Read just after the drain began (it was in the socket buffer): answered, then closed.
        #expect(!h.last.close)
        let before = h.written.count
        let a = h.send(Self.get + Self.get, atMs: 2)
        let answers = String(decoding: h.written[before...], as: UTF8.self)
        #expect(Self.count("HTTP/1.1 200 OK", in: answers) == 2)  // both pipelined requests
        #expect(Self.count("Connection: close", in: answers) == 1)  // the last says close
        #expect(a.close)
    }

    @Test func theDrainLetsABodyInProgressFinishThenCloses() {
        var h = Harness()
        h.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab", atMs: 0)
        #expect(!h.drain(atMs: 1, graceMs: 10_000).close)
        #expect(h.last.deadline == Self.ns(10_001) || h.last.deadline! < Self.ns(10_001))
        let a = h.send("cd", atMs: 2)
        #expect(h.text.hasPrefix("HTTP/1.1 200 OK") && h.text.contains("Connection: close"))
        #expect(a.close)
    }

    @Test func theDrainEndsAtItsDeadline() {
        var h = Harness {
            $0.bodyTimeoutMs = 60_000; $0.minBodyBytesPerSecond = 0
        }
        h.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab", atMs: 0)
        h.drain(atMs: 1, graceMs: 500)
        #expect(h.last.deadline == Self.ns(501))
        #expect(h.fire(atMs: 501).close)
        #expect(h.app.statuses == [499])
    }

    // MARK: slices

    /// Issue 13 problem 2: a large streamed body (a gzip bomb's worth, too) is handed out a slice per turn,
    /// so the loop's other connections run in between.
    @Test(arguments: [false, true])
    func aLargeStreamedBodyIsHandedOutASliceAPerTurn(gzip: Bool) {
        var h = Harness { $0.streamSliceBytes = 4096 }
        let plain = [UInt8](repeating: 0x20, count: 4 << 20)
        let body = gzip ? GzipDeflater.gzip(plain) : Array(plain[..<(100 * 1024)])
        let head =
            "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n"
            + (gzip ? "Content-Encoding: gzip\r\n" : "") + "\r\n"
        var a = h.take(h.machine.received(Array(head.utf8) + body, now: 0))
        #expect(h.app.counter.sizes.reduce(0, +) <= 4096)  // one slice in the event that brought it all
        var turns = 1
        while a.resume {
            if h.machine.exchange?.hasPendingBody == true { #expect(!a.read) }  // no more input while a piece waits
            a = h.take(h.machine.resume(now: 0))
            turns += 1
        }
        let sizes = h.app.counter.sizes
        #expect(sizes.allSatisfy { $0 <= 4096 })
        #expect(sizes.reduce(0, +) == (gzip ? plain.count : body.count))
        #expect(turns >= sizes.reduce(0, +) / 4096)
        #expect(h.app.statuses == [200])
    }

    // MARK: answers that go on after the body (hasMoreOutput / produceMore)

    static let export = "POST /produce HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab"

    /// Every piece is written, in order, then the last chunk; the exchange is reported once, when it ends.
    @Test func aStreamingHandlerGoesOnAnsweringAfterItsBody() {
        var h = Harness()
        var a = h.send(Self.export, atMs: 0)
        while a.resume { a = h.take(h.machine.resume(now: 0)) }
        #expect(h.app.producer.produced == 3)
        #expect(h.text.hasPrefix("HTTP/1.1 200 OK") && h.text.contains("Transfer-Encoding: chunked"))
        let pieces = "a\r\n1.........\r\na\r\n2.........\r\na\r\n3.........\r\n"
        #expect(h.text.hasSuffix("5\r\nhead\n\r\n" + pieces + "0\r\n\r\n"))
        #expect(h.app.statuses == [200])
        #expect(a.read && h.machine.isIdle)
    }

    /// A handler whose `finish` writes nothing is asked for its pieces at once (found by fuzzing: the
    /// connection waited for a write that was never coming, with no deadline).
    @Test func aHandlerThatWritesNothingInFinishIsStillAsked() {
        var h = Harness()
        h.app.producer.head = ""
        let a = h.send(Self.export, atMs: 0)
        #expect(h.app.producer.produced == 3 && h.app.statuses == [200])
        #expect(h.text.hasSuffix("a\r\n3.........\r\n0\r\n\r\n"))
        #expect(a.read && a.deadline != nil)
    }

    /// The next piece is pulled only once the output has drained: a client that stops reading stops the
    /// handler, and then meets the write deadline (the body's does not run: the body is read).
    @Test func aClientThatStopsReadingStopsTheHandlerThenMeetsTheWriteDeadline() {
        var h = Harness {
            $0.bodyTimeoutMs = 1_000; $0.writeTimeoutMs = 5_000; $0.minBodyBytesPerSecond = 50
            $0.streamSliceBytes = 1024
        }
        h.app.producer.pieces = 1_000
        h.app.producer.pieceBytes = 4096
        var a = h.machine.received(Array(Self.export.utf8), now: 0)
        for _ in 0..<5 { a = h.machine.resume(now: 0) }  // turns of the loop; the client reads nothing
        #expect(h.app.producer.produced == 0)
        #expect(a.write && !a.resume)
        a = h.machine.wrote(h.machine.pendingOutput - 1, now: 0)
        #expect(h.app.producer.produced == 0)  // not drained yet
        a = h.machine.wrote(1, now: 0)
        #expect(h.app.producer.produced == 1)  // drained: the next piece, one turn's worth
        for _ in 0..<5 { a = h.machine.resume(now: 0) }
        #expect(h.app.producer.produced == 1)
        a = h.machine.writeWouldBlock(now: Self.ns(100))
        #expect(a.deadline == Self.ns(5_100))
        a = h.machine.timerFired(now: Self.ns(2_000))  // past the body's deadlines
        #expect(!a.close && a.deadline == Self.ns(5_100))
        #expect(h.app.producer.produced == 1 && h.app.statuses.isEmpty)
        #expect(h.machine.timerFired(now: Self.ns(5_100)).close)
        #expect(h.app.producer.aborted)
        #expect(h.app.statuses == [499])
    }

    /// A client reading as fast as the server writes still gets one turn's budget of the answer per turn,
    /// the loop's other connections running in between (`resume`).
    @Test func aLongAnswerIsProducedATurnsBudgetAtATime() {
        var h = Harness { $0.streamSliceBytes = 1024 }
        h.app.producer.pieces = 10
        h.app.producer.pieceBytes = 600
        var a = h.send(Self.export, atMs: 0)
        var perTurn = [h.app.producer.produced]
        while a.resume {
            a = h.take(h.machine.resume(now: 0))
            perTurn.append(h.app.producer.produced - perTurn.reduce(0, +))
        }
        #expect(perTurn.allSatisfy { $0 <= 2 })  // 600-byte pieces against a 1,024-byte budget
        #expect(perTurn.count >= 5)
        #expect(h.app.producer.produced == 10 && h.app.statuses == [200])
    }

    /// The next pipelined request is not parsed (nor routed) while the handler is still answering; it is
    /// answered after the last chunk.
    @Test func aRequestPipelinedBehindALongAnswerWaitsForIt() {
        var h = Harness()
        h.app.producer.pieces = 5
        var a = h.machine.received(Array((Self.export + Self.get).utf8), now: 0)
        #expect(h.app.statuses.isEmpty)
        #expect(h.machine.requestsServed == 1)
        a = h.take(a)
        while a.resume { a = h.take(h.machine.resume(now: 0)) }
        #expect(h.app.statuses == [200, 200])
        let parts = h.text.split(separator: "\r\n0\r\n\r\n", omittingEmptySubsequences: false)
        #expect(parts.count == 2)  // one last chunk, the export's
        #expect(Self.count("5.........", in: String(parts[0])) == 1)
        #expect(parts.last!.hasPrefix("HTTP/1.1 200 OK") && parts.last!.hasSuffix("ok"))
    }

    /// A client that half-closes after its request still gets the whole answer, then the connection closes.
    @Test func aClientThatHalfClosesGetsTheWholeLongAnswer() {
        var h = Harness()
        _ = h.machine.received(Array(Self.export.utf8), now: 0)
        var a = h.take(h.machine.peerClosed(now: 0))
        while a.resume && !a.close { a = h.take(h.machine.resume(now: 0)) }
        #expect(a.close)
        #expect(h.text.hasSuffix("3.........\r\n0\r\n\r\n"))
        #expect(h.app.statuses == [200])
    }

    /// The drain waits for the answer until its deadline, then closes (reported 499).
    @Test func theDrainEndsALongAnswerAtItsDeadline() {
        var h = Harness()
        h.app.producer.pieces = 1_000
        _ = h.machine.received(Array(Self.export.utf8), now: 0)
        let a = h.machine.startDrain(deadline: Self.ns(500), now: 0)
        #expect(a.deadline == Self.ns(500))
        #expect(h.machine.timerFired(now: Self.ns(500)).close)
        #expect(h.app.statuses == [499] && h.app.producer.aborted)
    }

    // MARK: request ids and reports

    @Test(arguments: [
        ("req-42", "req-42"), (String(repeating: "a", count: 128), String(repeating: "a", count: 128)),
        (String(repeating: "a", count: 129), "new-1"), ("a b", "new-1"), ("caf\u{e9}", "new-1"), ("a\tb", "new-1"),
    ])
    func aClientsRequestIDIsEchoedOnlyWhenValid(id: String, echoed: String) {
        var h = Harness()
        h.send("GET /ok HTTP/1.1\r\nHost: x\r\nX-Request-ID: \(id)\r\n\r\n", atMs: 0)
        #expect(h.text.contains("\r\nX-Request-ID: \(echoed)\r\n"))
        #expect(h.app.records.withLock { $0.map(\.requestID) } == [echoed])
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", 400),
        (
            "GET /ok HTTP/1.1\r\nHost: x\r\nX-Request-ID: mine\r\n" + String(repeating: "X: y\r\n", count: 200)
                + "\r\n",
            431
        ),
        ("GET /ok HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nX-Request-ID: mine\r\nContent-Length: 5000\r\n\r\n", 413),
        (
            "POST /echo HTTP/1.1\r\nHost: x\r\nX-Request-ID: mine\r\nContent-Encoding: br\r\nContent-Length: 5\r\n\r\n",
            415
        ),
    ])
    func theServersOwnAnswersCarryARequestIDAndAreReportedOnce(request: String, status: Int) {
        var h = Harness()
        let a = h.send(request, atMs: 0)
        #expect(h.text.hasPrefix("HTTP/1.1 \(status) "))
        #expect(h.text.contains("\r\nX-Request-ID: "))
        #expect(h.text.contains("Connection: close"))
        #expect(a.close)
        let records = h.app.records.withLock { $0 }
        #expect(records.map(\.status) == [status])
        #expect(records.first?.bodyBytes ?? 0 > 0)
        // The client's id survives when the head could be parsed.
        if status == 413 || status == 415 { #expect(h.text.contains("X-Request-ID: mine\r\n")) }
    }

    @Test func theOverTheCapAnswerCarriesARequestIDAndRetryAfter() {
        var h = Harness { $0.retryAfterSeconds = 2 }
        _ = h.take(h.machine.refuse("too many open connections", now: 0))
        #expect(h.text.hasPrefix("HTTP/1.1 503 "))
        #expect(h.text.contains("X-Request-ID: new-1\r\n") && h.text.contains("Retry-After: 2\r\n"))
        #expect(h.app.statuses == [503])
    }

    @Test func eachAnswerIsReportedOnceWithItsBytesAndDuration() {
        var h = Harness()
        h.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nab", atMs: 10)
        h.send("cdef", atMs: 35)
        h.send("HEAD /ok HTTP/1.1\r\nHost: x\r\n\r\n", atMs: 40)
        let records = h.app.records.withLock { $0 }
        #expect(records.map(\.status) == [200, 200])
        #expect(records.map(\.bodyBytes) == [6, 0])
        #expect(records.map(\.durationNs) == [Self.ns(25), 0])
        #expect(records.allSatisfy { $0.routed })
    }

    /// RFC 9112 §9.6: a client may half-close once its request is sent; what arrived is still answered.
    @Test func aClientThatHalfClosesAfterItsRequestsIsStillAnswered() {
        var h = Harness { $0.streamSliceBytes = 1024 }
        let body = String(repeating: "z", count: 10_000)
        h.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n\(body)" + Self.get, atMs: 0)
        var a = h.take(h.machine.peerClosed(now: 0))  // the body's slices and the GET behind it still wait
        while a.resume { a = h.take(h.machine.resume(now: 0)) }
        #expect(a.close)
        #expect(h.app.counter.sizes.reduce(0, +) == 10_000)
        #expect(h.app.statuses == [200, 200])
    }

    @Test func aClientGoingAwayMidBodyIsReportedAs499() {
        var h = Harness()
        h.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nab", atMs: 0)
        #expect(h.take(h.machine.peerClosed(now: 0)).close)
        #expect(h.app.statuses == [499])
    }

    // MARK: whole, split, byte at a time

    /// (A streamed answer's chunks follow the arrival of its body, so the inputs here are buffered.)
    @Test func theAnswersAreTheSameHoweverTheBytesArrive() {
        let input =
            "GET /ok HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n"
            + "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        var whole = Harness()
        whole.send(input, atMs: 0)
        #expect(whole.last.close)
        #expect(whole.app.statuses == [200, 200, 200, 404])
        let bytes = Array(input.utf8)
        for cut in 0...bytes.count {
            var split = Harness()
            split.send(String(decoding: bytes[..<cut], as: UTF8.self), atMs: 0)
            split.send(String(decoding: bytes[cut...], as: UTF8.self), atMs: 0)
            #expect(split.written == whole.written, "split at \(cut)")
        }
        var bytewise = Harness()
        for b in bytes { bytewise.send(String(decoding: [b], as: UTF8.self), atMs: 0) }
        #expect(bytewise.text == whole.text)
    }
}
