import ArgumentParser
import Dispatch
import HTTPServer
import JSON
import PROSRules
import PROSService
import PROSWire

#if canImport(Glibc)
    import Glibc
#endif

func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var off = 0
    bytes.withUnsafeBytes { p in
        while off < p.count {
            let n = write(fd, p.baseAddress! + off, p.count - off)
            if n < 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }
}

func loadBook(_ dir: String?) -> RuleBook {
    do { return try ConfigLoader.loadRuleBook(configDirectory: dir) } catch {
        fail("bad config: \(error)", code: Exit.badConfig)
    }
}

struct Price: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prices member-months: one (JSON), a batch (NDJSON) or a billing export (CSV).",
        discussion: """
            Input formats (FILE, or - for standard input):
              (default)   one member-month as JSON: the body of
                          POST /v1/claims/price.
              --batch     NDJSON, one member-month per line. One answer per
                          line, in order: {"line": N, "result" | "error": ...}.
                          Streamed with flat memory.
              --csv FILE  a billing export: one row per service, a header row
                          naming the columns (any order and case; unknown
                          columns are ignored; UTF-8, an optional BOM, RFC 4180
                          quoting, CRLF or LF).
                          Service columns: memberId, date, component, format,
                          minutes, location (required); id (default: the row
                          number), startTime, telehealth, employmentSetting,
                          prescriberContact, service.
                          Member-month columns, on every row of the member-month
                          or only some: month (default: the month of date),
                          status (required), admissionDate, dischargeDate,
                          rreCodes, medicationManagement, lastPrescriberContact,
                          prescriberContactDates, targetPopulation,
                          rateSchedule, payer, priorPreadmissionMonths.
                          Lists are separated by ';'. Booleans: true/false,
                          yes/no, 1/0. Rows are grouped by (memberId, month) and
                          priced in that order; a month billed at the
                          pre-admission rate (4510) counts as a prior
                          pre-admission month for the member's later months.
                          Errors name the row (the header is row 1) and column.
            Batches are priced on every usable CPU (--jobs), answered in order.

            Output formats (--format):
              json     one member-month (the default for one)
              ndjson   one answer per line (the default for --batch and --csv)
              pretty   indented JSON
              csv      one row per claim line: memberId, month, dateOfService,
                       kind, rateCode, procedureCode, modifiers, units, amount,
                       findings (cells starting =, +, -, @ get a leading ')
              table    the claim lines, total and findings, for a terminal
            --summary prints a batch's totals as a table on standard error:
            member-months read, priced and refused; lines, units and amounts
            by rate code; the total; findings by code.

            Examples:
              pros-pricer price month.json
              pros-pricer price --format table - < month.json
              pros-pricer price --batch months.ndjson > answers.ndjson
              pros-pricer price --csv examples/billing-export.csv --summary \\
                  --format csv > claims.csv

            \(exitCodesHelp)
            """)

    @Option(help: "A config folder with rules/ and rates/ (default: the built-in copy).") var config: String?
    @Flag(help: "The input is NDJSON: one member-month per line.") var batch = false
    @Option(
        help: ArgumentHelp(
            "The input is a CSV billing export (a file, or - for standard input).",
            valueName: "file"))
    var csv: String?
    @Flag(help: "After a batch, print its totals as a table on standard error.") var summary = false
    @Option(help: "json, pretty, ndjson, csv or table.") var format: OutputFormat?
    @Option(help: "Worker threads for a batch, at least 1 (default: the CPUs this process may use).") var jobs: Int?
    @Argument(help: "The input file, or - for standard input (default -).") var file: String?

    func validate() throws {
        if batch && csv != nil { throw ValidationError("--batch and --csv are different inputs: give one") }
        if csv != nil && file != nil { throw ValidationError("--csv takes the file; give no other FILE") }
        if summary && !batch && csv == nil { throw ValidationError("--summary is for a batch (--batch or --csv)") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
    }

    func run() throws {
        let pricer = Pricer(book: loadBook(config))
        let workers = jobs ?? HTTPServer.usableCPUs()
        if let csv {
            throw ExitCode(runExport(csv, pricer, workers: workers, format: format ?? .ndjson, summary: summary))
        }
        let input = file ?? "-"
        if batch {
            throw ExitCode(runBatch(input, pricer, workers: workers, format: format ?? .ndjson, summary: summary))
        }
        let body = InputFile(input, limit: 16 << 20)
        let result = body.withBytes { pricer.price(json: $0) }
        let f = format ?? .json
        var out = f == .csv ? BillingExport.preamble(.csv) : []
        out += render(line: nil, result, f)
        writeAll(1, out)
        if case .failure = result { throw ExitCode(Exit.invalidInput) }
    }
}

/// An input file read whole: mapped when it is a regular file, read when it is a pipe or a terminal.
final class InputFile {
    let base: UnsafeMutableRawPointer?
    let count: Int
    let mapped: Bool
    var owned: [UInt8] = []

    init(_ path: String, limit: Int = .max) {
        var fd: Int32 = 0
        if path != "-" {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { fail("\(path): \(String(cString: strerror(errno)))", code: Exit.noInput) }
        }
        defer { if fd != 0 { close(fd) } }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 {
            if Int(st.st_size) > limit { fail("\(path) is larger than \(limit >> 20) MiB", code: Exit.invalidInput) }
            let p = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0)
            if let p, p != MAP_FAILED {
                base = p; count = Int(st.st_size); mapped = true
                return
            }
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                fail("\(path): \(String(cString: strerror(errno)))", code: Exit.noInput)
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
            if bytes.count > limit { fail("\(path) is larger than \(limit >> 20) MiB", code: Exit.invalidInput) }
        }
        owned = bytes
        base = nil; count = bytes.count; mapped = false
    }

    deinit { if mapped, let base { munmap(base, count) } }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if mapped, let base {
            return body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count))
        }
        return owned.withUnsafeBufferPointer(body)
    }
}

