import HTTPServer

/// The page for people who check claims (`GET /`): plain HTML, CSS and JavaScript kept in `web/` and
/// compiled in by `scripts/embed-config.sh` (`WebAssets.swift`), so the binary serves it from anywhere.
/// It loads nothing from elsewhere; the Content-Security-Policy lets it load and call only its own origin.
enum WebPage {
    /// Only this origin, for everything; no inline script or style, no plugins, no framing.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        + "frame-ancestors 'none'"

    static func contentType(_ name: String) -> String {
        if name.hasSuffix(".html") { return "text/html; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".svg") { return "image/svg+xml" }
        return "application/octet-stream"
    }

    /// The responses, built once.
    static let responses: [String: HTTPResponse] = {
        var out: [String: HTTPResponse] = [:]
        for file in WebAssets.files {
            var r = HTTPResponse(status: 200, contentType: contentType(file.name), body: Array(file.text.utf8))
            r.headers.add("Content-Security-Policy", contentSecurityPolicy)
            r.headers.add("X-Content-Type-Options", "nosniff")
            r.headers.add("Referrer-Policy", "no-referrer")
            r.headers.add("Cache-Control", "no-cache")
            out["/" + file.name] = r
            if file.name == "index.html" { out["/"] = r }
        }
        return out
    }()
}
