/// Header fields in arrival order, duplicates kept (RFC 9110 §5.3). Names compare case-insensitively.
public struct HTTPHeaders: Sendable, Sequence, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(String, String)] = []) { self.fields = fields.map { (name: $0.0, value: $0.1) } }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Room for `n` fields at once (a parsed head knows how many lines it has).
    public mutating func reserveCapacity(_ n: Int) { fields.reserveCapacity(n) }

    public mutating func replace(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) { fields.removeAll { equalsIgnoringCase($0.name, name) } }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// The position of the first field named `name` from `start` on. The lookups below walk the fields by
    /// position: through `first(where:)` or `for f in fields` each field's name and value were copied
    /// (retained and released), and a request asks after a dozen fields.
    func index(of name: String, from start: Int = 0) -> Int? {
        var i = start
        while i < fields.count {
            if equalsIgnoringCase(fields[i].name, name) { return i }
            i += 1
        }
        return nil
    }

    /// Every value of a field, in order.
    public func values(_ name: String) -> [String] {
        var out: [String] = []
        var i = index(of: name)
        while let at = i {
            out.append(fields[at].value)
            i = index(of: name, from: at + 1)
        }
        return out
    }

    /// The first value of a field.
    public subscript(name: String) -> String? { index(of: name).map { fields[$0].value } }

    public func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// Comma-separated list elements of every value of a field, without optional whitespace around them
    /// and ASCII-lowercased (tokens are ASCII: RFC 9110 §5.6.2); worked on bytes, not characters.
    public func tokens(_ name: String) -> [String] {
        var out: [String] = []
        var i = index(of: name)
        while let at = i {
            var value = fields[at].value
            value.withUTF8 { u in
                var start = 0
                while start < u.count {
                    var end = start
                    while end < u.count && u[end] != UInt8(ascii: ",") { end += 1 }
                    var a = start, b = end
                    while a < b && (u[a] == 0x20 || u[a] == 0x09) { a += 1 }
                    while b > a && (u[b - 1] == 0x20 || u[b - 1] == 0x09) { b -= 1 }
                    if a < b {
                        out.append(
                            String(unsafeUninitializedCapacity: b - a) { t in
                                for k in a..<b { t[k - a] = asciiLower(u[k]) }
                                return b - a
                            })
                    }
                    start = end + 1
                }
            }
            i = index(of: name, from: at + 1)
        }
        return out
    }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

public enum HTTPVersion: String, Sendable {
    case http10 = "HTTP/1.0"
    case http11 = "HTTP/1.1"
}

/// A request's line and header section.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request target as sent: origin-form (path and query) or absolute-form (RFC 9112 §3.2.2).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    /// The target's path: without the query, and without the scheme and authority of an absolute-form
    /// target (`http://host/healthz` is `/healthz`; RFC 9112 §3.2.2: a server MUST accept that form).
    public var path: Substring {
        // Origin-form, as nearly every request sends it: up to the query, looked for over the bytes (the
        // string view's own search costs about ten times more, and this runs a few times a request).
        var t = target
        let originEnd: Int? = t.withUTF8 { u in
            guard u.first == UInt8(ascii: "/") else { return nil }
            return u.firstIndex(of: UInt8(ascii: "?")) ?? u.count
        }
        if let n = originEnd { return target[..<target.utf8.index(target.utf8.startIndex, offsetBy: n)] }
        var rest = target[...]
        let u = target.utf8
        if u.first != UInt8(ascii: "/"), let colon = u.firstIndex(of: UInt8(ascii: ":")), colon > u.startIndex,
            u[..<colon].allSatisfy(isSchemeByte), u[u.index(after: colon)...].starts(with: "//".utf8)
        {
            let authority = target[u.index(colon, offsetBy: 3)...]
            let end = authority.utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }
            rest = end.map { authority[$0...] } ?? ""
            if rest.utf8.first != UInt8(ascii: "/") { return "/" }  // `http://host` and `http://host?q` name "/"
        }
        if let q = rest.utf8.firstIndex(of: UInt8(ascii: "?")) { return rest[..<q] }
        return rest
    }

    /// Whether the connection may stay open after this request (RFC 9112 §9.3).
    public var isKeepAlive: Bool {
        let tokens = headers.tokens("connection")
        if tokens.contains("close") { return false }
        return version == .http11 || tokens.contains("keep-alive")
    }
}

/// A request with its whole body (already inflated when it was sent gzip-encoded).
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// The peer's address.
    public var remoteAddress: String
}

/// A response with a body in memory.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.init(status: status, headers: HTTPHeaders([("Content-Type", contentType)]), body: body)
    }
}

public func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 100: "Continue"
    case 200: "OK"
    case 204: "No Content"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 408: "Request Timeout"
    case 411: "Length Required"
    case 413: "Content Too Large"
    case 414: "URI Too Long"
    case 415: "Unsupported Media Type"
    case 417: "Expectation Failed"
    case 422: "Unprocessable Content"
    case 431: "Request Header Fields Too Large"
    case 500: "Internal Server Error"
    case 501: "Not Implemented"
    case 503: "Service Unavailable"
    case 505: "HTTP Version Not Supported"
    default: "Status \(status)"
    }
}

func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
    // Names of another length (most of a head's fields) are told apart without reading a byte, and
    // the bytes are read in place: no copy of either string (`elementsEqual` over the two UTF-8 views
    // gives the same answers at five times the instructions per request).
    let x = a.utf8, y = b.utf8
    guard x.count == y.count else { return false }
    let inPlace = x.withContiguousStorageIfAvailable { x in
        y.withContiguousStorageIfAvailable { y in
            for i in 0..<x.count where x[i] != y[i] && asciiLower(x[i]) != asciiLower(y[i]) { return false }
            return true
        }
    }
    if let inPlace, let equal = inPlace { return equal }
    return zip(x, y).allSatisfy { $0 == $1 || asciiLower($0) == asciiLower($1) }
}

@inline(__always) func asciiLower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c + 32 : c }

/// Without leading and trailing spaces and tabs (optional whitespace, RFC 9110 §5.6.3); works on bytes.
func trimOWS(_ s: Substring) -> String {
    let u = s.utf8
    var start = u.startIndex, end = u.endIndex
    while start < end, u[start] == 0x20 || u[start] == 0x09 { start = u.index(after: start) }
    while end > start, u[u.index(before: end)] == 0x20 || u[u.index(before: end)] == 0x09 { end = u.index(before: end) }
    return String(Substring(u[start..<end]))
}

/// Whether `haystack` contains `needle` (both ASCII), ignoring case in `haystack`; `needle` is lowercase.
func asciiContainsLowercased(_ haystack: String, _ needle: StaticString) -> Bool {
    var h = haystack
    return h.withUTF8 { hb in
        needle.withUTF8Buffer { nb in
            guard nb.count <= hb.count else { return false }
            outer: for i in 0...(hb.count - nb.count) {
                for j in 0..<nb.count where asciiLower(hb[i + j]) != nb[j] { continue outer }
                return true
            }
            return false
        }
    }
}

/// ALPHA / DIGIT / "+" / "-" / "." (RFC 3986 §3.1).
func isSchemeByte(_ c: UInt8) -> Bool {
    switch c {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."): true
    default: false
    }
}
