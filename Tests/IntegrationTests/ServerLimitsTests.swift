import Foundation
import HTTPServer
import Testing

extension LiveTests {
    /// The server's per-connection limits and timeouts, configured short, over raw sockets.
    @Suite(.serialized) struct ServerLimitsTests {
        @Test func theRequestCapPerConnectionClosesAfterTheLastOne() throws {
            let s = try LiveService { $0.server.maxRequestsPerConnection = 3 }
            defer { s.stop() }
            let get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            let out = rawExchange(port: s.server.port, Array(String(repeating: get, count: 4).utf8))
            let answers = out.components(separatedBy: "HTTP/1.1 200 OK").count - 1
            #expect(answers == 3)  // the fourth is never read: the third said close, and the connection closed
            let third = out.components(separatedBy: "HTTP/1.1 200 OK")[3]
            #expect(third.contains("Connection: close"))
        }

        @Test func aBurstOfConnectionsIsSpreadOverTheEventLoops() throws {
            let s = try LiveService { $0.server.threads = 2 }
            defer { s.stop() }
            // All connect before any sends: the first loop to wake used to accept the whole burst.
            let fds = (0..<8).map { _ in connectLoopback(port: s.server.port) }
            defer { fds.forEach { close($0) } }
            let get = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            var buf = [UInt8](repeating: 0, count: 4096)
            for fd in fds {
                var tv = timeval(tv_sec: 3, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                _ = get.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                let n = recv(fd, &buf, buf.count, 0)
                #expect(n > 0 && String(decoding: buf[0..<max(n, 0)], as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
            }
            let perLoop = s.server.connectionsPerLoop
            #expect(perLoop.reduce(0, +) == 8)
            #expect(perLoop.max()! - perLoop.min()! <= 1, "connections per loop: \(perLoop)")
        }

        @Test func boundLoopsRunOnTheirOwnCPU() throws {
            let allowed = Set(HTTPServer.allowedCPUs())
            let bound = try LiveService {
                $0.server.threads = 2; $0.server.pinThreads = .on
            }
            let free = try LiveService {
                $0.server.threads = 2; $0.server.pinThreads = .off
            }
            defer { bound.stop(); free.stop() }
            #expect(
                rawExchange(
                    port: bound.server.port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
                ).hasPrefix("HTTP/1.1 200 OK"))
            var waited = 0  // each loop binds itself as its thread starts
            while bound.server.pinnedCPUs.contains(where: { $0 == nil }) && waited < 2000 {
                usleep(10_000); waited += 10
            }
            let cpus = bound.server.pinnedCPUs.compactMap { $0 }
            #expect(cpus.count == 2 && cpus.allSatisfy(allowed.contains))
            if allowed.count >= 2 { #expect(Set(cpus).count == 2) }
            #expect(free.server.pinnedCPUs == [nil, nil])
        }

        @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws {
            let s = try LiveService { $0.server.idleTimeoutMs = 300 }
            defer { s.stop() }
            let fd = connectLoopback(port: s.server.port)
            defer { close(fd) }
            let get = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            _ = get.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var buf = [UInt8](repeating: 0, count: 4096)
            var tv = timeval(tv_sec: 3, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            #expect(recv(fd, &buf, buf.count, 0) > 0)
            let started = DispatchTime.now()
            let n = recv(fd, &buf, buf.count, 0)  // blocks until the server closes the idle connection
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            #expect(n == 0)
            #expect(ms >= 250 && ms < 2000, "closed after \(ms) ms")
        }

        @Test func aStalledBodyGets408() throws {
            let s = try LiveService { $0.server.bodyTimeoutMs = 300 }
            defer { s.stop() }
            let head =
                "POST /v1/claims/price HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"memberId\""
            let out = rawExchange(port: s.server.port, Array(head.utf8), waitMs: 3000)
            #expect(out.hasPrefix("HTTP/1.1 408 "))
            #expect(out.contains("Connection: close"))
        }

        /// Issue 13, problem 1: a request and the first byte of the next in one write held the connection
        /// forever (no header timer for left-over bytes, and no idle timeout since they looked busy); with
        /// every slot held so, each new client got 503.
        @Test func bytesLeftOverByARequestDoNotHoldItsConnectionPastTheHeaderTimeout() throws {
            let s = try LiveService {
                $0.server.maxConnections = 3; $0.server.headerTimeoutMs = 300
            }
            defer { s.stop() }
            let fds = (0..<3).map { _ in connectLoopback(port: s.server.port) }
            defer { fds.forEach { close($0) } }
            let get = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nG".utf8)
            for fd in fds { _ = get.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            for fd in fds {
                let out = readUntilClosed(fd, waitMs: 3000)
                #expect(out.hasPrefix("HTTP/1.1 200 OK"))
                #expect(out.contains("HTTP/1.1 408 Request Timeout"), "no 408: \(out.count) bytes")
            }
            #expect(Curl().request("GET", s.base + "/healthz").status == 200)  // the slots are free again
        }

        /// Issue 13, problem 1: a body trickled a byte at a time, each within the gap allowed between reads.
        @Test func aBodyTrickledByteByByteGets408AtTheMinimumRate() throws {
            let s = try LiveService {
                $0.server.bodyTimeoutMs = 30_000
                $0.server.minBodyBytesPerSecond = 100
                $0.server.bodyRateGraceMs = 300
            }
            defer { s.stop() }
            let fd = connectLoopback(port: s.server.port)
            defer { close(fd) }
            var tv = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            let head =
                "POST /v1/claims/price HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n"
            _ = Array(head.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var buf = [UInt8](repeating: 0, count: 4096)
            var answer = ""
            for _ in 0..<30 where answer.isEmpty {  // a byte every 100 ms: 10 B/s for up to 3 s
                _ = send(fd, "{", 1, Int32(MSG_NOSIGNAL))
                let n = recv(fd, &buf, buf.count, 0)
                if n > 0 { answer = String(decoding: buf[0..<n], as: UTF8.self) }
            }
            #expect(answer.hasPrefix("HTTP/1.1 408 "))
            #expect(answer.contains("urn:pros-pricer:problem:request-timeout"))
        }

        @Test func aClientThatStopsReadingIsDroppedAfterTheWriteTimeout() throws {
            let s = try LiveService { $0.server.writeTimeoutMs = 300 }
            defer { s.stop() }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var small: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(s.server.port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            defer { close(fd) }
            // Pipelined requests for a large document, never read: output backs up and stalls.
            let get = Array("GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            var nonblocking = fcntl(fd, F_GETFL)
            nonblocking |= O_NONBLOCK
            _ = fcntl(fd, F_SETFL, nonblocking)
            for _ in 0..<2000 { _ = get.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            usleep(200_000)
            #expect(s.server.openConnections == 1)
            var waited = 0
            while s.server.openConnections > 0 && waited < 3000 { usleep(50_000); waited += 50 }
            #expect(s.server.openConnections == 0, "the stalled connection is still open after \(waited) ms")
        }
    }
}
