import JSON
import PROSRules
import PROSWire

/// Splits a byte stream into lines (NDJSON) with bounded memory: a line longer than `maxLineBytes`
/// is reported as too long and its bytes are dropped as they arrive. A line that lies whole in the
/// input is handed out in place; only a line split across inputs is copied (into one reused buffer).
public struct LineSplitter {
    /// A finished line; `complete`'s bytes are valid only during the `emit` call.
    public enum Line {
        case complete(UnsafeBufferPointer<UInt8>)
        case tooLong
    }

    public let maxLineBytes: Int
    var pending: [UInt8] = []
    var overflowing = false

    public init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Feeds bytes; calls `emit` for each finished line (without its `\n` or a trailing `\r`).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Line) -> Void) {
        let b = bytes.bindMemory(to: UInt8.self)
        var start = 0
        while start < b.count {
            guard let nl = b[start...].firstIndex(of: 0x0A) else {
                append(UnsafeBufferPointer(rebasing: b[start...]))
                return
            }
            if pending.isEmpty && !overflowing {
                emitLine(UnsafeBufferPointer(rebasing: b[start..<nl]), emit)
            } else {
                append(UnsafeBufferPointer(rebasing: b[start..<nl]))
                finishLine(emit)
            }
            start = nl + 1
        }
    }

    /// Flushes the last line when the input does not end in `\n`.
    public mutating func finish(_ emit: (Line) -> Void) {
        if !pending.isEmpty || overflowing { finishLine(emit) }
    }

    mutating func append(_ part: UnsafeBufferPointer<UInt8>) {
        guard !overflowing else { return }
        // One byte of slack for the `\r` of a CRLF line ending.
        if pending.count + part.count > maxLineBytes + 1 {
            overflowing = true
            pending = []
        } else {
            pending.append(contentsOf: part)
        }
    }

    mutating func finishLine(_ emit: (Line) -> Void) {
        if overflowing { emit(.tooLong) } else { pending.withUnsafeBufferPointer { emitLine($0, emit) } }
        pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
        overflowing = false
    }

    /// One line without its trailing `\r`, or too long.
    func emitLine(_ line: UnsafeBufferPointer<UInt8>, _ emit: (Line) -> Void) {
        let content = line.last == 0x0D ? UnsafeBufferPointer(rebasing: line.dropLast()) : line
        emit(content.count > maxLineBytes ? .tooLong : .complete(content))
    }
}

/// Prices NDJSON member-months line by line (API.md "Price many"): each input line gives one
/// `{"line": N, "result": …}` or `{"line": N, "error": …}`, 1-based, in order. A bad line never stops the rest.
/// Blank lines are skipped but still counted, so `line` always names the physical input line.
public struct BatchPricer {
    public let pricer: Pricer
    public var splitter: LineSplitter
    public private(set) var lineNumber = 0
    /// Called after each priced line with its outcome, for metrics.
    public var onResult: ((Result<PricedClaim, Problem>) -> Void)?

    public init(pricer: Pricer, maxLineBytes: Int) {
        self.pricer = pricer
        splitter = LineSplitter(maxLineBytes: maxLineBytes)
    }

    /// Feeds input bytes; appends one output line per finished input line to `out`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var s = takeSplitter()
        defer { splitter = s }
        s.feed(bytes) { emit($0, into: &out) }
    }

    public mutating func finish(into out: inout [UInt8]) {
        var s = takeSplitter()
        defer { splitter = s }
        s.finish { emit($0, into: &out) }
    }

    /// The splitter, moved out so that lines can be priced while it runs (its buffer stays uniquely owned).
    mutating func takeSplitter() -> LineSplitter {
        let s = splitter
        splitter = LineSplitter(maxLineBytes: s.maxLineBytes)
        return s
    }

    mutating func emit(_ line: LineSplitter.Line, into out: inout [UInt8]) {
        lineNumber += 1
        let result: Result<PricedClaim, Problem>
        switch line {
        case .tooLong:
            result = .failure(Problem(type: "urn:pros-pricer:problem:line-too-long", title: "Line too long", status: 413,
                                      detail: "the line is longer than \(splitter.maxLineBytes) bytes"))
        case let .complete(bytes):
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            result = pricer.price(json: bytes)
        }
        onResult?(result)
        var w = JSONWriter(capacity: 2048)
        Self.writeItem(line: lineNumber, result, to: &w)
        w.withBytes { out.append(contentsOf: $0) }
        out.append(0x0A)
    }

    /// `{"line": N, "result": …}` or `{"line": N, "error": …}`.
    public static func writeItem(line: Int, _ result: Result<PricedClaim, Problem>, to w: inout JSONWriter) {
        w.beginObject()
        w.field("line", line)
        switch result {
        case let .success(claim): w.key("result"); claim.write(to: &w)
        case let .failure(problem): w.key("error"); problem.write(to: &w)
        }
        w.endObject()
    }
}
