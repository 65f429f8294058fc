// libFuzzer target for the connection state machine (see scripts/fuzz.sh), driven by random events and a
// fake clock. The input is a program: each step an opcode and its operands (bytes from the client, the
// client reading some output, a stalled write, time passing and the timer firing, the peer closing, the
// drain, a resume, a read finding the socket empty). Properties, after every step:
// - no crash, and no step after a close does anything;
// - the connection never waits without a deadline: it is closed, has output to write or work to resume,
//   or has a deadline;
// - once the timer fires at `now`, no deadline at or before `now` remains (every deadline honoured);
// - every report is a real status, at most one per request head (plus one for a head that failed to parse).

/// The fake clock and request ids.
final class FuzzEnvironment: ConnectionEnvironment {
    var now: Int64 = 0
    var ids = 0
    let dateHeader = "Tue, 01 Dec 2026 00:00:00 GMT"
    func makeRequestID() -> String {
        ids += 1
        return "id-\(ids)"
    }
    func durationClock() -> Int64 { now }
}

final class FuzzEcho: StreamingHandler {
    func responseHead() -> (status: Int, headers: HTTPHeaders) { (200, HTTPHeaders([("Content-Type", "text/plain")])) }
    func consume(_ bytes: [UInt8], into out: inout [UInt8]) { out += bytes }
    func finish(into out: inout [UInt8]) { out += [0x2E] }
    func abort() {}
}

/// Answers after its body, a piece each time the output drains: one piece per body byte (some empty).
final class FuzzProducer: StreamingHandler {
    var left = 0
    func responseHead() -> (status: Int, headers: HTTPHeaders) { (200, HTTPHeaders([("Content-Type", "text/plain")])) }
    func consume(_ bytes: [UInt8], into out: inout [UInt8]) { left += bytes.count }
    func finish(into out: inout [UInt8]) {}
    var hasMoreOutput: Bool { left > 0 }
    func produceMore(into out: inout [UInt8]) -> Bool {
        left -= 1
        if left % 3 != 0 { out += [UInt8](repeating: 0x70, count: 100 * (left % 7)) }
        return left > 0
    }
    func abort() {}
}

/// `/a` answers at once, `/b` reads its body, `/s` streams it back, `/p` answers after its body.
final class FuzzApp: HTTPHandler, @unchecked Sendable {  // one fuzzing thread
    var records: [HTTPExchangeRecord] = []

    func route(_ head: HTTPRequestHead, remoteAddress: String) -> HTTPRoute {
        switch head.path {
        case "/a": return .respond(HTTPResponse(status: 200, contentType: "application/json", body: Array("{}".utf8)))
        case "/b": return .buffered(maxBodyBytes: 256) { HTTPResponse(status: 201, body: $0.body) }
        case "/s": return .streaming(maxBodyBytes: 4096, FuzzEcho())
        case "/p": return .streaming(maxBodyBytes: 4096, FuzzProducer())
        default: return .respond(HTTPResponse(status: 404))
        }
    }

    func responded(_ record: HTTPExchangeRecord) { records.append(record) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConnection(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: data, count: size)
    var config = ServerConfiguration()
    config.headerTimeoutMs = 100
    config.bodyTimeoutMs = 200
    config.minBodyBytesPerSecond = 50
    config.bodyRateGraceMs = 150
    config.idleTimeoutMs = 300
    config.writeTimeoutMs = 250
    config.maxRequestsPerConnection = 5
    config.maxBodyBytes = 512
    config.maxRequestLineBytes = 128
    config.maxHeaderBytes = 256
    config.streamSliceBytes = 1024
    let env = FuzzEnvironment()
    let app = FuzzApp()
    var machine = ConnectionStateMachine(config: config, handler: app, remoteAddress: "fuzz", env: env, now: 0)
    var a = ConnectionActions(read: true, deadline: Int64(config.idleTimeoutMs) * 1_000_000)
    var i = 0
    func next() -> Int {
        guard i < input.count else { return 0 }
        defer { i += 1 }
        return Int(input[i])
    }
    while i < input.count && !a.close {
        let op = next() % 8
        switch op {
        case 0, 1:  // the client sends up to 64 bytes
            let n = min(next() % 64 + 1, input.count - i)
            let bytes = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[i..<(i + n)]))
            a = machine.received(bytes, now: env.now)
            i += n
        case 2:  // the client takes some of the output
            let n = min(machine.pendingOutput, next() * 64 + 1)
            a = n > 0 ? machine.wrote(n, now: env.now) : machine.writeWouldBlock(now: env.now)
        case 3:
            a = machine.writeWouldBlock(now: env.now)
        case 4:  // time passes; the timer fires at or after the deadline
            let step = Int64(next() * 4 + 1) * 1_000_000
            env.now = max(env.now + step, a.deadline ?? env.now)
            a = machine.timerFired(now: env.now)
            precondition(a.close || a.deadline == nil || a.deadline! > env.now,
                         "a deadline at or before now remains")
        case 5:
            a = machine.peerClosed(now: env.now)
        case 6:
            a = next() % 4 == 0
                ? machine.startDrain(deadline: env.now + 400_000_000, now: env.now) : machine.resume(now: env.now)
        default:
            a = machine.readWouldBlock(now: env.now)
        }
        precondition(a.close == machine.isClosed, "close action and state disagree")
        precondition(a.close || a.deadline != nil || a.write || a.resume, "waiting with no deadline")
    }
    // Whatever happened, the clock passing every deadline ends the connection.
    var guardSteps = 0
    while !a.close {
        guardSteps += 1
        precondition(guardSteps < 10_000, "the connection never ends")
        if a.write { a = machine.wrote(machine.pendingOutput, now: env.now); continue }
        if a.resume { a = machine.resume(now: env.now); continue }
        env.now = max(env.now + 1_000_000, a.deadline ?? env.now)
        a = machine.timerFired(now: env.now)
    }
    for r in app.records { precondition((200...599).contains(r.status), "status \(r.status)") }
    // One report per request head at most, plus one for a head that could not be parsed (then it closed).
    precondition(app.records.count <= machine.requestsServed + 1, "more reports than requests")
    return 0
}
