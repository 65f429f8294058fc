/// A request that cannot be parsed: the status to answer with (then close) and why.
public struct HTTPParseError: Error, Sendable, Equatable {
    public let status: Int
    public let reason: String
    public init(_ status: Int, _ reason: String) { self.status = status; self.reason = reason }
}

public enum HTTPParserEvent: Sendable, Equatable {
    /// A request's line and header section (also kept as `currentHead` until the request ends).
    case head(HTTPRequestHead)
    case body([UInt8])
    case end

}

/// The parser's limits (each a `ServerConfiguration` value).
public struct HTTPParserLimits: Sendable {
    public var maxRequestLineBytes: Int
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int

    public init(maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxHeaderCount: Int = 100) {
        self.maxRequestLineBytes = maxRequestLineBytes; self.maxHeaderBytes = maxHeaderBytes;
        self.maxHeaderCount = maxHeaderCount
    }

    public init(_ c: ServerConfiguration) {
        self.init(
            maxRequestLineBytes: c.maxRequestLineBytes, maxHeaderBytes: c.maxHeaderBytes,
            maxHeaderCount: c.maxHeaderCount)
    }
}

/// An incremental HTTP/1.1 request parser (RFC 9112): bytes and limits in, heads, body pieces and ends out,
/// or a typed error. It never touches a socket. Pipelined requests stay buffered until the current one ends.
public struct HTTPRequestParser {
    enum State {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(size: Int)
        case endPending
        case failed(HTTPParseError)
    }

    public let limits: HTTPParserLimits
    var buffer: [UInt8] = []
    var index = 0
    var scanFrom = 0
    var state = State.head
    /// The head of the request being read (for framing decisions by the caller).
    public private(set) var currentHead: HTTPRequestHead?
    /// Maximum bytes of one chunk-size line, extensions included.
    static let maxChunkLineBytes = 4096

    public init(limits: HTTPParserLimits = HTTPParserLimits()) { self.limits = limits }

    /// Bytes received but not yet returned as events.
    public var bufferedCount: Int { buffer.count - index }

    /// True between requests with nothing buffered.
    public var isIdle: Bool { if case .head = state { return bufferedCount == 0 } else { return false } }

