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
            result = .failure(
                Problem(
                    type: "urn:pros-pricer:problem:line-too-long", title: "Line too long", status: 413,
                    detail: "the line is longer than \(splitter.maxLineBytes) bytes"))
        case .complete(let bytes):
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            result = pricer.price(json: bytes)
        }
        onResult?(result)
        var w = JSONWriter(capacity: (try? result.get())?.expectedJSONBytes ?? 2048)
        Self.writeItem(line: lineNumber, result, to: &w)
        w.withBytes { out.append(contentsOf: $0) }
        out.append(0x0A)
    }

    /// `{"line": N, "result": …}` or `{"line": N, "error": …}`.
    public static func writeItem(line: Int, _ result: Result<PricedClaim, Problem>, to w: inout JSONWriter) {
        w.beginObject()
        w.field("line", line)
        switch result {
        case .success(let claim): w.key("result"); claim.write(to: &w)
        case .failure(let problem): w.key("error"); problem.write(to: &w)
        }
        w.endObject()
    }
}

/// Splits a JSON array into its elements' bytes as they arrive, with bounded memory: an element longer
/// than `maxElementBytes` is reported as too long and its bytes dropped as they arrive. Only the array's
/// framing is checked here (`[`, `,`, `]`, strings and nesting); the pricer parses each element. An element
/// that lies whole in the input is handed out in place; only one split across inputs is copied.
public struct JSONArraySplitter {
    public enum Piece {
        /// An element's bytes (without surrounding whitespace), valid only during the `emit` call.
        case element(UnsafeBufferPointer<UInt8>)
        case tooLong
        /// The array's framing is broken at this byte offset; nothing after it is read.
        case syntaxError(JSONSyntaxError)
    }

    enum State {
        case start
        case beforeElement(first: Bool)
        case inElement, done, failed
    }

    public let maxElementBytes: Int
    var state = State.start
    var depth = 0
    var isInString = false
    var isEscaped = false
    var pending: [UInt8] = []
    var elementBytes = 0
    /// Bytes of input read so far (the offset of a syntax error).
    public private(set) var offset = 0

    public init(maxElementBytes: Int) { self.maxElementBytes = maxElementBytes }

    public var isFinished: Bool {
        switch state {
        case .done, .failed: true
        default: false
        }
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Piece) -> Void) {
        let b = bytes.bindMemory(to: UInt8.self)
        var i = 0
        var elementStart = 0  // where the element began in this input (when `pending` is empty)
        while i < b.count {
            let c = b[i]
            switch state {
            case .failed:
                offset += b.count - i
                return
            case .start, .done:
                if isWhitespace(c) { break }
                if case .start = state, c == UInt8(ascii: "[") { state = .beforeElement(first: true); break }
                fail(case: state, emit)
                continue
            case .beforeElement(let first):
                if isWhitespace(c) { break }
                if c == UInt8(ascii: "]") && first { state = .done; break }
                if c == UInt8(ascii: "]") || c == UInt8(ascii: ",") {
                    fail("expected a member-month", emit)
                    continue
                }
                state = .inElement
                depth = 0
                isInString = false
                elementBytes = 0
                elementStart = i
                continue  // the byte is the element's first
            case .inElement:
                if isInString {
                    if isEscaped {
                        isEscaped = false
                    } else if c == UInt8(ascii: "\\") {
                        isEscaped = true
                    } else if c == UInt8(ascii: "\"") {
                        isInString = false
                    }
                } else if c == UInt8(ascii: "\"") {
                    isInString = true
                } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    depth += 1
                } else if (c == UInt8(ascii: "]") || c == UInt8(ascii: ",")) && depth == 0 {
                    endElement(b, from: elementStart, to: i, emit)
                    state = c == UInt8(ascii: ",") ? .beforeElement(first: false) : .done
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    if depth == 0 {
                        fail("unbalanced \(c == UInt8(ascii: "}") ? "}" : "]")", emit)
                        continue
                    }
                    depth -= 1
                }
            }
            i += 1
            offset += 1
        }
        if case .inElement = state { keep(UnsafeBufferPointer(rebasing: b[elementStart..<b.count])) }
    }

    /// The end of the input: the array must be closed.
    public mutating func finish(_ emit: (Piece) -> Void) {
        switch state {
        case .done, .failed: return
        case .start: fail("expected an array of member-months", emit)
        default: fail("the array is not closed", emit)
        }
    }

    mutating func fail(case state: State, _ emit: (Piece) -> Void) {
        if case .start = state {
            fail("expected an array of member-months", emit)
        } else {
            fail("data after the array", emit)
        }
    }

    mutating func fail(_ reason: String, _ emit: (Piece) -> Void) {
        state = .failed
        pending = []
        emit(.syntaxError(JSONSyntaxError(offset: offset, reason: reason)))
    }

    mutating func keep(_ part: UnsafeBufferPointer<UInt8>) {
        elementBytes += part.count
        if elementBytes > maxElementBytes + 64 {  // room for whitespace trimmed later
            pending = []
        } else {
            pending.append(contentsOf: part)
        }
    }

    mutating func endElement(
        _ b: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
        _ emit: (Piece) -> Void
    ) {
        let tail = UnsafeBufferPointer(rebasing: b[start..<end])
        if pending.isEmpty && elementBytes == 0 {
            emitTrimmed(tail, emit)
        } else {
            keep(tail)
            if elementBytes > maxElementBytes + 64 {
                emit(.tooLong)
            } else {
                pending.withUnsafeBufferPointer { emitTrimmed($0, emit) }
            }
            pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
        }
        elementBytes = 0
    }

    func emitTrimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Piece) -> Void) {
        var end = bytes.count
        while end > 0 && isWhitespace(bytes[end - 1]) { end -= 1 }
        emit(end > maxElementBytes ? .tooLong : .element(UnsafeBufferPointer(rebasing: bytes[0..<end])))
    }

    @inline(__always) func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
}

