#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import PROSRules
import PROSService

/// `serve`: runs the service until SIGTERM or SIGINT (graceful drain, exit 0); SIGHUP reloads config.
func runServe(_ a: Arguments) -> Int32 {
    let env = currentEnvironment()
    let config: ServiceConfiguration
    do {
        config = try ServiceConfiguration.load(configDirectory: nil, environment: env, flags: a.options)
    } catch { fail("bad setting \(error)", code: 78) }
    let book = loadBook(config.configDirectory)
    let service = PricingService(config: config, book: book)

    // Signals are taken synchronously by this thread; every other thread inherits the blocked mask.
    var set = sigset_t()
    sigemptyset(&set)
    for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, s) }
    pthread_sigmask(SIG_BLOCK, &set, nil)

    let server: HTTPServer
    do { server = try HTTPServer(config: config.server, handler: service) } catch { fail(error.description, code: 69) }
    service.attach(server)
    server.start()
    service.logger.log("info", "listening", [("host", config.server.host), ("ruleSets", book.ruleSets.map(\.id).joined(separator: ",")),
                                             ("digest", book.digest)], numbers: [("port", server.port)])
    while true {
        var sig: Int32 = 0
        guard sigwait(&set, &sig) == 0 else { continue }
        if sig == SIGHUP {
            service.reload()
            continue
        }
        service.logger.log("info", "shutting down", [("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT")],
                           numbers: [("graceMs", config.server.shutdownGraceMs)])
        server.shutdown()
        server.wait()
        service.logger.log("info", "stopped")
        return 0
    }
}

/// `healthcheck`: GET /healthz on the local service; exit 0 when it answers 200 (the container HEALTHCHECK).
func runHealthcheck(_ a: Arguments) -> Int32 {
    let env = currentEnvironment()
    let host = a.options["host"] ?? "127.0.0.1"
    let port = Int32(a.options["port"] ?? env["PROS_PRICER_PORT"] ?? env["PORT"] ?? "8080") ?? 8080
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return 1 }
    defer { close(fd) }
    var tv = timeval(tv_sec: 3, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return 1 }
    let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard ok == 0 else { writeAll(2, Array("healthcheck: cannot connect to \(host):\(port)\n".utf8)); return 1 }
    writeAll(fd, Array("GET /healthz HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8))
    var buf = [UInt8](repeating: 0, count: 512)
    let n = read(fd, &buf, buf.count)
    guard n > 12 else { return 1 }
    return String(decoding: buf[0..<n], as: UTF8.self).hasPrefix("HTTP/1.1 200") ? 0 : 1
}