    /// True while a request head is being received.
    public var isInHead: Bool { if case .head = state { return bufferedCount > 0 } else { return false } }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if index > 0 && index == buffer.count {
            buffer.removeAll(keepingCapacity: true); index = 0; scanFrom = 0
        } else if index > 4096 && index * 2 > buffer.count {
            buffer.removeSubrange(0..<index); scanFrom -= index; index = 0
        }
        buffer.append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    public mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPParserEvent? {
        do {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    mutating func step() throws(HTTPParseError) -> HTTPParserEvent? {
        switch state {
        case .failed(let e): throw e
        case .head: return try parseHead()
        case .endPending:
            finishRequest()
            return .end
        case .fixed(let remaining):
            return takeBody(remaining) { $0 == 0 ? .endPending : .fixed(remaining: $0) }
        case .chunkSize:
            guard
                let line = try takeLine(
                    limit: Self.maxChunkLineBytes, tooLong: HTTPParseError(400, "chunk size line too long"))
            else { return nil }
            let size = try parseChunkSize(line)
            state = size == 0 ? .trailers(size: 0) : .chunkData(remaining: size)
            return try step()
        case .chunkData(let remaining):
            return takeBody(remaining) { $0 == 0 ? .chunkDataEnd : .chunkData(remaining: $0) }
        case .chunkDataEnd:
            guard let line = try takeLine(limit: 2, tooLong: HTTPParseError(400, "chunk data longer than its size"))
            else { return nil }
            guard line.isEmpty else { throw HTTPParseError(400, "chunk data longer than its size") }
            state = .chunkSize
            return try step()
        case .trailers(let size):
            let room = limits.maxHeaderBytes - size
            guard
                let line = try takeLine(limit: max(room, 0), tooLong: HTTPParseError(431, "trailer section too large"))
            else { return nil }
            if line.isEmpty {
                finishRequest()
                return .end
            }
            if line.first == 0x20 || line.first == 0x09 {
                throw HTTPParseError(400, "obsolete line folding in a trailer")
            }
            guard let colon = line.firstIndex(of: 0x3A), colon > 0, isToken(line[..<colon]) else {
                throw HTTPParseError(400, "malformed trailer field")
            }
            state = .trailers(size: size + line.count + 2)
            return try step()
        }
    }

    /// Up to `remaining` buffered body bytes; `next` gives the state for what is left after them.
    mutating func takeBody(_ remaining: Int, next: (Int) -> State) -> HTTPParserEvent? {
        guard bufferedCount > 0 else { return nil }
        let n = min(remaining, bufferedCount)
        let piece = Array(buffer[index..<(index + n)])
        index += n
        state = next(remaining - n)
        return .body(piece)
    }

    mutating func finishRequest() {
        state = .head
        scanFrom = index
        currentHead = nil
    }

    /// Takes one line (without CRLF or LF) when complete; a bare CR inside is an error.
    mutating func takeLine(limit: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        let end = min(buffer.count, index + limit + 2)
        guard let lf = buffer[index..<end].firstIndex(of: 0x0A) else {
            if buffer.count - index > limit + 1 { throw tooLong }
            return nil
        }
        var lineEnd = lf
        if lineEnd > index && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        let line = buffer[index..<lineEnd]
        if line.contains(0x0D) { throw HTTPParseError(400, "bare CR in a line") }
        index = lf + 1
        return line
    }

    func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var size = 0, digits = 0
        var i = line.startIndex
        while i < line.endIndex, let d = hexValue(line[i]) {
            digits += 1
            // Leading zeros are allowed (RFC 9112 §7.1: chunk-size = 1*HEXDIG); only the value is bounded.
            guard size < 1 << 56 else { throw HTTPParseError(400, "chunk size too large") }
            size = size * 16 + d
            i += 1
        }
        guard digits > 0 else { throw HTTPParseError(400, "invalid chunk size") }
        while i < line.endIndex, line[i] == 0x20 || line[i] == 0x09 { i += 1 }  // BWS
        if i < line.endIndex {
            guard line[i] == 0x3B else { throw HTTPParseError(400, "invalid chunk size") }
            // Chunk extensions (RFC 9112 §7.1.1) are ignored; only their bytes are checked.
            for c in line[i...] where c < 0x20 && c != 0x09 || c == 0x7F {
                throw HTTPParseError(400, "invalid chunk extension")
            }
        }
        return size
    }

    mutating func parseHead() throws(HTTPParseError) -> HTTPParserEvent? {
        // RFC 9112 §2.2: ignore empty lines before the request line.
        while index < buffer.count, buffer[index] == 0x0D || buffer[index] == 0x0A {
            if buffer[index] == 0x0D && (index + 1 >= buffer.count) { return nil }
            if buffer[index] == 0x0D && buffer[index + 1] != 0x0A {
                throw HTTPParseError(400, "bare CR before the request line")
            }
            index += buffer[index] == 0x0D ? 2 : 1
        }
        if scanFrom < index { scanFrom = index }
        guard index < buffer.count else { return nil }

        // Find the end of the header section: an empty line.
        var end: Int?
        var i = max(scanFrom, index)
        while let lf = buffer[i...].firstIndex(of: 0x0A) {
            let next = lf + 1
            if next < buffer.count && buffer[next] == 0x0A { end = next + 1; break }
            if next + 1 < buffer.count && buffer[next] == 0x0D && buffer[next + 1] == 0x0A { end = next + 2; break }
            if next >= buffer.count || (buffer[next] == 0x0D && next + 1 >= buffer.count) { break }
            i = next
        }
        let firstLF = buffer[index...].firstIndex(of: 0x0A)
        let requestLineLength = (firstLF ?? buffer.count) - index
        if requestLineLength > limits.maxRequestLineBytes + 1 {
            throw HTTPParseError(414, "request line longer than \(limits.maxRequestLineBytes) bytes")
        }
        guard let headEnd = end else {
            // The same bound as a complete section below (fields plus the final CRLF), so a section is
            // judged the same however its bytes arrive (found by fuzzing: whole 400, bytewise 431).
            if let firstLF, buffer.count - firstLF - 1 > limits.maxHeaderBytes + 2 {
                throw HTTPParseError(431, "header section larger than \(limits.maxHeaderBytes) bytes")
            }
            scanFrom = max(index, buffer.count - 3)
            return nil
        }
        if let firstLF, headEnd - firstLF - 1 > limits.maxHeaderBytes + 2 {
            throw HTTPParseError(431, "header section larger than \(limits.maxHeaderBytes) bytes")
        }

        let headBytes = buffer[index..<headEnd]
        index = headEnd
        scanFrom = index
        let head = try Self.parseHeadBytes(headBytes, limits: limits)
        currentHead = head
        state = try Self.framing(head)
        if case .fixed(0) = state { state = .endPending }
        if case .head = state { state = .endPending }
        return .head(head)
    }

    static func parseHeadBytes(_ bytes: ArraySlice<UInt8>, limits: HTTPParserLimits) throws(HTTPParseError)
        -> HTTPRequestHead
    {
        try bytes.withUnsafeBufferPointer { u throws(HTTPParseError) in try parseHead(u, limits: limits) }
    }

    /// Parses a complete request line and header section (through its final empty line), in place.
    /// Checks run in a fixed order (bare CR anywhere, then the request line, then each field in turn),
    /// so a malformed head gets the same answer however it was received.
    static func parseHead(_ u: UnsafeBufferPointer<UInt8>, limits: HTTPParserLimits) throws(HTTPParseError)
        -> HTTPRequestHead
    {
        // Lines end at LF, a CR before it dropped; trailing empty lines do not count.
        var lines: [(start: Int, end: Int)] = []
        lines.reserveCapacity(16)
        var start = 0
        for j in 0..<u.count where u[j] == 0x0A {
            var e = j
            if e > start && u[e - 1] == 0x0D { e -= 1 }
            lines.append((start, e))
            start = j + 1
        }
        while let last = lines.last, last.start == last.end { lines.removeLast() }
        guard let requestLine = lines.first else { throw HTTPParseError(400, "empty request") }
        for line in lines {
            for k in line.start..<line.end where u[k] == 0x0D {
                throw HTTPParseError(400, "bare CR in the header section")
            }
        }
        func slice(_ a: Int, _ b: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: u[a..<b]) }
        func text(_ a: Int, _ b: Int) -> String { String(decoding: slice(a, b), as: UTF8.self) }

        // request-line = method SP request-target SP HTTP-version (RFC 9112 §3): exactly two spaces.
        var methodEnd = -1, targetEnd = -1, spaceCount = 0
        for k in requestLine.start..<requestLine.end where u[k] == 0x20 {
            spaceCount += 1
            if spaceCount == 1 { methodEnd = k } else if spaceCount == 2 { targetEnd = k } else { break }
        }
        guard spaceCount == 2 else { throw HTTPParseError(400, "malformed request line") }
        guard methodEnd > requestLine.start, targetEnd > methodEnd + 1, isToken(slice(requestLine.start, methodEnd))
        else {
            throw HTTPParseError(400, "malformed request line")
        }
        for k in (methodEnd + 1)..<targetEnd where u[k] <= 0x20 || u[k] == 0x7F {
            throw HTTPParseError(400, "invalid character in the request target")
        }
        let v = slice(targetEnd + 1, requestLine.end)
        let version: HTTPVersion
        if v.elementsEqual("HTTP/1.1".utf8) {
            version = .http11
        } else if v.elementsEqual("HTTP/1.0".utf8) {
            version = .http10
        } else {
            if v.count == 8, v.starts(with: "HTTP/".utf8), isDigit(v[5]), v[6] == 0x2E, isDigit(v[7]) {
                throw HTTPParseError(505, "HTTP version \(text(targetEnd + 1, requestLine.end)) is not supported")
            }
            throw HTTPParseError(400, "malformed HTTP version")
        }
        var headers = HTTPHeaders()
        headers.reserveCapacity(min(lines.count - 1, limits.maxHeaderCount + 1))
        for line in lines.dropFirst() {
            let first = line.start < line.end ? u[line.start] : nil
            if first == 0x20 || first == 0x09 {
                throw HTTPParseError(400, "obsolete line folding in the header section")
            }
            guard let colon = (line.start..<line.end).first(where: { u[$0] == 0x3A }), colon > line.start else {
                throw HTTPParseError(400, "header field without a name")
            }
            // RFC 9112 §5.1: no whitespace between the field name and the colon.
            guard isToken(slice(line.start, colon)) else { throw HTTPParseError(400, "invalid header field name") }
            var a = colon + 1, b = line.end
            while a < b && (u[a] == 0x20 || u[a] == 0x09) { a += 1 }
            while b > a && (u[b - 1] == 0x20 || u[b - 1] == 0x09) { b -= 1 }
            for k in a..<b where (u[k] < 0x20 && u[k] != 0x09) || u[k] == 0x7F {
                throw HTTPParseError(400, "invalid character in a header field value")
            }
            headers.add(text(line.start, colon), text(a, b))
            if headers.count > limits.maxHeaderCount {
                throw HTTPParseError(431, "more than \(limits.maxHeaderCount) header fields")
            }
        }
        let hosts = headers.values("host")
        if version == .http11 && hosts.count != 1 {
            throw HTTPParseError(400, "an HTTP/1.1 request needs exactly one Host header")
        }
        // RFC 9112 §3.2: a Host with an invalid value (or more than one, in HTTP/1.0 too) is a 400.
        if hosts.count > 1 || !(hosts.first.map(isValidHost) ?? true) {
            throw HTTPParseError(400, "invalid Host header")
        }
        return HTTPRequestHead(
            method: text(requestLine.start, methodEnd), target: text(methodEnd + 1, targetEnd),
            version: version, headers: headers)
    }

