#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import JSON
import PROSRules
import PROSWire
import PROSService

/// `serve`: runs the service until SIGTERM or SIGINT (graceful drain, exit 0); SIGHUP reloads config.
func runServe(_ a: Arguments) -> Int32 {
    let env = currentEnvironment()
    let config: ServiceConfiguration
    do {
        config = try ServiceConfiguration.load(configDirectory: nil, environment: env, flags: a.options)
    } catch { fail("bad setting \(error)", code: 78) }
    let book = loadBook(config.configDirectory)
    let service = PricingService(config: config, book: book, logger: Logger(maxBufferedBytes: config.logBufferBytes))

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
        service.logger.shutdown()  // every buffered line out before the process ends
        return 0
    }
}

/// `healthcheck`: GET /healthz on the local service; exit 0 when it answers 200 (the container HEALTHCHECK).
func runHealthcheck(_ a: Arguments) -> Int32 {
    let env = currentEnvironment()
    let host = a.options["host"] ?? "127.0.0.1"
    let port = Int(a.options["port"] ?? env["PROS_PRICER_PORT"] ?? env["PORT"] ?? "8080") ?? 8080
    guard let problem = probeHealth(host: host, port: port) else { return 0 }
    writeAll(2, Array("healthcheck: \(problem)\n".utf8))
    return 1
}
