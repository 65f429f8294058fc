import HTTPServer
import JSON
import PROSRules
import PROSWire

#if canImport(Glibc)
    import Glibc
#endif

/// The service's settings. Precedence: command-line flags, then `PROS_PRICER_*` environment variables
/// (and `PORT`), then `config/server.json`, then these defaults.
public struct ServiceConfiguration: Sendable {
    public var server = ServerConfiguration()
    /// The config folder (rules/, rates/, server.json); nil: the built-in copy.
    public var configDirectory: String?
    /// Body limit of `POST /v1/claims/price`, and of one batch line.
    public var maxPriceBodyBytes = 1 << 20
    /// Body limit of `POST /v1/claims/price/batch` (inflated); NDJSON is streamed, so this is a sanity cap.
    public var maxBatchBodyBytes = 1 << 30
    /// Body limit of a JSON-array batch (inflated); streamed like NDJSON, so this too is a sanity cap.
    public var maxBatchArrayBytes = 64 << 20
    /// A CSV billing export (`text/csv`), grouped in memory whole.
    public var maxCsvBytes = 256 << 20
    /// Peers whose `X-Forwarded-For` is believed for the access log's client address.
    public var trustedProxies: [String] = []
    /// API keys; empty means open (as behind an authenticating proxy).
    public var apiKeys: [String] = []
    public var accessLog = true
    /// Log lines waiting for a slow log destination, in bytes; beyond it lines are dropped and counted.
    public var logBufferBytes = JSONLog.defaultMaxBufferedBytes
    /// How often `serve` polls the config folder's content and reloads (as SIGHUP does) when it changed; 0: never.
    public var configWatchMs = 10_000

    public init() {}

    /// A bad setting: its key and why.
    public struct Invalid: Error, CustomStringConvertible {
        public let key: String
        public let reason: String
        public var description: String { "\(key): \(reason)" }
    }

    // immutable key paths
    nonisolated(unsafe) static let intKeys: [(String, WritableKeyPath<ServiceConfiguration, Int>)] = [
        ("port", \.server.port), ("threads", \.server.threads), ("listenBacklog", \.server.listenBacklog),
        ("maxConnections", \.server.maxConnections), ("maxRequestLineBytes", \.server.maxRequestLineBytes),
        ("maxHeaderBytes", \.server.maxHeaderBytes), ("maxHeaderCount", \.server.maxHeaderCount),
        ("maxRequestsPerConnection", \.server.maxRequestsPerConnection), ("headerTimeoutMs", \.server.headerTimeoutMs),
        ("bodyTimeoutMs", \.server.bodyTimeoutMs), ("minBodyBytesPerSecond", \.server.minBodyBytesPerSecond),
        ("bodyRateGraceMs", \.server.bodyRateGraceMs), ("idleTimeoutMs", \.server.idleTimeoutMs),
        ("writeTimeoutMs", \.server.writeTimeoutMs),
        ("shutdownGraceMs", \.server.shutdownGraceMs), ("gzipMinBytes", \.server.gzipMinBytes),
        ("streamSliceBytes", \.server.streamSliceBytes),
        ("maxPriceBodyBytes", \.maxPriceBodyBytes), ("maxBatchBodyBytes", \.maxBatchBodyBytes),
        ("maxBatchArrayBytes", \.maxBatchArrayBytes),
        ("maxCsvBytes", \.maxCsvBytes),
        ("logBufferBytes", \.logBufferBytes), ("configWatchMs", \.configWatchMs),
    ]

    mutating func set(_ key: String, _ value: String, source: String) throws(Invalid) {
        if let (_, path) = Self.intKeys.first(where: { $0.0 == key }) {
            guard let n = Int(value), n >= 0, key != "port" || n <= 65535 else {
                throw Invalid(
                    key: source, reason: "must be a non-negative integer\(key == "port" ? " up to 65535" : "")")
            }
            self[keyPath: path] = n
            return
        }
        switch key {
        case "host": server.host = value
        case "trustedProxies":
            trustedProxies = value.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        case "apiKeys": apiKeys = value.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        case "pinThreads":
            guard let mode = ThreadPinning(rawValue: value) else {
                throw Invalid(key: source, reason: "must be auto, true or false")
            }
            server.pinThreads = mode
        case "accessLog":
            guard value == "true" || value == "false" else {
                throw Invalid(key: source, reason: "must be true or false")
            }
            accessLog = value == "true"
        default: throw Invalid(key: source, reason: "is not a setting")
        }
    }

    /// Loads `server.json` from the config folder, then the environment, then flags.
    public static func load(configDirectory: String?, environment: [String: String], flags: [String: String])
        throws(Invalid) -> ServiceConfiguration
    {
        var c = ServiceConfiguration()
        c.configDirectory = flags["config"] ?? environment["PROS_PRICER_CONFIG"] ?? configDirectory
        if let dir = c.configDirectory, let bytes = try? Files.read(dir + "/server.json") {
            let doc: JSONValue
            do { doc = try JSONValue.parse(bytes) } catch {
                throw Invalid(key: "server.json", reason: "invalid JSON at byte \(error.offset): \(error.reason)")
            }
            guard case .object(let members) = doc else {
                throw Invalid(key: "server.json", reason: "must be an object")
            }
            for (k, v) in members {
                let text: String
                switch v {
                case .string(let s): text = s
                case .number(let n): text = n
                case .bool(let b): text = b ? "true" : "false"
                case .array(let items):
                    text = items.compactMap { if case .string(let s) = $0 { s } else { nil } }.joined(separator: ",")
                default: throw Invalid(key: "server.json: /\(k)", reason: "unsupported value")
                }
                try c.set(k, text, source: "server.json: /\(k)")
            }
        }
        if let p = environment["PORT"] { try c.set("port", p, source: "PORT") }
        for (k, _) in intKeys + [
            ("host", \.server.port), ("trustedProxies", \.server.port), ("apiKeys", \.server.port),
            ("accessLog", \.server.port), ("pinThreads", \.server.port),
        ] {
            let env = "PROS_PRICER_" + upperSnake(k)
            if let v = environment[env] { try c.set(k, v, source: env) }
        }
        if let file = environment["PROS_PRICER_API_KEYS_FILE"] {
            guard let bytes = try? Files.read(file) else {
                throw Invalid(key: "PROS_PRICER_API_KEYS_FILE", reason: "cannot read \(file)")
            }
            let keys = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "," })
                .map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
            // A key file that is there but empty (a Secret created from the wrong file) must not open /v1/.
            guard !keys.isEmpty else { throw Invalid(key: "PROS_PRICER_API_KEYS_FILE", reason: "\(file) holds no key") }
            c.apiKeys += keys
        }
        if let h = flags["host"] { try c.set("host", h, source: "--host") }
        if let p = flags["port"] { try c.set("port", p, source: "--port") }
        return c
    }

    static func upperSnake(_ k: String) -> String {
        var out = ""
        for ch in k { if ch.isUppercase { out += "_" }; out += ch.uppercased() }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}

public func currentEnvironment() -> [String: String] {
    var env: [String: String] = [:]
    var p = environ
    while let entry = p.pointee {
        let s = String(cString: entry)
        if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
        p += 1
    }
    return env
}
