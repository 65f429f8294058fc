// libFuzzer target for the CSV reader and writer and the billing-export mapping (see scripts/fuzz.sh).
// Properties: no crash or hang on any input; every field lies inside the input; a record read again
// from the offset reported for it is the same record; what the writer writes, the reader reads back;
// an export is refused whole with at least one located error, or every non-blank row lands in exactly
// one member-month, and every refused member-month names rows of the file.

let pricer = Pricer(book: RuleBook.builtIn())

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let buf = UnsafeBufferPointer(start: data, count: size)
    var reader = CSVReader(buf)
    var fields: [CSVField] = []
    var records: [[[UInt8]]] = []
    var malformed = false
    do {
        var last = -1
        while let start = try reader.next(into: &fields) {
            precondition(start > last, "records must advance")
            last = start
            for f in fields { precondition(f.start <= f.end && f.end <= size, "a field outside the input") }
            var again = CSVReader(buf, at: start)
            var second: [CSVField] = []
            precondition((try? again.next(into: &second)) == start && second == fields, "a record read again differs")
            records.append(fields.map { $0.bytes(in: buf) })
        }
    } catch {
        precondition(error.offset >= 0 && error.offset <= size, "an error outside the input")
        malformed = true
    }
    if !malformed {
        var out: [UInt8] = []
        for r in records {
            for (i, cell) in r.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                CSVWriter.appendCell(String(decoding: cell, as: UTF8.self), to: &out, guardFormulas: false)
            }
            out += [0x0D, 0x0A]
        }
        let valid = records.allSatisfy { $0.allSatisfy { String(validating: $0, as: UTF8.self) != nil } }
        let bom = out.starts(with: [0xEF, 0xBB, 0xBF])
        if valid && !bom {
            let back = out.withUnsafeBufferPointer { b -> [[[UInt8]]] in
                var r = CSVReader(b)
                var f: [CSVField] = []
                var all: [[[UInt8]]] = []
                while let _ = try? r.next(into: &f) { all.append(f.map { $0.bytes(in: b) }) }
                return all
            }
            precondition(back == records, "the writer's output reads back differently")
        }
    }
    // The export mapping.
    do {
        let export = try BillingExport(buf)
        var rows = 0
        export.priceAll(with: pricer, workers: 1, format: .ndjson, onOutcome: { o in
            rows += o.rows.count
            precondition(o.rows == o.rows.sorted() && o.rows.allSatisfy { $0 >= 2 && $0 <= records.count }, "rows")
            if case let .failure(r) = o.result {
                precondition(!r.errors.isEmpty, "a refused member-month without an error")
                precondition(r.errors.allSatisfy { $0.row >= 1 && $0.row <= records.count }, "an error's row")
            }
        }, emit: { bytes in
            for line in bytes.split(separator: 0x0A) {
                precondition((try? JSONValue.parse(Array(line))) != nil, "an answer line is not JSON")
            }
        })
        precondition(rows == export.rowCount, "every row in one member-month")
    } catch {
        precondition(!error.errors.isEmpty && (error.status == 400 || error.status == 422), "a refusal")
    }
    return 0
}
