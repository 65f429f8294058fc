#if canImport(Glibc)
import Glibc
#endif
import CSystem
import Synchronization

func monotonicMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// One thread, one epoll instance, the connections it accepted. Level-triggered readiness;
/// everything a connection does happens on this thread, so connections need no locks.
final class EventLoop: @unchecked Sendable {  // confined: other threads call only `wake()` (an eventfd write) and `handOff` and read `load` (a Mutex and an Atomic)
    let config: ServerConfiguration
    let handler: any HTTPHandler
    unowned let server: HTTPServer
    let epfd: Int32
    let wakeFd: Int32
    let listenFd: Int32
    var connections: [Int32: Connection] = [:]
    /// One receive buffer for all of this loop's connections (they run one at a time on its thread).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    var isDraining = false
    var drainDeadline: Int64 = 0
    var listening = true
    var cachedSecond = 0
    var dateHeader = ""
    let tickMs: Int32
    /// Connections this loop serves or has been handed and not yet adopted; read by other loops to
    /// pick the least loaded one for a new connection.
    let load = Atomic<Int>(0)
    /// The CPU this loop's thread should be bound to (set before the thread starts), and the one it
    /// was bound to (-1: none), set by the thread itself.
    var pinCPU: Int?
    let pinnedCPU = Atomic<Int>(-1)
    /// Connections accepted by another loop for this one: adopted on the next wake. `isClosed` is set
    /// when this loop ends, so nothing is handed to it after.
    let inbox = Mutex<(items: [(fd: Int32, remote: String)], isClosed: Bool)>(([], false))

    init(server: HTTPServer, listenFd: Int32) {
        self.server = server
        config = server.config
        handler = server.handler
        self.listenFd = listenFd
        epfd = csys_epoll_create()
        wakeFd = csys_eventfd()
        precondition(epfd >= 0 && wakeFd >= 0, "epoll/eventfd: \(String(cString: strerror(errno)))")
        _ = csys_epoll_add(epfd, wakeFd, CSYS_EPOLLIN)
        // EPOLLEXCLUSIVE: one loop wakes per incoming connection, not all of them.
        _ = csys_epoll_add(epfd, listenFd, CSYS_EPOLLIN | CSYS_EPOLLEXCLUSIVE)
        let shortest = [config.headerTimeoutMs, config.bodyTimeoutMs, config.idleTimeoutMs, config.writeTimeoutMs].min()!
        tickMs = Int32(min(250, max(5, shortest / 4)))
        refreshDate()
    }

    deinit { readBuffer.deallocate() }

    func wake() { _ = csys_eventfd_signal(wakeFd) }

