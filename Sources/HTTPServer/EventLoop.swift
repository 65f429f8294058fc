import CSystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

func monotonicNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// One thread, one epoll instance, the connections it accepted. Level-triggered readiness;
/// everything a connection does happens on this thread, so connections need no locks.
// Confined: other threads call only `wake()` (an eventfd write) and `handOff`, and read `load` (a Mutex, an Atomic).
final class EventLoop: @unchecked Sendable, ConnectionEnvironment {
    let config: ServerConfiguration
    let handler: any HTTPHandler
    unowned let server: HTTPServer
    let epfd: Int32
    let wakeFd: Int32
    let listenFd: Int32
    var connections: [Int32: Connection] = [:]
    /// Connections with work left for a later turn (a large streamed body, a slice at a time).
    var ready: [Connection] = []
    /// One receive buffer for all of this loop's connections (they run one at a time on its thread).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    var isDraining = false
    var listening = true
    /// Request ids: a random prefix of the process, this loop's index, a counter (no atomics).
    let requestIDPrefix: [UInt8]
    var requestCounter: UInt64 = 0
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

    init(server: HTTPServer, listenFd: Int32, index: Int) {
        self.server = server
        requestIDPrefix = Array((server.requestIDPrefix + String(index, radix: 16) + "-").utf8)
        config = server.config
        handler = server.handler
        self.listenFd = listenFd
        epfd = csys_epoll_create()
        wakeFd = csys_eventfd()
        precondition(epfd >= 0 && wakeFd >= 0, "epoll/eventfd: \(String(cString: strerror(errno)))")
        _ = csys_epoll_add(epfd, wakeFd, CSYS_EPOLLIN)
        // EPOLLEXCLUSIVE: one loop wakes per incoming connection, not all of them.
        _ = csys_epoll_add(epfd, listenFd, CSYS_EPOLLIN | CSYS_EPOLLEXCLUSIVE)
        let shortest = [
            config.headerTimeoutMs, config.bodyTimeoutMs, config.bodyRateGraceMs, config.idleTimeoutMs,
            config.writeTimeoutMs,
        ].min()!
        tickMs = Int32(min(250, max(5, shortest / 4)))
        refreshDate()
    }

    deinit { readBuffer.deallocate() }

    func makeRequestID() -> String {
        requestCounter += 1
        return Self.requestID(prefix: requestIDPrefix, counter: requestCounter)
    }

    /// The prefix, then the counter in lowercase hex, as `prefix + String(counter, radix: 16)` but written
    /// straight into the string: `String(_:radix:)` is generic, some 430 instructions and 40
    /// instruction-cache misses a call (bench/request.sh).
    static func requestID(prefix: [UInt8], counter: UInt64) -> String {
        var digits = 1
        while digits < 16 && counter >> (4 * digits) != 0 { digits += 1 }
        return String(unsafeUninitializedCapacity: prefix.count + digits) { out in
            for i in prefix.indices { out[i] = prefix[i] }
            var v = counter
            for i in (prefix.count..<(prefix.count + digits)).reversed() {
                let d = UInt8(truncatingIfNeeded: v & 15)
                out[i] = d < 10 ? 0x30 + d : 0x57 + d  // 0-9, a-f
                v >>= 4
            }
            return prefix.count + digits
        }
    }

    func durationClock() -> Int64 { monotonicNs() }

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
        var lastTick = monotonicNs()
        let tickNs = Int64(tickMs) * 1_000_000
        while true {
            let n = csys_epoll_wait(epfd, &fds, &events, 256, ready.isEmpty ? tickMs : 0)
            let now = monotonicNs()
            refreshDate()
            if n > 0 {
                for i in 0..<Int(n) {
                    let fd = fds[i]
                    if fd == wakeFd {
                        csys_eventfd_drain(wakeFd)
                        adoptHandedOff(now: now)
                    } else if listening && fd == listenFd {  // once closed, its number may come back as a connection
                        acceptAll(now: now)
                    } else if let c = connections[fd] {
                        if events[i] & (CSYS_EPOLLIN | CSYS_EPOLLHUP | CSYS_EPOLLERR) != 0 { c.onReadable(now: now) }
                        if !c.isClosed && events[i] & CSYS_EPOLLOUT != 0 { c.onWritable(now: now) }
                    }
                }
            }
            if !ready.isEmpty {  // one slice each, after every connection with I/O had its turn
                let turn = ready
                ready = []
                for c in turn where !c.isClosed { c.resume(now: now) }
            }
            if server.isDraining && !isDraining { startDraining(now: now) }
            if now - lastTick >= tickNs {
                lastTick = now
                for c in Array(connections.values) {
                    if let due = c.deadline, due <= now { c.timerFired(now: now) }
                }
            }
            if isDraining && connections.isEmpty && closeInboxIfEmpty() { break }
        }
        Glibc.close(wakeFd)
        Glibc.close(epfd)
    }

    /// The drain: the listening socket leaves this loop (the last loop to let go closes it, so the kernel
    /// refuses new connections instead of queueing them), connections already queued are taken and served,
    /// and every connection answers what it has received, then closes.
    func startDraining(now: Int64) {
        isDraining = true
        if listening {
            _ = csys_epoll_del(epfd, listenFd)
            listening = false
            acceptAll(now: now, limit: Int.max)
            if server.releaseListener() {
                acceptAll(now: now, limit: Int.max)
                Glibc.close(listenFd)
            }
        }
        let deadline = now + Int64(config.shutdownGraceMs) * 1_000_000
        for c in Array(connections.values) { c.startDrain(deadline: deadline, now: now) }
    }

    func acceptAll(now: Int64, limit: Int = 64) {
        var addr = [CChar](repeating: 0, count: 64)
        var accepted = 0
        while accepted < limit {
            let fd = csys_accept(listenFd, &addr, Int32(addr.count))
            if fd < 0 { return }  // EAGAIN (another loop took it), or EMFILE: retried on the next wake
            accepted += 1
            let remote = String(decoding: addr.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !server.reserveConnection() {
                // Over the limit: a 503 with Retry-After, not silence, made and accounted like any answer.
                var m = ConnectionStateMachine(
                    config: config, handler: handler, remoteAddress: remote, env: self,
                    now: now)
                _ = m.refuse("too many open connections", now: now)
                _ = m.withPendingOutput { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
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
        c.deadline = now + Int64(config.idleTimeoutMs) * 1_000_000
        if isDraining { c.startDrain(deadline: now + Int64(config.shutdownGraceMs) * 1_000_000, now: now) }
    }

    func setInterest(_ c: Connection, read: Bool, write: Bool) {
        guard !c.isClosed else { return }
        var ev: UInt32 = 0
        if read { ev |= CSYS_EPOLLIN | CSYS_EPOLLRDHUP }
        if write { ev |= CSYS_EPOLLOUT }
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
