#if canImport(Glibc)
import Glibc
#endif
import JSON
import PROSRules
import PROSWire
import PROSService

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
    do { return try ConfigLoader.loadRuleBook(configDirectory: dir) } catch { fail("bad config: \(error)", code: 78) }
}

/// `price`: one member-month in, the priced JSON out (exit 0) or the problem object (exit 2).
/// With `--batch`, NDJSON in and one result line per input line out, streamed with flat memory.
func runPrice(configDirectory: String?, batch: Bool, input: String) -> Int32 {
    let pricer = Pricer(book: loadBook(configDirectory))
    var fd: Int32 = 0
    if input != "-" {
        fd = open(input, O_RDONLY | O_CLOEXEC)
        if fd < 0 { fail("\(input): \(String(cString: strerror(errno)))", code: 66) }
    }
    defer { if fd != 0 { close(fd) } }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    if batch {
        var batcher = BatchPricer(pricer: pricer, maxLineBytes: 1 << 20)
        var out: [UInt8] = []
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; fail("read: \(String(cString: strerror(errno)))", code: 74) }
            if n == 0 { break }
            chunk.withUnsafeBytes { batcher.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n]), into: &out) }
            if out.count > 1 << 16 { writeAll(1, out); out.removeAll(keepingCapacity: true) }
        }
        batcher.finish(into: &out)
        writeAll(1, out)
        return 0
    }
    var body: [UInt8] = []
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; fail("read: \(String(cString: strerror(errno)))", code: 74) }
        if n == 0 { break }
        body.append(contentsOf: chunk[0..<n])
        if body.count > 16 << 20 { fail("input larger than 16 MiB", code: 65) }
    }
    switch pricer.price(json: body) {
    case let .success(claim):
        writeAll(1, claim.jsonBytes() + [0x0A])
        return 0
    case let .failure(problem):
        writeAll(1, problem.jsonBytes() + [0x0A])
        return 2
    }
}

/// `check-config`: validates a config folder; non-zero naming the bad file and key.
func runCheckConfig(directory: String) -> Int32 {
    do {
        let book = try ConfigLoader.loadRuleBook(configDirectory: directory)
        writeAll(1, Array("ok: \(book.ruleSets.count) rule sets (\(book.ruleSets.map(\.id).joined(separator: ", "))), \(book.rateSchedules.count) rate schedules, digest \(book.digest)\n".utf8))
        return 0
    } catch {
        writeAll(2, Array("pros-pricer: invalid config: \(error)\n".utf8))
        return 1
    }
}
