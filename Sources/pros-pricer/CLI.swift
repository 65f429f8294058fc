import ArgumentParser
import HTTPServer
import PROSRules
import PROSService

#if canImport(Glibc)
    import Glibc
#endif

/// The exit codes of every subcommand (sysexits.h numbers where one fits).
enum Exit {
    /// Priced (every member-month of a batch), or the check passed.
    static let ok: Int32 = 0
    /// A batch in which one or more member-months were refused (the others were priced); an unhealthy service.
    static let someRefused: Int32 = 1
    /// The input is invalid: a single member-month refused, or a CSV export refused whole.
    static let invalidInput: Int32 = 2
    /// A command-line usage error (EX_USAGE): an unknown option, a missing or non-numeric value.
    static let usage: Int32 = 64
    /// The input file is missing or unreadable (EX_NOINPUT).
    static let noInput: Int32 = 66
    /// Bad configuration (EX_CONFIG): rules, rates or a setting, or a port that cannot be listened on.
    static let badConfig: Int32 = 78
}

let exitCodesHelp = """
    Exit codes:
      0   priced (every member-month of a batch)
      1   a batch in which some member-months were refused (the rest priced)
      2   invalid input (one member-month refused, or a CSV export refused whole)
      64  usage error (unknown option, missing or non-numeric value)
      66  the input file is missing or unreadable
      78  bad config (rules, rates or a setting)
    """

@main
struct ProsPricer: ParsableCommand {
    static let version = "0.2.0"
    static let configuration = CommandConfiguration(
        commandName: "pros-pricer",
        abstract: "Prices New York PROS member-months into Medicaid managed-care claims.",
        discussion: """
            Input formats: a member-month as JSON (the HTTP API's body), NDJSON
            (one member-month per line), or a billing export as CSV (one row per
            service, with a header row naming the columns). See
            'pros-pricer price --help'.

            Examples:
              pros-pricer price month.json
              pros-pricer price --csv examples/billing-export.csv --format table --summary
              pros-pricer serve --port 8080

            \(exitCodesHelp)
            """,
        version: version,
        subcommands: [Price.self, Serve.self, CheckConfig.self, Healthcheck.self, Bench.self])

    func run() throws { throw ValidationError("a subcommand is required") }
}

/// Writes `pros-pricer: message` on standard error and exits.
func fail(_ message: String, code: Int32) -> Never {
    writeAll(2, Array(("pros-pricer: " + message + "\n").utf8))
    exit(code)
}

func validPort(_ port: Int?, _ name: String = "--port") throws {
    if let port, !(0...65535).contains(port) {
        throw ValidationError("\(name) must be between 0 and 65535 (got \(port))")
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs the HTTP service until SIGTERM or SIGINT (graceful drain); SIGHUP reloads rules and rates.",
        discussion: """
            Settings come from config/server.json in the config folder, then
            PROS_PRICER_* environment variables (and PORT), then these flags.
            Without --config the built-in rules and rates are used.
            Input: requests; POST /v1/claims/price takes a member-month (JSON),
            POST /v1/claims/price/batch NDJSON, a JSON array or a CSV billing
            export (text/csv).

            Example:
              pros-pricer serve --host 127.0.0.1 --port 8080 --config config

            Exit codes: 0 after a graceful drain, 64 usage error, 78 bad config
            (a setting, rules, rates, or an address that cannot be listened on).
            """)

    @Option(help: "The address to listen on (default 0.0.0.0).") var host: String?
    @Option(help: "The TCP port, 0 to 65535 (default 8080; 0 picks a free one).") var port: Int?
    @Option(help: "A config folder with rules/, rates/ and server.json.") var config: String?

    func validate() throws { try validPort(port) }

    func run() throws { throw ExitCode(runServe(flags: serviceFlags(host: host, port: port, config: config))) }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validates a config folder (rules/*.json, rates/*.json) and names the bad file and key.",
        discussion: """
            Example:
              pros-pricer check-config config

            Input: a folder holding rules/*.json and rates/*.json (and optionally
            server.json), as config/ in the repository.

            Exit codes: 0 valid, 64 usage error, 78 invalid config (the message
            names the file and the key).
            """)

    @Argument(help: "The config folder (default: config).") var directory: String?
    @Option(help: "The config folder (the same as the argument).") var config: String?

    func run() throws { throw ExitCode(runCheckConfig(directory: config ?? directory ?? "config")) }
}

struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exits 0 when the local service answers GET /healthz with 200 (the container HEALTHCHECK).",
        discussion: """
            Input: none. It reads the settings serve reads: server.json in the
            config folder (--config or PROS_PRICER_CONFIG), then
            PROS_PRICER_PORT and PORT, then these flags (port default 8080).
            A service listening on every address is probed on loopback.

            Example:
              pros-pricer healthcheck --port 8080

            Exit codes: 0 healthy, 1 not healthy (the reason on standard error),
            64 usage error, 78 a bad setting (PROS_PRICER_PORT, PORT, server.json).
            """)

    @Option(help: "The address of the service (default: loopback for the address serve listens on).")
    var host: String?
    @Option(help: "The service's TCP port, 0 to 65535.") var port: Int?
    @Option(help: "The config folder whose server.json names the port.") var config: String?

    func validate() throws { try validPort(port) }

    func run() throws {
        throw ExitCode(runHealthcheck(flags: serviceFlags(host: host, port: port, config: config)))
    }
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Member-months priced per second by the engine alone (decode + price + encode, one core).",
        discussion: """
            Input: none; realistic 20-service months are generated (about 5 KB;
            --compact: about 2.5 KB). bench/batch.sh and bench/csv.sh measure
            price --batch and price --csv end to end.

            Examples:
              pros-pricer bench --months 50000
              pros-pricer bench --sample --months 3    # prints sample member-month 3 as JSON

            Exit codes: 0 done, 64 usage error.
            """)

    @Option(help: "How many member-months to price (at least 1); with --sample, which sample to print.")
    var months: Int?
    @Flag(help: "Only the required fields and start times.") var compact = false
    @Flag(help: "Print one sample member-month (JSON) instead of measuring.") var sample = false

    func validate() throws {
        if let months, months < (sample ? 0 : 1) {
            throw ValidationError("--months must be at least \(sample ? 0 : 1) (got \(months))")
        }
    }

    func run() throws {
        if sample { print(sampleMonth(months ?? 0, compact: compact)); return }
        throw ExitCode(runBench(months: months ?? 200_000, compact: compact))
    }
}

/// The command-line settings `serve` and `healthcheck` share, as the settings loader reads them.
func serviceFlags(host: String?, port: Int?, config: String?) -> [String: String] {
    var flags: [String: String] = [:]
    if let host { flags["host"] = host }
    if let port { flags["port"] = String(port) }
    if let config { flags["config"] = config }
    return flags
}
