import CCurl
import Foundation
import HTTPServer
import JSON
import Logging
import PROSRules
import PROSService
import PROSWire
import Testing

/// A libcurl easy handle: a real HTTP client that keeps its connection between requests.
final class Curl {
    let handle: UnsafeMutableRawPointer
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    init() { handle = curl_easy_init() }
    deinit { curl_easy_cleanup(handle) }

    final class Sink {
        var body: [UInt8] = []
        var headers: [String: String] = [:]
        var upload: [UInt8] = []
        var uploadOffset = 0
    }

    func request(
        _ method: String, _ url: String, headers: [String] = [], body: [UInt8]? = nil, chunked: Bool = false,
        acceptGzip: Bool = false
    ) -> Reply {
        curl_easy_reset(handle)
        let sink = Sink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        url.withCString { _ = CCurl_setopt_ptr(handle, CURLOPT_URL, $0) }
        _ = CCurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 10_000)
        _ = CCurl_setopt_ptr(handle, CURLOPT_WRITEDATA, box.toOpaque())
        _ = CCurl_setopt_write(handle) { ptr, size, n, ud in
            let s = Unmanaged<Sink>.fromOpaque(ud!).takeUnretainedValue()
            s.body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: size * n))
            return size * n
        }
        _ = CCurl_setopt_ptr(handle, CURLOPT_HEADERDATA, box.toOpaque())
        _ = CCurl_setopt_header(handle) { ptr, size, n, ud in
            let s = Unmanaged<Sink>.fromOpaque(ud!).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: size * n), as: UTF8.self)
            if let colon = line.firstIndex(of: ":") {
                s.headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                    in: .whitespacesAndNewlines)
            }
            return size * n
        }
        if acceptGzip { "gzip".withCString { _ = CCurl_setopt_ptr(handle, CURLOPT_ACCEPT_ENCODING, $0) } }
        method.withCString { _ = CCurl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, $0) }
        if method == "HEAD" { _ = CCurl_setopt_long(handle, CURLOPT_NOBODY, 1) }
        if let body {
            sink.upload = body
            _ = CCurl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            _ = CCurl_setopt_ptr(handle, CURLOPT_READDATA, box.toOpaque())
            _ = CCurl_setopt_read(handle) { ptr, size, n, ud in
                let s = Unmanaged<Sink>.fromOpaque(ud!).takeUnretainedValue()
                let count = min(size * n, s.upload.count - s.uploadOffset, 7000)
                s.upload.withUnsafeBytes { src in
                    UnsafeMutableRawPointer(ptr!).copyMemory(from: src.baseAddress! + s.uploadOffset, byteCount: count)
                }
                s.uploadOffset += count
                return count
            }
            if !chunked { _ = CCurl_setopt_long(handle, CURLOPT_INFILESIZE, body.count) }
        }
        let status = perform(headers: chunked ? headers + ["Transfer-Encoding: chunked"] : headers)
        return Reply(status: status, headers: sink.headers, body: sink.body)
    }

    /// Sends the request set up on the handle with these header lines; the status, or minus curl's error code.
    func perform(headers: [String]) -> Int {
        var list: UnsafeMutablePointer<curl_slist>?
        for h in headers { list = curl_slist_append(list, h) }
        _ = CCurl_setopt_ptr(handle, CURLOPT_HTTPHEADER, list)
        defer { curl_slist_free_all(list) }
        let rc = curl_easy_perform(handle)
        var status = 0
        _ = CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return rc == CURLE_OK ? status : -Int(rc.rawValue)
    }

    final class StreamSink {
        let block: [UInt8]
        var remaining: Int
        var offset = 0
        var tail: [UInt8] = []
        var lines = 0
        var errorLines = 0
        /// The upload's first bytes, before the blocks, and its last, after them.
        var prefix: [UInt8] = []
        var suffix: [UInt8] = []
        /// `{"line":` seen in the answer so far (items of a JSON-array answer), and the bytes of it matched.
        var items = 0
        var matched = 0
        var lastByte: UInt8 = 0
        init(block: [UInt8], repeats: Int) { self.block = block; remaining = repeats }
    }

    /// Uploads `block` `repeats` times, chunked, without holding it all; counts the NDJSON answer's lines as they stream back.
    func streamUpload(
        _ url: String, headers: [String], block: [UInt8], repeats: Int,
        suffix: [UInt8] = []
    ) -> (status: Int, lines: Int, errorLines: Int) {
        let r = streamUploadCounting(url, headers: headers, block: block, repeats: repeats, suffix: suffix)
        return (r.status, r.lines, r.errorLines)
    }

    /// `streamUpload`, also counting the items of a JSON-array answer and giving its last byte.
    func streamUploadCounting(
        _ url: String, headers: [String], prefix: [UInt8] = [], block: [UInt8], repeats: Int,
        suffix: [UInt8] = []
    )
        -> (status: Int, lines: Int, errorLines: Int, items: Int, lastByte: UInt8)
    {
        curl_easy_reset(handle)
        let sink = StreamSink(block: block, repeats: repeats)
        sink.prefix = prefix
        sink.suffix = suffix
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        url.withCString { _ = CCurl_setopt_ptr(handle, CURLOPT_URL, $0) }
        _ = CCurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 300_000)
        "POST".withCString { _ = CCurl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, $0) }
        _ = CCurl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        _ = CCurl_setopt_ptr(handle, CURLOPT_READDATA, box.toOpaque())
        _ = CCurl_setopt_read(handle) { ptr, size, n, ud in
            let s = Unmanaged<StreamSink>.fromOpaque(ud!).takeUnretainedValue()
            if !s.prefix.isEmpty {
                let count = min(size * n, s.prefix.count)
                s.prefix.withUnsafeBytes {
                    UnsafeMutableRawPointer(ptr!).copyMemory(from: $0.baseAddress!, byteCount: count)
                }
                s.prefix.removeFirst(count)
                return count
            }
            guard s.remaining > 0 else {
                let count = min(size * n, s.suffix.count)
                s.suffix.withUnsafeBytes {
                    UnsafeMutableRawPointer(ptr!).copyMemory(from: $0.baseAddress!, byteCount: count)
                }
                s.suffix.removeFirst(count)
                return count
            }
            let count = min(size * n, s.block.count - s.offset)
            s.block.withUnsafeBytes {
                UnsafeMutableRawPointer(ptr!).copyMemory(from: $0.baseAddress! + s.offset, byteCount: count)
            }
            s.offset += count
            if s.offset == s.block.count { s.offset = 0; s.remaining -= 1 }
            return count
        }
        _ = CCurl_setopt_ptr(handle, CURLOPT_WRITEDATA, box.toOpaque())
        _ = CCurl_setopt_write(handle) { ptr, size, n, ud in
            let s = Unmanaged<StreamSink>.fromOpaque(ud!).takeUnretainedValue()
            let needle = Array(#"{"line":"#.utf8)
            for byte in UnsafeRawBufferPointer(start: ptr, count: size * n) {
                s.lastByte = byte
                if byte == needle[s.matched] {
                    s.matched += 1
                    if s.matched == needle.count { s.items += 1; s.matched = 0 }
                } else {
                    s.matched = byte == needle[0] ? 1 : 0
                }
                if byte == 0x0A {
                    s.lines += 1
                    if String(decoding: s.tail.prefix(40), as: UTF8.self).contains(#","error":"#) { s.errorLines += 1 }
                    s.tail.removeAll(keepingCapacity: true)
                } else if s.tail.count < 40 {
                    s.tail.append(byte)
                }
            }
            return size * n
        }
        let status = perform(headers: headers + ["Transfer-Encoding: chunked"])
        return (status, sink.lines, sink.errorLines, sink.items, sink.lastByte)
    }

    /// New connections opened by the last transfer (0 when it reused one).
    var newConnections: Int {
        var n = 0
        _ = CCurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &n)
        return n
    }
}

