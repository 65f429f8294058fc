#if canImport(Glibc)
import Glibc
#endif
import PROSRules

/// Structured JSON logs, one line each, to a file descriptor (stderr by default).
/// They carry request ids, never a body or a member id.
public struct Logger: Sendable {
    public let fd: Int32
    public let enabled: Bool

    public init(fd: Int32 = 2, enabled: Bool = true) { self.fd = fd; self.enabled = enabled }

    public func log(_ level: String, _ message: String, _ fields: [(String, String)] = [], numbers: [(String, Int)] = []) {
        guard enabled else { return }
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.field("ts", timestamp())
        w.field("level", level)
        w.field("msg", message)
        for (k, v) in fields { w.key(dynamic: k); w.string(v) }
        for (k, v) in numbers { w.key(dynamic: k); w.int(v) }
        w.endObject()
        w.appendByte(0x0A)
        _ = w.withBytes { write(fd, $0.baseAddress, $0.count) }  // one write: lines never interleave
    }

    func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        var buf = [CChar](repeating: 0, count: 32)
        let n = strftime(&buf, buf.count, "%Y-%m-%dT%H:%M:%S", &tm)
        let ms = Int(ts.tv_nsec / 1_000_000)
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) + "." + String(ms + 1000).dropFirst() + "Z"
    }
}
