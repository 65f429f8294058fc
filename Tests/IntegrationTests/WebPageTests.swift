import Foundation
import Testing

/// `GET /`: the page for people who check claims, served from the copy compiled into the binary.
/// What the page does in a browser is scripts/web-check.py's (headless Chromium); this is the serving.
extension LiveTests {
    @Suite(.serialized) struct WebPageTests {
        static let files =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("web").path))?
            .sorted() ?? []

        func disk(_ name: String) throws -> [UInt8] {
            Array(try Data(contentsOf: root.appendingPathComponent("web/\(name)")))
        }

        @Test func everyFileOfTheWebFolderIsServedAsCommitted() throws {
            #expect(Set(Self.files).isSuperset(of: ["index.html", "app.js", "app.css"]))
            let s = try LiveService()
            defer { s.stop() }
            let c = Curl()
            for name in Self.files {
                let r = c.request("GET", s.base + "/" + name)
                let want = try disk(name)
                #expect(r.status == 200, "\(name)")
                let same = r.body == want  // (not in the expectation: it would print both files byte by byte)
                #expect(same, "\(name) differs from web/\(name): run scripts/embed-config.sh")
            }
            let page = c.request("GET", s.base + "/")
            let index = try disk("index.html")
            let sameIndex = page.body == index
            #expect(sameIndex)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(c.request("GET", s.base + "/app.js").headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(c.request("GET", s.base + "/app.css").headers["content-type"] == "text/css; charset=utf-8")
        }

        @Test func thePageMayLoadAndCallOnlyItsOwnOrigin() throws {
            let s = try LiveService()
            defer { s.stop() }
            let r = Curl().request("GET", s.base + "/")
            let csp = try #require(r.headers["content-security-policy"])
            for directive in [
                "default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
            ] {
                #expect(csp.contains(directive), "\(directive)")
            }
            #expect(!csp.contains("unsafe") && !csp.contains("*") && !csp.contains("http"))
            #expect(r.headers["x-content-type-options"] == "nosniff")
            // Nothing inline that such a policy would block, and no other origin named.
            let html = r.text
            #expect(!html.contains("<style") && !html.contains(" style=") && !html.contains(" onclick="))
            #expect(html.components(separatedBy: "<script").count == 2 && html.contains(#"<script src="/app.js""#))
            for name in Self.files {
                let text = String(decoding: try disk(name), as: UTF8.self)
                    // a namespace name, never fetched
                    .replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
                #expect(!text.contains("http://") && !text.contains("https://"), "\(name) names another origin")
            }
        }

        @Test func thePageIsOpenWhileTheAPIWantsAKey() throws {
            let s = try LiveService { $0.apiKeys = ["k1"] }
            defer { s.stop() }
            let c = Curl()
            #expect(c.request("GET", s.base + "/").status == 200)
            #expect(c.request("GET", s.base + "/app.js").status == 200)
            #expect(
                c.request(
                    "POST", s.base + "/v1/claims/price", headers: ["Content-Type: application/json"],
                    body: try fixtureRequest("ashley")
                ).status == 401)
        }

        @Test func headPostGzipAndMetrics() throws {
            let s = try LiveService()
            defer { s.stop() }
            let c = Curl()
            let head = c.request("HEAD", s.base + "/")
            #expect(head.status == 200 && head.body.isEmpty)
            let size = try disk("index.html").count
            #expect(head.headers["content-length"] == String(size))
            let post = c.request(
                "POST", s.base + "/", headers: ["Content-Type: application/json"], body: Array("{}".utf8))
            #expect(post.status == 405 && post.headers["allow"] == "GET, HEAD")
            let zipped = c.request("GET", s.base + "/app.js", acceptGzip: true)
            let script = try disk("app.js")
            let inflated = zipped.body == script
            #expect(zipped.headers["content-encoding"] == "gzip" && inflated)
            #expect(c.request("GET", s.base + "/app.js.map").status == 404)
            let metrics = c.request("GET", s.base + "/metrics").text
            #expect(metrics.contains(#"pros_http_requests_total{route="/",status="200"} 1"#))
            #expect(metrics.contains(#"pros_http_requests_total{route="/app.js",status="200"} 1"#))
        }
    }
}
