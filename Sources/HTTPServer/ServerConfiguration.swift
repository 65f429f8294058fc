/// Every limit and timeout of the server, each with its default. Times are in milliseconds.
public struct ServerConfiguration: Sendable {
    public var host = "0.0.0.0"
    /// 0 picks an ephemeral port.
    public var port = 8080
    /// Event-loop threads; 0 means one per CPU this process may use (affinity mask and cgroup quota included).
    public var threads = 0
    /// Whether each event-loop thread is bound to one CPU of the process's affinity mask.
    public var pinThreads = ThreadPinning.auto
    public var listenBacklog = 1024
    /// Open connections beyond this get `503` with `Retry-After` and are closed.
    public var maxConnections = 10_000
    /// Request line, in bytes (`414` beyond).
    public var maxRequestLineBytes = 8 * 1024
    /// Header section (fields, not the request line), in bytes (`431` beyond).
    public var maxHeaderBytes = 16 * 1024
    /// Header fields per request (`431` beyond).
    public var maxHeaderCount = 100
    /// Default body limit when a route does not set its own (`413` beyond, answered before the body is read).
    public var maxBodyBytes = 1 << 20
    /// Requests served on one connection before it is closed (`Connection: close` on the last).
    public var maxRequestsPerConnection = 10_000
    /// From a request's first byte to the end of its header section (`408`).
    public var headerTimeoutMs = 10_000
    /// Longest wait between two reads of a request body (`408`).
    public var bodyTimeoutMs = 30_000
    /// The slowest a request body may arrive once `bodyRateGraceMs` has passed, in bytes per second
    /// (`408`); 0 turns the check off. A body trickled a byte at a time no longer holds its connection.
    public var minBodyBytesPerSecond = 1024
    /// Time a body gets before `minBodyBytesPerSecond` applies (and again after the server's own backpressure).
    public var bodyRateGraceMs = 10_000
    /// An idle keep-alive connection is closed after this; longer than a proxy's usual 60 s upstream keep-alive.
    public var idleTimeoutMs = 75_000
    /// Longest wait for a client to accept more response bytes before the connection is dropped.
    public var writeTimeoutMs = 30_000
    /// Graceful shutdown: in-flight requests get this long before connections are closed.
    public var shutdownGraceMs = 10_000
    /// Body bytes (inflated) a streaming handler is given per turn of its event loop: the other connections
    /// of the loop run between turns, so one large batch never stalls them for longer than pricing this
    /// much takes (about 0.5 ms of the usual 2.5-5 KB member-months, a few ms of tiny ones). At least 1024.
    /// 64 KiB, not less: at 16 KiB a 50-month batch took 16 turns and NDJSON batches lost a third of their
    /// throughput to the extra turns and writes (bench/http.sh: 53-64k against 85-93k member-months/s).
    public var streamSliceBytes = 64 * 1024
    /// Responses at least this large are gzip-compressed when the client accepts it.
    public var gzipMinBytes = 1024
    public var gzipLevel: Int32 = 5
    /// `Retry-After` seconds on `503`.
    public var retryAfterSeconds = 1

    public init() {}
}

/// Binding event-loop threads to CPUs. Bound loops never share a core by accident (the scheduler's
/// wake-up placement sometimes put both loops on one CPU for milliseconds: the p99 outliers of the
/// benchmark), but a bound loop cannot move away from a CPU that another busy process holds.
public enum ThreadPinning: String, Sendable {
    /// Bind only when the loops exactly cover the CPUs the process may use (a dedicated machine or a
    /// cpuset, as Kubernetes' static CPU manager gives); never under a bare CPU quota on a larger node.
    case auto
    case on = "true"
    case off = "false"
}