    func refreshDate() {
        var t = time(nil)
        guard Int(t) != cachedSecond else { return }
        cachedSecond = Int(t)
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        var buf = [CChar](repeating: 0, count: 64)
        let n = strftime(&buf, buf.count, "%a, %d %b %Y %H:%M:%S GMT", &tm)
        dateHeader = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func run() {
        var fds = [Int32](repeating: 0, count: 256)
        var events = [UInt32](repeating: 0, count: 256)
        var lastTick = monotonicMs()
        while true {
            let n = csys_epoll_wait(epfd, &fds, &events, 256, tickMs)
            let now = monotonicMs()
            refreshDate()
            if n > 0 {
                for i in 0..<Int(n) {
                    let fd = fds[i]
                    if fd == wakeFd {
                        csys_eventfd_drain(wakeFd)
                        adoptHandedOff(now: now)
                    } else if fd == listenFd {
                        if listening { acceptAll(now: now) }
                    } else if let c = connections[fd] {
                        if events[i] & (CSYS_EPOLLIN | CSYS_EPOLLHUP | CSYS_EPOLLERR) != 0 { c.onReadable(now: now) }
                        if !c.isClosed && events[i] & CSYS_EPOLLOUT != 0 { c.flush(now: now) }
                    }
                }
            }
            if server.isDraining && !isDraining { startDraining(now: now) }
            if now - lastTick >= Int64(tickMs) {
                lastTick = now
                for c in Array(connections.values) { c.checkTimeouts(now: now) }
                if isDraining {
                    for c in Array(connections.values) where c.isIdle || now >= drainDeadline { c.close() }
                }
            }
            if isDraining && connections.isEmpty && closeInboxIfEmpty() { break }
        }
        Glibc.close(wakeFd)
        Glibc.close(epfd)
    }

    func startDraining(now: Int64) {
        isDraining = true
        drainDeadline = now + Int64(config.shutdownGraceMs)
        if listening { _ = csys_epoll_del(epfd, listenFd); listening = false }
        for c in Array(connections.values) {
            if c.isIdle { c.close() } else { c.exchange?.keepAlive = false }
        }
    }

    func acceptAll(now: Int64) {
        var addr = [CChar](repeating: 0, count: 64)
        for _ in 0..<64 {
            let fd = csys_accept(listenFd, &addr, Int32(addr.count))
            if fd < 0 { return }  // EAGAIN (another loop took it), or EMFILE: retried on the next wake
            let remote = String(decoding: addr.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !server.reserveConnection() {
                // Over the limit: a 503 with Retry-After, not silence.
                let r = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: \(config.retryAfterSeconds)\r\nContent-Type: application/problem+json\r\nContent-Length: 102\r\nConnection: close\r\n\r\n"
                let body = "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"too many open connections\"}"
                let bytes = Array((r + String(body.padding(102))).utf8)
                _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                handler.serverAnswered(status: 503, head: nil, remoteAddress: remote, routed: false)
                Glibc.close(fd)
                continue
            }
            _ = csys_set_nodelay(fd)  // a response never waits on delayed ACKs
            // The first loop to wake would otherwise take a whole burst of connections (wrk's 32 all
            // landed on one loop, leaving the other core idle): each goes to the least loaded loop.
            let target = server.leastLoadedLoop(preferring: self)
            if target === self || !target.handOff(fd: fd, remote: remote) {
                load.add(1, ordering: .relaxed)
                register(fd: fd, remote: remote, now: now)
            }
        }
    }

    /// Queues a connection accepted elsewhere for this loop; false when this loop has ended.
    func handOff(fd: Int32, remote: String) -> Bool {
        inbox.withLock { box -> Bool in
            guard !box.isClosed else { return false }
            box.items.append((fd, remote))
            load.add(1, ordering: .relaxed)  // counted at once, so the next choice of loop sees it
            wake()  // under the lock: the loop closes its eventfd only after closing the inbox
            return true
        }
    }

    func adoptHandedOff(now: Int64) {
        let items = inbox.withLock { box -> [(fd: Int32, remote: String)] in
            let items = box.items
            box.items = []
            return items
        }
        for item in items { register(fd: item.fd, remote: item.remote, now: now) }
    }

    /// Ends the hand-offs to this loop when none is waiting; false when one came in meanwhile.
    func closeInboxIfEmpty() -> Bool {
        inbox.withLock { box -> Bool in
            guard box.items.isEmpty else { return false }
            box.isClosed = true
            return true
        }
    }

    func register(fd: Int32, remote: String, now: Int64) {
        let c = Connection(fd: fd, remoteAddress: remote, loop: self, now: now)
        connections[fd] = c
        c.registeredEvents = CSYS_EPOLLIN | CSYS_EPOLLRDHUP
        _ = csys_epoll_add(epfd, fd, c.registeredEvents)
    }

    func updateInterest(_ c: Connection) {
        guard !c.isClosed else { return }
        var ev: UInt32 = 0
        if c.wantsRead { ev |= CSYS_EPOLLIN | CSYS_EPOLLRDHUP }
        if c.pendingOutput > 0 { ev |= CSYS_EPOLLOUT }
        if ev != c.registeredEvents {
            c.registeredEvents = ev
            _ = csys_epoll_mod(epfd, c.fd, ev)
        }
    }

    func remove(_ c: Connection) {
        _ = csys_epoll_del(epfd, c.fd)
        connections[c.fd] = nil
        load.subtract(1, ordering: .relaxed)
        server.releaseConnection()
    }
}

extension String {
    func padding(_ length: Int) -> String { count >= length ? self : self + String(repeating: " ", count: length - count) }
}
