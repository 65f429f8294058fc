import CZlib

/// Streaming gzip compression (zlib, `windowBits = 16 + 15`). The `z_stream` lives at a stable address.
public final class GzipDeflater {
    let stream: UnsafeMutablePointer<z_stream>

    public init(level: Int32 = 5) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = CZlib_deflateInit2(stream, level, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY)
        precondition(rc == Z_OK, "deflateInit2 failed: \(rc)")  // only fails when out of memory
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input` and appends output to `out`; `finish` ends the gzip member.
    public func compress(_ input: UnsafeRawBufferPointer, finish: Bool, into out: inout [UInt8]) {
        var chunk = [UInt8](repeating: 0, count: max(1024, input.count / 2 + 64))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.pointee.avail_in = uInt(input.count)
        let flush = finish ? Z_FINISH : Z_SYNC_FLUSH
        while true {
            let produced: Int = chunk.withUnsafeMutableBytes { p in
                stream.pointee.next_out = p.bindMemory(to: Bytef.self).baseAddress
                stream.pointee.avail_out = uInt(p.count)
                _ = deflate(stream, flush)
                return p.count - Int(stream.pointee.avail_out)
            }
            out.append(contentsOf: chunk[0..<produced])
            if stream.pointee.avail_out != 0 && stream.pointee.avail_in == 0 { break }
        }
        stream.pointee.next_in = nil
    }

    public func compress(_ input: [UInt8], finish: Bool, into out: inout [UInt8]) {
        input.withUnsafeBytes { compress($0, finish: finish, into: &out) }
    }

    /// One whole buffer to gzip.
    public static func gzip(_ input: [UInt8], level: Int32 = 5) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 3 + 64)
        GzipDeflater(level: level).compress(input, finish: true, into: &out)
        return out
    }
}

public enum GzipError: Error, Equatable {
    case corrupt
    /// The inflated data would exceed the limit (a gzip bomb): answered `413`.
    case tooLarge
}

/// Streaming gzip decompression with a cap on the *inflated* size.
public final class GzipInflater {
    let stream: UnsafeMutablePointer<z_stream>
    public let maxOutputBytes: Int
    public private(set) var totalOut = 0
    public private(set) var isFinished = false

    public init(maxOutputBytes: Int) {
        self.maxOutputBytes = maxOutputBytes
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = CZlib_inflateInit2(stream, 16 + 15)
        precondition(rc == Z_OK, "inflateInit2 failed: \(rc)")
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    public func inflate(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) throws(GzipError) {
        guard input.count > 0 else { return }
        if isFinished { throw .corrupt }  // data after the gzip member's end
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.pointee.avail_in = uInt(input.count)
        defer { stream.pointee.next_in = nil }
        while true {
            var rc: Int32 = Z_OK
            let produced: Int = chunk.withUnsafeMutableBytes { p in
                stream.pointee.next_out = p.bindMemory(to: Bytef.self).baseAddress
                stream.pointee.avail_out = uInt(p.count)
                rc = CZlib.inflate(stream, Z_NO_FLUSH)
                return p.count - Int(stream.pointee.avail_out)
            }
            totalOut += produced
            if totalOut > maxOutputBytes { throw .tooLarge }
            out.append(contentsOf: chunk[0..<produced])
            if rc == Z_STREAM_END {
                isFinished = true
                if stream.pointee.avail_in != 0 { throw .corrupt }
                return
            }
            guard rc == Z_OK || rc == Z_BUF_ERROR else { throw .corrupt }
            if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return }
            if rc == Z_BUF_ERROR && produced == 0 { return }
        }
    }

    public func inflate(_ input: [UInt8], into out: inout [UInt8]) throws(GzipError) {
        var failure: GzipError?
        input.withUnsafeBytes { p in
            do throws(GzipError) { try inflate(p, into: &out) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// True when the last bounded `inflate` stopped at its output limit: zlib may hold more output, and a
    /// call with no new input gives it.
    public private(set) var mayHaveOutput = false

    /// Inflates from `input` until `maxOutput` bytes are produced or the input is used up (so one gzip
    /// bomb never inflates at once); returns how many input bytes it consumed.
    public func inflate(
        _ input: UnsafeRawBufferPointer, into out: inout [UInt8],
        maxOutput: Int
    ) throws(GzipError) -> Int {
        if isFinished {
            if input.count > 0 { throw .corrupt }  // data after the gzip member's end
            return 0
        }
        var chunk = [UInt8](repeating: 0, count: min(16 * 1024, max(maxOutput, 1)))
        stream.pointee.next_in =
            input.count > 0
            ? UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress) : nil
        stream.pointee.avail_in = uInt(input.count)
        defer { stream.pointee.next_in = nil }
        var budget = maxOutput
        mayHaveOutput = false
        while true {
            var rc: Int32 = Z_OK
            let room = min(chunk.count, budget)
            let produced: Int = chunk.withUnsafeMutableBytes { p in
                stream.pointee.next_out = p.bindMemory(to: Bytef.self).baseAddress
                stream.pointee.avail_out = uInt(room)
                rc = CZlib.inflate(stream, Z_NO_FLUSH)
                return room - Int(stream.pointee.avail_out)
            }
            totalOut += produced
            if totalOut > maxOutputBytes { throw .tooLarge }
            out.append(contentsOf: chunk[0..<produced])
            budget -= produced
            let consumed = input.count - Int(stream.pointee.avail_in)
            if rc == Z_STREAM_END {
                isFinished = true
                if stream.pointee.avail_in != 0 { throw .corrupt }
                return consumed
            }
            guard rc == Z_OK || rc == Z_BUF_ERROR else { throw .corrupt }
            if budget <= 0 {
                mayHaveOutput = true
                return consumed
            }
            if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return consumed }
            if rc == Z_BUF_ERROR && produced == 0 { return consumed }
        }
    }

    /// Throws when the input ended before the gzip member did.
    public func finish() throws(GzipError) { if !isFinished { throw .corrupt } }
}

/// Whether `Accept-Encoding` admits gzip (RFC 9110 §12.5.3), q-values honoured.
public func acceptsGzip(_ headers: HTTPHeaders) -> Bool {
    var gzipQ: Double?, starQ: Double?
    for element in headers.tokens("accept-encoding") {
        let parts = element.split(separator: ";").map { trimOWS($0) }
        var q = 1.0
        for p in parts.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
        switch parts.first {
        case "gzip", "x-gzip": gzipQ = q
        case "*": starQ = q
        default: break
        }
    }
    if let gzipQ { return gzipQ > 0 }
    return (starQ ?? 0) > 0
}