    /// RFC 9112 §6: how the body is framed.
    static func framing(_ head: HTTPRequestHead) throws(HTTPParseError) -> State {
        // The usual request: no Transfer-Encoding and at most one Content-Length of plain digits.
        var transferEncodings = 0, contentLengths = 0
        var contentLength: String?
        for f in head.headers.fields {
            if equalsIgnoringCase(f.name, "content-length") {
                contentLengths += 1; contentLength = f.value
            } else if equalsIgnoringCase(f.name, "transfer-encoding") {
                transferEncodings += 1
            }
        }
        if transferEncodings == 0 {
            if contentLengths == 0 { return .head }
            // The same test as an element of a list below, on the whole value.
            if contentLengths == 1, let value = contentLength, !value.isEmpty, value.utf8.count <= 18,
                value.utf8.allSatisfy(isDigit), let n = Int(value)
            {
                return .fixed(remaining: n)
            }
        }
        // Anything else, checked in full.
        let te = head.headers.values("transfer-encoding")
        let cl = head.headers.values("content-length")
        if !te.isEmpty {
            // §6.1: both framing headers at once is how requests are smuggled.
            if !cl.isEmpty { throw HTTPParseError(400, "both Transfer-Encoding and Content-Length") }
            if head.version == .http10 { throw HTTPParseError(400, "Transfer-Encoding in an HTTP/1.0 request") }
            let codings = head.headers.tokens("transfer-encoding")
            if let unknown = codings.first(where: { $0 != "chunked" }) {
                throw HTTPParseError(501, "transfer coding \(unknown) is not supported")
            }
            guard codings == ["chunked"] else { throw HTTPParseError(400, "chunked must be applied exactly once") }
            return .chunkSize
        }
        guard !cl.isEmpty else { return .head }
        var length: Int?
        for element in cl.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let t = trimOWS(element)
            guard !t.isEmpty, t.utf8.count <= 18, t.utf8.allSatisfy(isDigit), let n = Int(t) else {
                throw HTTPParseError(400, "invalid Content-Length")
            }
            if let l = length, l != n { throw HTTPParseError(400, "conflicting Content-Length values") }
            length = n
        }
        return .fixed(remaining: length!)
    }

    /// The declared body length, nil when chunked, 0 when there is no body.
    public var declaredBodyLength: Int? {
        switch state {
        case .fixed(let r): r
        case .endPending: 0
        default: nil
        }
    }
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

