import CSV
import Dispatch
import JSON
import PROSRules
import PROSWire

/// How a billing export's answer is written: NDJSON per member-month, or CSV rows per claim line.
public enum ExportFormat: Sendable {
    /// One `{"memberId", "month", "rows", "result" | "error"}` line per member-month.
    case ndjson
    /// One row per claim line (`none` for a member-month that bills nothing, `error` for a refused one).
    case csv
}

extension BillingExport {
    public static let csvHeader =
        "memberId,month,dateOfService,kind,rateCode,procedureCode,modifiers,units,amount,findings"

    /// The answer's first bytes: the CSV header row, or nothing for NDJSON.
    public static func preamble(_ format: ExportFormat) -> [UInt8] {
        format == .csv ? Array((csvHeader + "\r\n").utf8) : []
    }

    public static func write(_ o: Outcome, _ format: ExportFormat, into out: inout [UInt8]) {
        switch format {
        case .ndjson: writeNDJSON(o, into: &out)
        case .csv: writeCSV(o, into: &out)
        }
    }

    public static func writeNDJSON(_ o: Outcome, into out: inout [UInt8]) {
        var w = JSONWriter(capacity: 2048)
        w.beginObject()
        w.field("memberId", o.memberId)
        w.field("month", o.month)
        w.key("rows")
        w.beginArray()
        for r in o.rows { w.int(r) }
        w.endArray()
        switch o.result {
        case .success(let claim): w.key("result"); claim.write(to: &w)
        case .failure(let refusal): w.key("error"); refusal.write(to: &w)
        }
        w.endObject()
        w.withBytes { out.append(contentsOf: $0) }
        out.append(0x0A)
    }

    public static func writeCSV(_ o: Outcome, into out: inout [UInt8]) {
        switch o.result {
        case .success(let claim):
            let findings = claim.findings.map(\.code.rawValue).joined(separator: " ")
            let dos = claim.dateOfService.description
            if claim.lines.isEmpty {
                CSVWriter.appendRecord([o.memberId, o.month, dos, "none", "", "", "", "", "", findings], to: &out)
            }
            for line in claim.lines {
                CSVWriter.appendRecord(
                    [
                        o.memberId, o.month, line.dateOfService.description, line.kind.rawValue,
                        line.rateCode, line.procedureCode, line.modifiers.joined(separator: " "),
                        String(line.units), line.amount?.description ?? "", findings,
                    ], to: &out)
            }
        case .failure(let refusal):
            let why = refusal.errors.map { e in
                "row \(e.row)" + (e.column.map { " " + $0 } ?? "") + ": " + e.detail
            }.joined(separator: "; ")
            let cells = [o.memberId, o.month, "", "error", "", "", "", "", "", why.isEmpty ? refusal.detail : why]
            CSVWriter.appendRecord(cells, to: &out)
        }
    }

    /// Prices every member-month in order (member id, then month), `workers` members at a time, and
    /// hands each outcome to `onOutcome` (in order, for summaries and metrics) and the answer's bytes to
    /// `emit` (in order, in pieces of a window of members, so output never waits for the whole export).
    public func priceAll(
        with pricer: Pricer, workers: Int, format: ExportFormat,
        onOutcome: (Outcome) -> Void = { _ in }, emit: ([UInt8]) -> Void
    ) {
        priceAll(
            with: pricer, workers: workers,
            render: { o in
                var bytes: [UInt8] = []
                Self.write(o, format, into: &bytes)
                return bytes
            }, onOutcome: onOutcome, emit: emit)
    }

    /// The same, each outcome written by `render` (on the worker that priced it).
    public func priceAll(
        with pricer: Pricer, workers: Int, render: @escaping @Sendable (Outcome) -> [UInt8],
        onOutcome: (Outcome) -> Void = { _ in }, emit: ([UInt8]) -> Void
    ) {
        let window = max(1, workers) * 32
        var start = 0
        while start < members.count {
            let end = min(start + window, members.count)
            emit(priceMembers(start..<end, with: pricer, workers: workers, render: render, onOutcome: onOutcome))
            start = end
        }
    }

    /// Prices `members[range]` on `workers` threads; the answer's bytes for them, in order.
    public func priceMembers(
        _ range: Range<Int>, with pricer: Pricer, workers: Int,
        render: @escaping @Sendable (Outcome) -> [UInt8],
        onOutcome: (Outcome) -> Void = { _ in }
    ) -> [UInt8] {
        let first = range.lowerBound
        let done = parallelMap(range.count, workers: workers) { [self] i in
            let outcomes = self.priceMember(first + i, with: pricer)
            var bytes: [UInt8] = []
            for o in outcomes { bytes += render(o) }
            return (outcomes: outcomes, bytes: bytes)
        }
        var bytes: [UInt8] = []
        for d in done {
            for o in d.outcomes { onOutcome(o) }
            bytes += d.bytes
        }
        return bytes
    }
}

/// `body(0..<count)` on `workers` threads (item i on thread i % workers), results in order.
public func parallelMap<T>(_ count: Int, workers: Int, _ body: @Sendable (Int) -> T) -> [T] {
    if workers <= 1 || count <= 1 { return (0..<count).map(body) }
    var slots = [T?](repeating: nil, count: count)
    slots.withUnsafeMutableBufferPointer { buffer in
        let box = UncheckedSendable(buffer)
        let threads = min(workers, count)
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { k in
                for i in stride(from: k, to: count, by: threads) { box.value[i] = work.value(i) }
            }
        }
    }
    return slots.map { $0! }
}

/// A value handed to worker threads that each touch only their own part of it.
struct UncheckedSendable<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
