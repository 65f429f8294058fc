#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import PROSRules
import PROSService

/// `serve`: runs the service until SIGTERM or SIGINT (graceful drain, exit 0); SIGHUP reloads config.
func runServe(flags: [String: String]) -> Int32 {
    let env = currentEnvironment()
    let config: ServiceConfiguration
    do {
        config = try ServiceConfiguration.load(configDirectory: nil, environment: env, flags: flags)
    } catch { fail("bad setting \(error)", code: Exit.badConfig) }
    let book = loadBook(config.configDirectory)
    let service = PricingService(config: config, book: book, logger: Logger(maxBufferedBytes: config.logBufferBytes))

    // Signals are taken synchronously by this thread; every other thread inherits the blocked mask.
    var set = sigset_t()
    sigemptyset(&set)
    for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, s) }
    pthread_sigmask(SIG_BLOCK, &set, nil)

    let server: HTTPServer
    do { server = try HTTPServer(config: config.server, handler: service) } catch {
        fail(error.description, code: Exit.badConfig)
    }
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
