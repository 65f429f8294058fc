#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import Logging
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
    // Logging bootstrap: every logger of the process writes JSON lines through one bounded buffer.
    let output = JSONLog(maxBufferedBytes: config.logBufferBytes)
    LoggingSystem.bootstrap { _ in JSONLogHandler(output: output) }
    let logger = Logger(label: "pros-pricer")
    let service = PricingService(config: config, book: book, logger: logger)

    // Signals are taken synchronously by this thread; every other thread inherits the blocked mask.
    var set = sigset_t()
    sigemptyset(&set)
    for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, s) }
    pthread_sigmask(SIG_BLOCK, &set, nil)

    let server: HTTPServer
    do { server = try HTTPServer(config: config.server, handler: service, logger: logger) } catch {
        fail(error.description, code: 69)
    }
    service.attach(server)
    server.start()
    logger.info("listening", metadata: [
        "host": .string(config.server.host), "ruleSets": .string(book.ruleSets.map(\.id).joined(separator: ",")),
        "digest": .string(book.digest), "port": .stringConvertible(server.port),
    ])
    while true {
        var sig: Int32 = 0
        guard sigwait(&set, &sig) == 0 else { continue }
        if sig == SIGHUP {
            service.reload()
            continue
        }
        logger.info("shutting down", metadata: [
            "signal": .string(sig == SIGTERM ? "SIGTERM" : "SIGINT"),
            "graceMs": .stringConvertible(config.server.shutdownGraceMs),
        ])
        server.shutdown()
        server.wait()
        logger.info("stopped")
        output.shutdown()  // every buffered line out before the process ends
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
