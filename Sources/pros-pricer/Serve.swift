import HTTPServer
import JSON
import Logging
import PROSRules
import PROSService
import PROSWire

#if canImport(Glibc)
    import Glibc
#endif

/// `serve`: runs the service until SIGTERM or SIGINT (graceful drain, exit 0); SIGHUP reloads config.
func runServe(flags: [String: String]) -> Int32 {
    let env = currentEnvironment()
    let config: ServiceConfiguration
    do {
        config = try ServiceConfiguration.load(configDirectory: nil, environment: env, flags: flags)
    } catch { fail("bad setting \(error)", code: Exit.badConfig) }
    let seen = config.configDirectory.map(ConfigFolder.digest)  // before the files are read
    let book = loadBook(config.configDirectory)
    // Logging bootstrap: every logger of the process writes JSON lines through one bounded buffer.
    let output = JSONLog(maxBufferedBytes: config.logBufferBytes)
    LoggingSystem.bootstrap { _ in JSONLogHandler(output: output) }
    let logger = Logger(label: "pros-pricer")
    let service = PricingService(config: config, book: book, logger: logger, configDigest: seen)

    // Signals are taken synchronously by this thread; every other thread inherits the blocked mask.
    var set = sigset_t()
    sigemptyset(&set)
    for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, s) }
    pthread_sigmask(SIG_BLOCK, &set, nil)

    let server: HTTPServer
    do { server = try HTTPServer(config: config.server, handler: service, logger: logger) } catch {
        fail(error.description, code: Exit.badConfig)
    }
    service.attach(server)
    server.start()
    logger.info(
        "listening",
        metadata: [
            "host": .string(config.server.host), "ruleSets": .string(book.ruleSets.map(\.id).joined(separator: ",")),
            "digest": .string(book.digest), "port": .stringConvertible(server.port),
            "configWatchMs": .stringConvertible(config.configWatchMs),
        ])
    // configWatchMs: between signals, poll the config folder's content (a ConfigMap update cannot send SIGHUP).
    let watchNs = config.configDirectory == nil ? 0 : Int64(config.configWatchMs) * 1_000_000
    var nextPoll = monotonicNow() + watchNs
    while true {
        var sig: Int32 = 0
        if watchNs > 0 {
            let now = monotonicNow()
            if now >= nextPoll {
                service.reloadIfConfigChanged()
                nextPoll = monotonicNow() + watchNs
                continue
            }
            let left = nextPoll - now
            var wait = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
            sig = sigtimedwait(&set, nil, &wait)
            guard sig > 0 else { continue }  // the poll is due (EAGAIN), or EINTR
        } else {
            guard sigwait(&set, &sig) == 0 else { continue }
        }
        if sig == SIGHUP {
            service.reload()
            continue
        }
        logger.info(
            "shutting down",
            metadata: [
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
/// It reads its settings as `serve` does (server.json in the config folder, the environment, then flags),
/// so it probes the port and address the service was given.
func runHealthcheck(flags: [String: String]) -> Int32 {
    let config: ServiceConfiguration
    do {
        let env = currentEnvironment()
        config = try ServiceConfiguration.load(configDirectory: nil, environment: env, flags: flags)
    } catch { fail("bad setting \(error)", code: Exit.badConfig) }
    let host = probeAddress(listeningOn: config.server.host)
    let port = config.server.port
    guard let problem = probeHealth(host: host, port: port) else { return 0 }
    writeAll(2, Array("healthcheck: \(problem)\n".utf8))
    return Exit.someRefused
}

func monotonicNow() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
