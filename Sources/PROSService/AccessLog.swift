import JSON
import Logging
import PROSRules
import PROSWire

#if canImport(Glibc)
    import Glibc
#endif

/// swift-log's `LogHandler` for this service: each event one JSON line on a `JSONLog`
/// (`{"ts", "level", "msg", then the metadata, keys sorted}`); integer metadata
/// (`.stringConvertible(Int)`) are written as JSON numbers. Lines carry request ids, never a body or
/// a member id.
public struct JSONLogHandler: LogHandler {
    public let output: JSONLog
    public var metadata: Logging.Logger.Metadata = [:]
    public var logLevel: Logging.Logger.Level = .info

    public init(output: JSONLog, logLevel: Logging.Logger.Level = .info) {
        self.output = output
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logging.Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let more = event.metadata { all.merge(more) { $1 } }
        output.write(level: Self.name(event.level), message: event.message.description, metadata: all)
    }

    /// The level names of the line format (`warn`, not `warning`, as before swift-log).
    static func name(_ level: Logging.Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warn"
        case .error: "error"
        case .critical: "critical"
        }
    }
}

extension Logging.Logger {
    /// A logger writing JSON lines to `output`.
    public static func json(_ output: JSONLog, label: String = "pros-pricer") -> Logging.Logger {
        Logging.Logger(label: label) { _ in JSONLogHandler(output: output) }
    }
}

/// Structured JSON logs, one line each, to a file descriptor (stderr by default): the output behind
/// `JSONLogHandler`.
///
/// Lines go through a `LogSink`: an event loop only copies its line into a bounded buffer, and one
/// writer thread writes the buffer out in batches. A slow or stuck log destination (a full pipe to a
/// log shipper) therefore never stalls request handling: past `maxBufferedBytes` lines are dropped,
/// counted (`pros_log_lines_dropped_total`) and reported in the next line written.
public struct JSONLog: Sendable {
    public let fd: Int32
    public let enabled: Bool
    let sink: LogSink?

    public static let defaultMaxBufferedBytes = 4 << 20

    public init(fd: Int32 = 2, enabled: Bool = true, maxBufferedBytes: Int = JSONLog.defaultMaxBufferedBytes) {
        self.fd = fd
        self.enabled = enabled
        sink = enabled ? LogSink(fd: fd, maxBufferedBytes: maxBufferedBytes) : nil
    }

    /// One line from a swift-log event.
    func write(level: String, message: String, metadata: Logging.Logger.Metadata) {
        guard let sink else { return }
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.field("ts", Self.timestamp())
        w.field("level", level)
        w.field("msg", message)
        for key in metadata.keys.sorted() {
            w.key(dynamic: key)
            Self.write(metadata[key]!, to: &w)
        }
        w.endObject()
        w.appendByte(0x0A)
        w.withBytes { sink.append($0) }  // whole lines only: they never interleave
    }

    static func write(_ value: Logging.Logger.MetadataValue, to w: inout JSONWriter) {
        switch value {
        case .string(let s): w.string(s)
        case .stringConvertible(let v):
            if let n = v as? Int { w.int(n) } else { w.string(v.description) }
        case .array(let items):
            w.beginArray()
            for item in items { write(item, to: &w) }
            w.endArray()
        case .dictionary(let members):
            w.beginObject()
            for key in members.keys.sorted() {
                w.key(dynamic: key)
                write(members[key]!, to: &w)
            }
            w.endObject()
        }
    }

    /// One log line, a JSON object and a newline, handed to `body` without a copy.
    static func withLine(
        _ level: String, _ message: String, _ fields: [(String, String)], numbers: [(String, Int)],
        _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.field("ts", timestamp())
        w.field("level", level)
        w.field("msg", message)
        for (k, v) in fields { w.key(dynamic: k); w.string(v) }
        for (k, v) in numbers { w.key(dynamic: k); w.int(v) }
        w.endObject()
        w.appendByte(0x0A)
        w.withBytes(body)
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        var buf = [CChar](repeating: 0, count: 32)
        let n = strftime(&buf, buf.count, "%Y-%m-%dT%H:%M:%S", &tm)
        let ms = Int(ts.tv_nsec / 1_000_000)
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) + "."
            + String(ms + 1000).dropFirst() + "Z"
    }

    /// Writes out every buffered line now.
    public func flush() { sink?.flush() }

    /// Writes out every buffered line and ends the writer thread; later lines are written directly.
    public func shutdown() { sink?.shutdown() }

    /// Lines dropped since start because the destination did not keep up.
    public var droppedLines: Int { sink?.droppedTotal ?? 0 }
}