/// `price --csv`: the export grouped into member-months, priced on `workers` threads, answered in order.
func runExport(_ path: String, _ pricer: Pricer, workers: Int, format: OutputFormat, summary: Bool) -> Int32 {
    let input = InputFile(path)
    return input.withBytes { bytes in
        let export: BillingExport
        do throws(BillingExport.Refusal) { export = try BillingExport(bytes) } catch {
            let out: [UInt8] = format == .table ? Array(refusalTable(error).utf8) : error.jsonBytes() + [0x0A]
            writeAll(1, out)
            return Exit.invalidInput
        }
        var totals = BatchSummary()
        if format == .csv { writeAll(1, BillingExport.preamble(.csv)) }
        export.priceAll(
            with: pricer, workers: workers, render: { render($0, format) },
            onOutcome: { o in
                if case .success(let claim) = o.result { totals.add(claim) } else { totals.addRefused() }
            }, emit: { writeAll(1, $0) })
        if summary { writeAll(2, Array(totals.table().utf8)) }
        return totals.refused > 0 ? Exit.someRefused : Exit.ok
    }
}

/// `price --batch`: NDJSON lines gathered in windows, each window priced on `workers` threads and written
/// in input order; memory stays flat (a window holds at most a few MiB of input).
func runBatch(_ path: String, _ pricer: Pricer, workers: Int, format: OutputFormat, summary: Bool) -> Int32 {
    var fd: Int32 = 0
    if path != "-" {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { fail("\(path): \(String(cString: strerror(errno)))", code: Exit.noInput) }
    }
    defer { if fd != 0 { close(fd) } }
    let maxLine = 1 << 20
    var splitter = LineSplitter(maxLineBytes: maxLine)
    var storage: [UInt8] = []
    // (line number, range in storage); an empty range with a negative start marks a line too long.
    var entries: [(line: Int, start: Int, end: Int)] = []
    var lineNumber = 0
    var totals = BatchSummary()
    let windowLines = 256 * max(1, workers)
    if format == .csv { writeAll(1, BillingExport.preamble(.csv)) }

    // While the workers price one window, this thread reads the next: at most one window is being priced
    // and one filled, so memory stays flat.
    let inFlight = DispatchGroup()
    let priced = Box<[(Result<PricedClaim, Problem>, [UInt8])]>([])
    var out: [UInt8] = []
    func writePriced() {
        inFlight.wait()
        out.removeAll(keepingCapacity: true)
        for (result, bytes) in priced.value {
            if case .success(let claim) = result { totals.add(claim) } else { totals.addRefused() }
            out += bytes
        }
        priced.value = []
        writeAll(1, out)
    }
    func flush() {
        writePriced()  // the window before, in order
        let window = storage, items = entries
        storage = []
        entries = []
        storage.reserveCapacity(window.count)
        DispatchQueue.global().async(group: inFlight) {
            priced.value = parallelMap(items.count, workers: workers) { i -> (Result<PricedClaim, Problem>, [UInt8]) in
                let e = items[i]
                let result: Result<PricedClaim, Problem>
                if e.start < 0 {
                    result = .failure(
                        Problem(
                            type: "urn:pros-pricer:problem:line-too-long", title: "Line too long",
                            status: 413, detail: "the line is longer than \(maxLine) bytes"))
                } else {
                    result = window.withUnsafeBufferPointer {
                        pricer.price(json: UnsafeBufferPointer(rebasing: $0[e.start..<e.end]))
                    }
                }
                return (result, render(line: e.line, result, format))
            }
        }
    }

    let emit: (LineSplitter.Line) -> Void = { line in
        lineNumber += 1
        switch line {
        case .tooLong:
            entries.append((lineNumber, -1, -1))
        case .complete(let bytes):
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }  // blank: counted, not answered
            entries.append((lineNumber, storage.count, storage.count + bytes.count))
            storage.append(contentsOf: bytes)
        }
        if entries.count >= windowLines || storage.count >= 8 << 20 { flush() }
    }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            fail("\(path): \(String(cString: strerror(errno)))", code: Exit.noInput)
        }
        if n == 0 { break }
        chunk.withUnsafeBytes { splitter.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n]), emit) }
    }
    splitter.finish(emit)
    flush()
    writePriced()
    if summary { writeAll(2, Array(totals.table().utf8)) }
    return totals.refused > 0 ? Exit.someRefused : Exit.ok
}

/// `check-config`: validates a config folder; exit 78 naming the bad file and key.
func runCheckConfig(directory: String) -> Int32 {
    do {
        let book = try ConfigLoader.loadRuleBook(configDirectory: directory)
        let sets = book.ruleSets.map(\.id).joined(separator: ", ")
        let schedules = book.rateSchedules.count
        writeAll(
            1,
            Array(
                ("ok: \(book.ruleSets.count) rule sets (\(sets)), \(schedules) rate schedules, "
                    + "digest \(book.digest)\n").utf8))
        return Exit.ok
    } catch {
        writeAll(2, Array("pros-pricer: invalid config: \(error)\n".utf8))
        return Exit.badConfig
    }
}

/// A value handed to a worker and read back after it is done (the group's wait orders the two).
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
