#if canImport(Glibc)
import Glibc
#endif
import JSON
import PROSRules
import PROSWire
import PROSService

/// pros-pricer: `serve`, `price`, `check-config`, `healthcheck`, `bench`.
/// Arguments are parsed by hand: five subcommands with a few flags each did not earn a dependency.
let usage = """
usage:
  pros-pricer serve [--host ADDR] [--port N] [--config DIR]
  pros-pricer price [--config DIR] [--batch] [FILE|-]
  pros-pricer check-config [DIR]
  pros-pricer healthcheck [--host ADDR] [--port N] [--config DIR]
  pros-pricer bench [--months N] [--compact] [--sample]

"""

func fail(_ message: String, code: Int32 = 64) -> Never {
    writeAll(2, Array(("pros-pricer: " + message + "\n").utf8))
    exit(code)
}

/// Parsed `--flag value` options and positional arguments.
struct Arguments {
    var options: [String: String] = [:]
    var flags: Set<String> = []
    var positional: [String] = []

    init(_ args: ArraySlice<String>, valued: Set<String>, switches: Set<String>) {
        var it = args.makeIterator()
        while let a = it.next() {
            if a.hasPrefix("--") && a.count > 2 {
                var name = String(a.dropFirst(2))
                var value: String?
                if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
                if valued.contains(name) {
                    guard let v = value ?? it.next() else { fail("--\(name) needs a value\n" + usage) }
                    options[name] = v
                } else if switches.contains(name) && value == nil {
                    flags.insert(name)
                } else { fail("unknown option --\(name)\n" + usage) }
            } else { positional.append(a) }
        }
    }
}

let argv = CommandLine.arguments
guard argv.count >= 2 else { fail("a subcommand is required\n" + usage) }
switch argv[1] {
case "price":
    let a = Arguments(argv.dropFirst(2), valued: ["config"], switches: ["batch"])
    guard a.positional.count <= 1 else { fail("price takes at most one FILE\n" + usage) }
    exit(runPrice(configDirectory: a.options["config"], batch: a.flags.contains("batch"), input: a.positional.first ?? "-"))
case "check-config":
    let a = Arguments(argv.dropFirst(2), valued: ["config"], switches: [])
    exit(runCheckConfig(directory: a.options["config"] ?? a.positional.first ?? "config"))
case "serve":
    let a = Arguments(argv.dropFirst(2), valued: ["host", "port", "config"], switches: [])
    exit(runServe(a))
case "healthcheck":
    let a = Arguments(argv.dropFirst(2), valued: ["host", "port", "config"], switches: [])
    exit(runHealthcheck(a))
case "bench":
    let a = Arguments(argv.dropFirst(2), valued: ["months"], switches: ["sample", "compact"])
    let compact = a.flags.contains("compact")
    if a.flags.contains("sample") { print(sampleMonth(Int(a.options["months"] ?? "0") ?? 0, compact: compact)); exit(0) }
    guard let months = Int(a.options["months"] ?? "200000"), months >= 1 else { fail("--months must be a whole number of at least 1") }
    exit(runBench(months: months, compact: compact))
case "-h", "--help", "help":
    writeAll(1, Array(usage.utf8)); exit(0)
default:
    fail("unknown subcommand \(argv[1])\n" + usage)
}
