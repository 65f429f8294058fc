import Foundation
import HTTPServer
import Testing

extension LiveTests {
    /// Issue 13, problem 3: the drain closes the listener at once and answers what has arrived.
    @Suite(.serialized) struct DrainTests {
        /// A request whose body is still arriving keeps the server draining.
        static func startSlowRequest(port: Int) -> Int32 {
            let fd = connectLoopback(port: port)
            let head =
                "POST /v1/claims/price HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 50\r\n\r\n{"
            _ = Array(head.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            return fd
        }

        @Test func newConnectionsAreRefusedOnceTheDrainStarts() throws {
            let s = try LiveService { $0.server.shutdownGraceMs = 5000 }
            let slow = Self.startSlowRequest(port: s.server.port)
            usleep(50_000)
            s.server.shutdown()
            usleep(100_000)  // every loop has let go of the listening socket
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(s.server.port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let size = socklen_t(MemoryLayout<sockaddr_in>.size)
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) }
            }
            let err = errno
            close(fd)
            #expect(rc == -1 && err == ECONNREFUSED, "a new connection was accepted by the kernel while draining")
            close(slow)
            s.server.wait()
            s.output.shutdown()
            close(s.logFd)
        }

        @Test func aRequestOnAnIdleKeepAliveConnectionAsTheDrainStartsIsAnsweredThenClosed() throws {
            let s = try LiveService {
                $0.server.shutdownGraceMs = 5000; $0.server.threads = 1
            }
            let slow = Self.startSlowRequest(port: s.server.port)
            let fd = connectLoopback(port: s.server.port)
            let get = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            _ = get.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var buf = [UInt8](repeating: 0, count: 4096)
            #expect(recv(fd, &buf, buf.count, 0) > 0)  // answered; the connection is now idle and kept alive
            // The next request goes out as the drain starts.
            _ = get.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            s.server.shutdown()
            let started = DispatchTime.now()
            let out = readUntilClosed(fd, waitMs: 3000)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            close(fd)
            // Answered, not reset, whether it was read just before the drain began or just after (then with
            // `Connection: close`: ConnectionStateMachineTests.theDrainAnswersWhatHasArrivedWithConnectionClose).
            #expect(out.hasPrefix("HTTP/1.1 200 OK"), "got \(out.isEmpty ? "a close or reset" : out)")
            #expect(ms < 2000, "the idle connection stayed open \(ms) ms into the drain")
            close(slow)
            s.server.wait()
            s.output.shutdown()
            close(s.logFd)
        }
    }
}