/// The service on an ephemeral port, with logs captured to a file.
final class LiveService {
    let server: HTTPServer
    let service: PricingService
    let logPath: String
    let logFd: Int32
    /// Where the service's logger writes (swift-log, through `JSONLogHandler`).
    let output: JSONLog
    var base: String { "http://127.0.0.1:\(server.port)" }

    init(log: JSONLog? = nil, _ configure: (inout ServiceConfiguration) -> Void = { _ in }) throws {
        var config = ServiceConfiguration()
        config.server.host = "127.0.0.1"
        config.server.port = 0
        config.server.threads = 2
        configure(&config)
        logPath = NSTemporaryDirectory() + "pros-log-\(UUID().uuidString)"
        logFd = open(logPath, O_CREAT | O_WRONLY | O_APPEND, 0o600)
        output = log ?? JSONLog(fd: logFd)
        service = PricingService(config: config, book: RuleBook.builtIn(), logger: .json(output))
        server = try HTTPServer(config: config.server, handler: service)
        service.attach(server)
        server.start()
    }

    func stop() {
        server.shutdown()
        server.wait()
        output.shutdown()
        close(logFd)
    }

    var log: String {
        output.flush()
        return (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}

/// Open file descriptors of this process.
func openFDs() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1 }

/// A TCP socket connected to 127.0.0.1:port.
func connectLoopback(port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    return fd
}

/// A raw TCP exchange, for what libcurl will not send (pipelining, malformed requests, slow clients).
func rawExchange(port: Int, _ send: [UInt8], waitMs: Int = 2000, pauseAfterSendMs: Int = 0) -> String {
    let fd = connectLoopback(port: port)
    defer { close(fd) }
    var tv = timeval(tv_sec: waitMs / 1000, tv_usec: Int((waitMs % 1000) * 1000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    _ = send.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    if pauseAfterSendMs > 0 { usleep(UInt32(pauseAfterSendMs * 1000)) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buf, buf.count, 0)
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
}

/// Everything the peer sends until it closes (or `waitMs` passes without a byte).
func readUntilClosed(_ fd: Int32, waitMs: Int) -> String {
    var tv = timeval(tv_sec: waitMs / 1000, tv_usec: Int((waitMs % 1000) * 1000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buf, buf.count, 0)
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
func fixtureRequest(_ name: String) throws -> [UInt8] {
    let doc = try JSONValue.parse(
        Array(try Data(contentsOf: root.appendingPathComponent("Tests/PROSRulesTests/Fixtures/seed-\(name).json"))))
    var w = JSONWriter()
    w.value(doc["request"]!)
    return w.bytes
}

/// Every suite that runs live servers, one test at a time: they count this process's file descriptors and memory.
@Suite(.serialized) enum LiveTests {}
