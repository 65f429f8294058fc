import JSON
import PROSRules
import PROSWire
import Synchronization

/// Prometheus metrics, kept by hand: a few counters and histograms under one lock. swift-metrics with
/// swift-prometheus would add two packages and a bootstrap for the same text output; see README.
public final class Metrics: Sendable {
    static let buckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]

    struct Histogram {
        var counts = [Int](repeating: 0, count: Metrics.buckets.count)
        var sum = 0.0
        var count = 0

        mutating func observe(_ seconds: Double) {
            for i in counts.indices where seconds <= Metrics.buckets[i] { counts[i] += 1 }
            sum += seconds
            count += 1
        }
    }

    struct RouteStatus {
        var route: String
        var status: Int
    }

    struct State {
        /// Latency by route and status; a histogram's count is that pair's request count. A list, not a
        /// dictionary: a request finds its pair by comparing statuses, then route templates (the same few
        /// strings each time, so compared by identity); a `String` key would be hashed whole every request.
        var requests: [(key: RouteStatus, histogram: Histogram)] = []
        var priced = 0
        var pricingErrors = 0
        /// Findings by code, in the order of `codes`: counted by position, as a finding-code key would hash
        /// its raw value's string for each finding of each month.
        var findings = [Int](repeating: 0, count: Metrics.codes.count)
        var reloads: [String: Int] = ["ok": 0, "error": 0]
    }

    static let codes = FindingCode.allCases
    let state = Mutex(State())
    let inFlight = Atomic<Int>(0)

    public init() {}

    public func requestStarted() { inFlight.add(1, ordering: .relaxed) }

    /// The handler answered (or the server did, for a routed request).
    public func requestEnded() { inFlight.subtract(1, ordering: .relaxed) }

    public func requestFinished(route: String, status: Int, seconds: Double) {
        state.withLock { s in
            if let i = s.requests.firstIndex(where: { $0.key.status == status && $0.key.route == route }) {
                s.requests[i].histogram.observe(seconds)  // in place: no copy of the buckets
            } else {
                var h = Histogram()
                h.observe(seconds)
                s.requests.append((RouteStatus(route: route, status: status), h))
            }
        }
    }

    public func priced(_ result: Result<PricedClaim, Problem>) {
        state.withLock { s in
            switch result {
            case .success(let claim):
                s.priced += 1
                for f in claim.findings { if let i = Self.codes.firstIndex(of: f.code) { s.findings[i] += 1 } }
            case .failure: s.pricingErrors += 1
            }
        }
    }

    /// A member-month refused (a CSV export's row errors), counted as a pricing error.
    public func refused() { state.withLock { $0.pricingErrors += 1 } }

    public func reloaded(ok: Bool) { state.withLock { $0.reloads[ok ? "ok" : "error", default: 0] += 1 } }

    public func render(openConnections: Int, droppedLogLines: Int = 0) -> String {
        let s = state.withLock { $0 }
        var out =
            "# HELP pros_http_requests_total HTTP requests by route template and status.\n"
            + "# TYPE pros_http_requests_total counter\n"
        let series = s.requests.sorted(by: { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) })
        for (key, h) in series {
            out += "pros_http_requests_total{route=\"\(key.route)\",status=\"\(key.status)\"} \(h.count)\n"
        }
        out +=
            "# HELP pros_http_request_duration_seconds Request latency by route template and status.\n"
            + "# TYPE pros_http_request_duration_seconds histogram\n"
        for (key, h) in series {
            let labels = "route=\"\(key.route)\",status=\"\(key.status)\""
            for (i, b) in Self.buckets.enumerated() {
                out += "pros_http_request_duration_seconds_bucket{\(labels),le=\"\(b)\"} \(h.counts[i])\n"
            }
            out += "pros_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(h.count)\n"
            out += "pros_http_request_duration_seconds_sum{\(labels)} \(h.sum)\n"
            out += "pros_http_request_duration_seconds_count{\(labels)} \(h.count)\n"
        }
        out +=
            "# HELP pros_http_requests_in_flight Requests being handled.\n"
            + "# TYPE pros_http_requests_in_flight gauge\n"
            + "pros_http_requests_in_flight \(inFlight.load(ordering: .relaxed))\n"
        out +=
            "# HELP pros_http_open_connections Open client connections.\n"
            + "# TYPE pros_http_open_connections gauge\n"
            + "pros_http_open_connections \(openConnections)\n"
        out +=
            "# HELP pros_member_months_priced_total Member-months priced.\n"
            + "# TYPE pros_member_months_priced_total counter\n"
            + "pros_member_months_priced_total \(s.priced)\n"
        out +=
            "# HELP pros_member_months_rejected_total Member-months refused (400/422).\n"
            + "# TYPE pros_member_months_rejected_total counter\n"
            + "pros_member_months_rejected_total \(s.pricingErrors)\n"
        out += "# HELP pros_findings_total Findings by code.\n# TYPE pros_findings_total counter\n"
        for (code, n) in zip(Self.codes, s.findings) {
            out += "pros_findings_total{code=\"\(code.rawValue)\"} \(n)\n"
        }
        out += "# HELP pros_config_reloads_total Config reloads by outcome.\n# TYPE pros_config_reloads_total counter\n"
        for (k, n) in s.reloads.sorted(by: { $0.key < $1.key }) {
            out += "pros_config_reloads_total{result=\"\(k)\"} \(n)\n"
        }
        out +=
            "# HELP pros_log_lines_dropped_total Log lines dropped because the log destination did not keep up.\n"
            + "# TYPE pros_log_lines_dropped_total counter\n"
            + "pros_log_lines_dropped_total \(droppedLogLines)\n"
        return out
    }
}