/// Prices a JSON-array batch as it arrives and streams the answer array out as it goes (API "Price many":
/// `[{"line": 1, "result": …}, …]`, `line` the element's 1-based position), so memory stays bounded whatever
/// the array's size. A body that is not an array is a 400 problem; framing broken after answers went out
/// ends the array with an error item naming the byte offset.
public struct ArrayBatchPricer {
    public let pricer: Pricer
    public var splitter: JSONArraySplitter
    public private(set) var items = 0
    /// 400 when the body was refused before any answer (the answer is then one problem document).
    public private(set) var status = 200
    /// Called after each priced element with its outcome, for metrics.
    public var onResult: ((Result<PricedClaim, Problem>) -> Void)?

    public init(pricer: Pricer, maxElementBytes: Int) {
        self.pricer = pricer
        splitter = JSONArraySplitter(maxElementBytes: maxElementBytes)
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var s = splitter
        splitter = JSONArraySplitter(maxElementBytes: s.maxElementBytes)  // moved out: its buffer stays unique
        s.feed(bytes) { emit($0, into: &out) }
        splitter = s
    }

    public mutating func finish(into out: inout [UInt8]) {
        var s = splitter
        splitter = JSONArraySplitter(maxElementBytes: s.maxElementBytes)
        s.finish { emit($0, into: &out) }
        splitter = s
        if status == 200 {
            if items == 0 { out.append(UInt8(ascii: "[")) }
            out.append(UInt8(ascii: "]"))
        }
    }

    mutating func emit(_ piece: JSONArraySplitter.Piece, into out: inout [UInt8]) {
        let result: Result<PricedClaim, Problem>
        switch piece {
        case .element(let bytes):
            result = pricer.price(json: bytes)
            onResult?(result)
        case .tooLong:
            result = .failure(
                Problem(
                    type: "urn:pros-pricer:problem:item-too-long", title: "Item too long",
                    status: 413, detail: "the item is longer than \(splitter.maxElementBytes) bytes"))
            onResult?(result)
        case .syntaxError(let e):
            if items == 0 {
                status = 400
                out += Problem.syntax(e).jsonBytes()
                return
            }
            result = .failure(Problem.syntax(e))
        }
        items += 1
        out.append(UInt8(ascii: items == 1 ? "[" : ","))
        var w = JSONWriter(capacity: (try? result.get())?.expectedJSONBytes ?? 2048)
        BatchPricer.writeItem(line: items, result, to: &w)
        w.withBytes { out.append(contentsOf: $0) }
    }
}
