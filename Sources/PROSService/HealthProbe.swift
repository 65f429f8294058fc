#if canImport(Glibc)
    import Glibc
#endif

/// The address `pros-pricer healthcheck` probes for a service listening on `host`: loopback when it
/// listens on every address (`0.0.0.0`, `::`) or on `localhost`, else the address itself.
public func probeAddress(listeningOn host: String) -> String {
    switch host {
    case "", "0.0.0.0", "localhost": return "127.0.0.1"
    case "::", "[::]": return "::1"
    default: return host
    }
}

/// The container HEALTHCHECK (`pros-pricer healthcheck`): `GET /healthz` on the local service over
/// TCP (an IPv4 or IPv6 address). Returns nil when it answered `200`, else why not.
public func probeHealth(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 3) -> String? {
    let v6 = host.contains(":")
    let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return "socket: \(String(cString: strerror(errno)))" }
    defer { close(fd) }
    var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    let ok: Int32
    if v6 {
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET6, host, &addr.sin6_addr) == 1 else { return "\(host) is not an IPv6 address" }
        let size = socklen_t(MemoryLayout<sockaddr_in6>.size)
        ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) }
        }
    } else {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return "\(host) is not an IPv4 address" }
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) }
        }
    }
    guard ok == 0 else { return "cannot connect to \(host):\(port)" }
    let request = Array("GET /healthz HTTP/1.1\r\nHost: \(v6 ? "[\(host)]" : host)\r\nConnection: close\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
        return "cannot send"
    }
    var reply: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 512)
    while reply.count < 12 {
        let n = recv(fd, &buf, buf.count, 0)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return "no answer from \(host):\(port)" }
        reply += buf[0..<n]
    }
    let statusLine = String(decoding: reply.prefix(12), as: UTF8.self)
    return statusLine == "HTTP/1.1 200" ? nil : "answered \(statusLine)"
}
