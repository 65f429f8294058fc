import Testing

@testable import HTTPServer

/// RFC 9112 parsing: whole, split at every byte index, one byte at a time; limits at N and N + 1.
@Suite struct ParserTests {
    /// Header lookups: names without case, every field of a name in order, list elements trimmed of
    /// optional whitespace and lowercased, empty elements dropped (RFC 9110 §5.3, §5.6.1).
    @Test func headerFieldsAreLookedUpByNameWithoutCase() {
        let h = HTTPHeaders([
            ("Host", "a"), ("Connection", " Keep-Alive ,, \tUpgrade\t"), ("accept-encoding", "GZIP;q=0.5, br"),
            ("CONNECTION", "close"), ("X-Empty", ""), ("X-Spaces", " , "),
        ])
        #expect(h["connection"] == " Keep-Alive ,, \tUpgrade\t")
        #expect(h["HOST"] == "a" && h["missing"] == nil)
        #expect(h.contains("x-empty") && !h.contains("x-emptyy") && !h.contains("x-empt"))
        #expect(h.values("Connection") == [" Keep-Alive ,, \tUpgrade\t", "close"])
        #expect(h.tokens("connection") == ["keep-alive", "upgrade", "close"])
        #expect(h.tokens("Accept-Encoding") == ["gzip;q=0.5", "br"])
        #expect(h.tokens("x-empty").isEmpty && h.tokens("x-spaces").isEmpty && h.tokens("missing").isEmpty)
    }

    /// Field names compare ASCII letters without case and nothing else: other lengths, other bytes,
    /// the neighbours of the letter ranges and non-ASCII letters stay different.
    @Test(arguments: [
        ("Content-Type", "content-type", true), ("X-Request-ID", "x-request-id", true), ("", "", true),
        ("content-type", "content-typf", false), ("a", "ab", false), ("ab", "a", false),
        ("@", "`", false), ("[", "{", false), ("Z", "z", true), ("É", "é", false),
    ])
    func fieldNamesCompareWithoutASCIICase(a: String, b: String, equal: Bool) {
        #expect(equalsIgnoringCase(a, b) == equal)
        var headers = HTTPHeaders()
        headers.add(a, "v")
        #expect((headers[b] != nil) == equal)
    }

    enum Outcome: Equatable {
        case events([String])
        case error(Int)
    }

    /// Feeds `input` in the given pieces and renders the events (bodies joined per request).
    static func run(_ pieces: [[UInt8]], limits: HTTPParserLimits = HTTPParserLimits()) -> Outcome {
        var p = HTTPRequestParser(limits: limits)
        var out: [String] = []
        var body: [UInt8] = []
        do {
            for piece in pieces {
                p.append(piece)
                while let e = try p.next() {
                    switch e {
                    case .head(let h):
                        out.append(
                            "\(h.method) \(h.target) \(h.version.rawValue) \(h.headers.fields.map { $0.name + ": " + $0.value }.joined(separator: "|"))"
                        )
                    case .body(let b): body += b
                    case .end: out.append("body=" + String(decoding: body, as: UTF8.self)); body = []
                    }
                }
            }
        } catch { return .error(error.status) }
        return .events(out)
    }

    static func allSplits(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> Outcome {
        let bytes = Array(text.utf8)
        let whole = run([bytes], limits: limits)
        for i in 0...bytes.count {
            #expect(run([Array(bytes[..<i]), Array(bytes[i...])], limits: limits) == whole, "split at \(i)")
        }
        #expect(run(bytes.map { [$0] }, limits: limits) == whole, "byte at a time")
        return whole
    }

    @Test func aSimpleGet() {
        #expect(
            Self.allSplits("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
                == .events(["GET /healthz HTTP/1.1 Host: a", "body="]))
    }

    @Test func contentLengthBodyAndPipelinedRequests() {
        let two = "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /q HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(
            Self.allSplits(two)
                == .events([
                    "POST /p HTTP/1.1 Host: a|Content-Length: 5", "body=hello", "GET /q HTTP/1.1 Host: a", "body=",
                ]))
    }

