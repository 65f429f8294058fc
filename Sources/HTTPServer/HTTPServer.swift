import CSystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

public struct ServerStartError: Error, CustomStringConvertible {
    public let description: String
}

/// The HTTP/1.1 server: a listening socket shared by a fixed number of event-loop threads.
public final class HTTPServer: Sendable {
    public let config: ServerConfiguration
    let handler: any HTTPHandler
    let logger: Logger
    let listenFd: Int32
    /// The bound port (useful with port 0).
    public let port: Int
    let connectionCount = Atomic<Int>(0)
    let draining = Atomic<Bool>(false)
    let finished = Mutex<[pthread_t]>([])
    /// Loops still watching the listening socket: the last to let go at the drain closes it.
    let listenerHolders = Atomic<Int>(0)
    /// The first part of every request id this process makes (random, so ids differ across restarts).
    let requestIDPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 16) + "-"
    nonisolated(unsafe) var loops: [EventLoop] = []  // written once in start() before any thread runs

    /// `logger`: the server's own events (the drain); requests are the handler's to log (`responded`).
    public init(
        config: ServerConfiguration, handler: any HTTPHandler,
        logger: Logger = Logger(label: "http-server") { _ in SwiftLogNoOpLogHandler() }
    )
        throws(ServerStartError)
    {
        self.config = config
        self.handler = handler
        self.logger = logger
        signal(SIGPIPE, SIG_IGN)
        let fd = csys_listen(config.host, Int32(config.port), Int32(config.listenBacklog))
        guard fd >= 0 else {
            throw ServerStartError(
                description: "cannot listen on \(config.host):\(config.port): \(String(cString: strerror(-fd)))")
        }
        listenFd = fd
        port = Int(csys_local_port(fd))
    }

    /// Starts the event-loop threads; returns at once.
    public func start() {
        let allowed = Self.allowedCPUs()
        let count = config.threads > 0 ? config.threads : Self.usableCPUs(allowed: allowed)
        loops = (0..<count).map { EventLoop(server: self, listenFd: listenFd, index: $0) }
        listenerHolders.store(count, ordering: .releasing)
        for (loop, cpu) in zip(loops, Self.pinPlan(loops: count, allowed: allowed, mode: config.pinThreads)) {
            loop.pinCPU = cpu
        }
        var threads: [pthread_t] = []
        for loop in loops {
            var tid = pthread_t()
            let box = Unmanaged.passRetained(loop).toOpaque()
            pthread_create(
                &tid, nil,
                { arg in
                    let loop = Unmanaged<EventLoop>.fromOpaque(arg!).takeRetainedValue()
                    if let cpu = loop.pinCPU, csys_pin_thread(Int32(cpu)) == 0 {
                        loop.pinnedCPU.store(cpu, ordering: .releasing)
                    }
                    loop.run()
                    return nil
                }, box)
            threads.append(tid)
        }
        finished.withLock { $0 = threads }
    }

    /// True while the server accepts work (the readiness flag): false from the moment shutdown begins.
    public var isAcceptingWork: Bool { !draining.load(ordering: .acquiring) }

    public var openConnections: Int { connectionCount.load(ordering: .relaxed) }

    /// Open connections per event loop, in loop order: each new one goes to the least loaded loop.
    public var connectionsPerLoop: [Int] { loops.map { $0.load.load(ordering: .relaxed) } }

    /// Stops accepting (the listening socket is closed, so new connections are refused), answers every
    /// request already received (the last on each connection with `Connection: close`) within
    /// `shutdownGraceMs`, closes idle connections.
    public func shutdown() {
        logger.info(
            "draining",
            metadata: [
                "openConnections": .stringConvertible(openConnections),
                "graceMs": .stringConvertible(config.shutdownGraceMs),
            ])
        draining.store(true, ordering: .releasing)
        for loop in loops { loop.wake() }
    }

    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Blocks until every event loop has ended (after `shutdown()`; the last one closed the listening socket).
    public func wait() {
        let threads = finished.withLock { t -> [pthread_t] in
            let x = t; t = []; return x
        }
        for t in threads { pthread_join(t, nil) }
    }

    /// A loop stops watching the listening socket; true for the last one, which closes it.
    func releaseListener() -> Bool { listenerHolders.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 }

    /// The CPUs this process may use: online CPUs, narrowed by its affinity mask and its cgroup v2 CPU
    /// quota (`cpu.max`). A container limited to 2 CPUs on a 64-core node gets 2 event loops, not 64.
    public static func usableCPUs(allowed: [Int] = allowedCPUs()) -> Int {
        let fd = open("/sys/fs/cgroup/cpu.max", O_RDONLY | O_CLOEXEC)
        var text = ""
        if fd >= 0 {
            var buf = [UInt8](repeating: 0, count: 64)
            let n = read(fd, &buf, buf.count)
            if n > 0 { text = String(decoding: buf[0..<n], as: UTF8.self) }
            close(fd)
        }
        return threadCount(
            online: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), affinity: allowed.isEmpty ? -1 : allowed.count,
            cpuMax: text)
    }

    /// The CPU numbers of the process's affinity mask (empty when it cannot be read).
    public static func allowedCPUs() -> [Int] {
        var cpus = [Int32](repeating: 0, count: 1024)
        let n = Int(csys_affinity_list(&cpus, Int32(cpus.count)))
        return n > 0 ? cpus[0..<n].map(Int.init) : []
    }

    /// The CPU each loop is bound to, or nil: `on` binds loop i to the i-th allowed CPU (round robin);
    /// `auto` binds only when there are as many loops as allowed CPUs, and more than one.
    static func pinPlan(loops: Int, allowed: [Int], mode: ThreadPinning) -> [Int?] {
        let bind: Bool =
            switch mode {
            case .off: false
            case .on: !allowed.isEmpty
            case .auto: allowed.count > 1 && loops == allowed.count
            }
        return (0..<loops).map { bind ? allowed[$0 % allowed.count] : nil }
    }

    /// The CPU each event loop is bound to (nil: free to move), in loop order.
    public var pinnedCPUs: [Int?] {
        loops.map {
            let c = $0.pinnedCPU.load(ordering: .acquiring); return c >= 0 ? c : nil
        }
    }

    /// The smallest of the online CPUs, the affinity count and the quota rounded up; at least 1.
    /// `cpuMax` is cgroup v2's `cpu.max`: "max 100000" (no quota) or "QUOTA PERIOD" in microseconds.
    static func threadCount(online: Int, affinity: Int, cpuMax: String) -> Int {
        var n = max(1, online)
        if affinity > 0 { n = min(n, affinity) }
        let parts = cpuMax.split(whereSeparator: { $0 == " " || $0 == "\n" })
        if parts.count >= 2, let quota = Int(parts[0]), let period = Int(parts[1]), quota > 0, period > 0 {
            n = min(n, (quota + period - 1) / period)
        }
        return max(1, n)
    }

    func reserveConnection() -> Bool {
        let n = connectionCount.add(1, ordering: .relaxed).newValue
        if n > config.maxConnections {
            connectionCount.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// The loop with the fewest connections; `own` wins ties, so a lone loop never hands off.
    func leastLoadedLoop(preferring own: EventLoop) -> EventLoop {
        var best = own
        var bestLoad = own.load.load(ordering: .relaxed)
        for loop in loops where loop !== own {
            let l = loop.load.load(ordering: .relaxed)
            if l < bestLoad { best = loop; bestLoad = l }
        }
        return best
    }

    func releaseConnection() { connectionCount.subtract(1, ordering: .relaxed) }
}