func hexValue(_ c: UInt8) -> Int? {
    switch c {
    case 0x30...0x39: Int(c - 0x30)
    case 0x41...0x46: Int(c - 0x41 + 10)
    case 0x61...0x66: Int(c - 0x61 + 10)
    default: nil
    }
}

/// RFC 9110 §5.6.2 tchar.
func isToken(_ bytes: some Collection<UInt8>) -> Bool {
    guard !bytes.isEmpty else { return false }
    for c in bytes {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: continue
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"),
            UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            continue
        default: return false
        }
    }
    return true
}

/// RFC 9110 §7.2 / RFC 3986 §3.2.2: `uri-host [ ":" port ]`, where `uri-host` is an IP literal in
/// brackets or a reg-name (unreserved, percent-encoded and sub-delims characters; IPv4 is one too).
func isValidHost(_ value: String) -> Bool {
    var value = value
    return value.withUTF8 { u in  // over the bytes: this runs every request
        var i = 0
        if u.first == UInt8(ascii: "[") {
            guard let close = u.firstIndex(of: UInt8(ascii: "]")), close > 1,
                u[1..<close].allSatisfy({ isHostByte($0) || $0 == UInt8(ascii: ":") })
            else { return false }
            i = close + 1
        } else {
            let end = u.firstIndex(of: UInt8(ascii: ":")) ?? u.count
            while i < end {
                if u[i] == UInt8(ascii: "%") {
                    guard i + 2 < end, hexValue(u[i + 1]) != nil, hexValue(u[i + 2]) != nil else { return false }
                    i += 3
                    continue
                }
                guard isHostByte(u[i]) else { return false }
                i += 1
            }
        }
        guard i < u.count else { return true }
        return u[i] == UInt8(ascii: ":") && u[(i + 1)...].allSatisfy(isDigit)
    }
}

/// unreserved / sub-delims (RFC 3986 §2.2, §2.3).
func isHostByte(_ c: UInt8) -> Bool {
    switch c {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
    case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
    case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
        UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
        UInt8(ascii: "="):
        true
    default: false
    }
}