    @Test func chunkedWithExtensionsAndTrailers() {
        let text =
            "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6 ; x=\"y\"\r\n world\r\n0\r\nTrailer: t\r\n\r\n"
        #expect(
            Self.allSplits(text)
                == .events(["POST /p HTTP/1.1 Host: a|Transfer-Encoding: chunked", "body=hello world"]))
    }

    @Test func duplicateHeadersAreKeptInOrder() {
        #expect(
            Self.allSplits("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nx: 2\r\n\r\n")
                == .events(["GET / HTTP/1.1 Host: a|X: 1|x: 2", "body="]))
    }

    @Test func http10NeedsNoHost() {
        #expect(Self.allSplits("GET / HTTP/1.0\r\n\r\n") == .events(["GET / HTTP/1.0 ", "body="]))
    }

    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n  folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX : a\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / FOO\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        // RFC 9112 §3.2: an invalid Host value is a 400 (issue 13 problem 5).
        ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a%2\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: []\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: [::1]:8x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: [a/b]\r\n\r\n", 400),
        ("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 400),
    ])
    func malformedRequestsAreTypedErrors(text: String, status: Int) {
        #expect(Self.allSplits(text) == .error(status))
    }

    @Test(arguments: [
        "a", "example.com:8080", "127.0.0.1", "[::1]", "[::1]:80", "a%20b", "a,b", "", "host:", "a%2F:80",
        "[::ffff:1.2.3.4]:8080",
    ])
    func validHostValuesAreAccepted(host: String) {
        #expect(Self.allSplits("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n") != .error(400))
    }

    /// RFC 9112 §7.1: chunk-size = 1*HEXDIG, leading zeros included (issue 13 problem 5).
    @Test func chunkSizesWithLeadingZerosAreAccepted() {
        let text =
            "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "00000000000000000005\r\nhello\r\n000000000000000000000\r\n\r\n"
        #expect(Self.allSplits(text) == .events(["POST /p HTTP/1.1 Host: a|Transfer-Encoding: chunked", "body=hello"]))
    }

    /// RFC 9112 §3.2.2: an absolute-form target is accepted; its path is what routes (issue 13 problem 5).
    @Test(arguments: [
        ("http://x/healthz", "/healthz"), ("HTTP://x:80/a/b?q=1", "/a/b"), ("http://x", "/"), ("http://x?q", "/"),
        ("/healthz?x=http://y/z", "/healthz"), ("*", "*"), ("/", "/"), ("/?", "/"),
        ("/v1/claims/price", "/v1/claims/price"),
        ("/a%3Fb?c?d", "/a%3Fb"), ("/é/ü?x", "/é/ü"),
    ])
    func theRoutedPathOfATarget(target: String, path: String) {
        guard case .events(let e) = Self.allSplits("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n") else {
            Issue.record("not parsed")
            return
        }
        #expect(e.first == "GET \(target) HTTP/1.1 Host: x")
        let head = HTTPRequestHead(method: "GET", target: target, version: .http11, headers: HTTPHeaders())
        #expect(head.path == path)
    }

    @Test(arguments: [(100, false), (101, true)])
    func requestLineLimit(length: Int, tooLong: Bool) {
        let target = "/" + String(repeating: "a", count: length - "GET  HTTP/1.1".count - 1)
        let text = "GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n"
        let r = Self.run([Array(text.utf8)], limits: HTTPParserLimits(maxRequestLineBytes: 100))
        #expect((r == .error(414)) == tooLong)
        // The limit holds before the line is complete, too: the whole line and its CR, no LF yet.
        let partial = Self.run(
            [Array("GET \(target) HTTP/1.1\r".utf8)], limits: HTTPParserLimits(maxRequestLineBytes: 100))
        #expect(partial == (tooLong ? .error(414) : .events([])))
    }

    @Test(arguments: [(3, false), (4, true)])
    func headerCountLimit(count: Int, tooMany: Bool) {
        let fields = (1..<count).map { "X\($0): v\r\n" }.joined()
        let r = Self.allSplits(
            "GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n", limits: HTTPParserLimits(maxHeaderCount: 3))
        #expect((r == .error(431)) == tooMany)
    }

    @Test(arguments: [(200, false), (201, true)])
    func headerSectionSizeLimit(size: Int, tooLarge: Bool) {
        // Field lines with their CRLFs, "Host: a\r\n" included.
        let filler = "X: " + String(repeating: "v", count: size - 9 - 5) + "\r\n"
        let r = Self.run(
            [Array("GET / HTTP/1.1\r\nHost: a\r\n\(filler)\r\n".utf8)], limits: HTTPParserLimits(maxHeaderBytes: 200))
        #expect((r == .error(431)) == tooLarge, "\(r)")
    }

    @Test func theParserNeverReadsPastTheCurrentRequestsBody() {
        var p = HTTPRequestParser()
        p.append(Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1\r\n".utf8))
        #expect(throws: Never.self) {
            _ = try p.next()
            #expect(try p.next() == .body(Array("ab".utf8)))
            #expect(try p.next() == .end)
            #expect(try p.next() == nil)
        }
        #expect(p.isInHead)
    }
}