/// A bounded line buffer and the one thread that writes it out.
// `pending`, `dropped`, `droppedCount`, `closed` only under `lock`; the fd written only under `writeLock`
final class LogSink: @unchecked Sendable {
    let fd: Int32
    let maxBufferedBytes: Int
    /// How long the writer gathers lines after the first one arrives: one write(2) per window.
    static let batchWindowUs: UInt32 = 10_000
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let writeLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let hasLines = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending: [UInt8] = []
    private var dropped = 0
    private var droppedCount = 0
    private var closed = false
    private var writer = pthread_t()

    init(fd: Int32, maxBufferedBytes: Int) {
        self.fd = fd
        self.maxBufferedBytes = maxBufferedBytes
        pthread_mutex_init(lock, nil)
        pthread_mutex_init(writeLock, nil)
        pthread_cond_init(hasLines, nil)
        let box = Unmanaged.passRetained(self).toOpaque()  // the thread holds the sink until it ends
        pthread_create(
            &writer, nil,
            { arg in
                let sink = Unmanaged<LogSink>.fromOpaque(arg!).takeRetainedValue()
                // Signals are never this thread's: `serve` takes SIGTERM, SIGINT and SIGHUP with sigwait, and a
                // logger may be made before it blocks them (a SIGHUP delivered here would end the process).
                var all = sigset_t()
                sigfillset(&all)
                pthread_sigmask(SIG_BLOCK, &all, nil)
                sink.run()
                return nil
            }, box)
    }

    var droppedTotal: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return droppedCount
    }

    func append(_ line: UnsafeBufferPointer<UInt8>) {
        pthread_mutex_lock(lock)
        if closed {
            pthread_mutex_unlock(lock)
            pthread_mutex_lock(writeLock)
            writeAll(UnsafeRawBufferPointer(line))
            pthread_mutex_unlock(writeLock)
            return
        }
        if pending.count + line.count > maxBufferedBytes {
            dropped += 1
            droppedCount += 1
        } else {
            let wasEmpty = pending.isEmpty
            pending.append(contentsOf: line)
            if wasEmpty { pthread_cond_signal(hasLines) }  // once per batch, not once per line
        }
        pthread_mutex_unlock(lock)
    }

    private func run() {
        pthread_mutex_lock(lock)
        while true {
            while pending.isEmpty && !closed { pthread_cond_wait(hasLines, lock) }
            if pending.isEmpty && closed { break }
            let closing = closed
            pthread_mutex_unlock(lock)
            if !closing { usleep(Self.batchWindowUs) }
            flush()
            pthread_mutex_lock(lock)
        }
        pthread_mutex_unlock(lock)
    }

    /// Takes what is buffered and writes it, in order with any other flush.
    func flush() {
        pthread_mutex_lock(writeLock)
        defer { pthread_mutex_unlock(writeLock) }
        pthread_mutex_lock(lock)
        var batch: [UInt8] = []
        swap(&batch, &pending)
        pending.reserveCapacity(min(batch.count, maxBufferedBytes))
        let lost = dropped
        dropped = 0
        pthread_mutex_unlock(lock)
        if lost > 0 {
            let message = "log lines dropped: the log destination did not keep up"
            JSONLog.withLine("warn", message, [], numbers: [("dropped", lost)]) {
                batch.append(contentsOf: $0)
            }
        }
        batch.withUnsafeBytes { writeAll($0) }
    }

    func shutdown() {
        pthread_mutex_lock(lock)
        let wasClosed = closed
        closed = true
        pthread_cond_signal(hasLines)
        pthread_mutex_unlock(lock)
        if !wasClosed { pthread_join(writer, nil) }
        flush()
    }

    /// write(2) until done; a destination that fails loses the rest of this batch, never the process.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }
}
