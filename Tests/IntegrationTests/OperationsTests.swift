import Foundation
import HTTPServer
import JSON
import PROSRules
import PROSService
import PROSWire
import Synchronization
import Testing

/// What an on-call engineer relies on: keys, probes, gauges, reloads under load, many idle connections, big uploads.
extension LiveTests {
    @Suite(.serialized) struct OperationsTests {
        let json = "Content-Type: application/json"

        @Test func apiKeysGuardTheV1RoutesButNotTheProbes() throws {
            let s = try LiveService { $0.apiKeys = ["k1-secret", "k2-other"] }
            defer { s.stop() }
            let c = Curl()
            let body = try fixtureRequest("mary")
            let none = c.request("POST", s.base + "/v1/claims/price", headers: [json], body: body)
            #expect(none.status == 401)
            #expect(none.headers["www-authenticate"] == "Bearer")
            #expect(none.headers["content-type"] == "application/problem+json")
            #expect(
                c.request(
                    "POST", s.base + "/v1/claims/price", headers: [json, "Authorization: Bearer k1-secreT"], body: body
                ).status == 401)
            #expect(
                c.request(
                    "POST", s.base + "/v1/claims/price", headers: [json, "Authorization: Bearer k1-secre"], body: body
                ).status == 401)
            #expect(
                c.request(
                    "POST", s.base + "/v1/claims/price", headers: [json, "Authorization: Basic k1-secret"], body: body
                ).status == 401)
            #expect(c.request("GET", s.base + "/v1/rule-sets").status == 401)
            #expect(
                c.request(
                    "POST", s.base + "/v1/claims/price", headers: [json, "Authorization: Bearer k2-other"], body: body
                ).status == 200)
            #expect(
                c.request(
                    "POST", s.base + "/v1/claims/price", headers: [json, "Authorization: bearer k1-secret"], body: body
                ).status == 200)
            for probe in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
                #expect(c.request("GET", s.base + probe).status == 200)
            }
            #expect(!s.log.contains("k1-secret") && !s.log.contains("k2-other"))  // keys are never logged
        }

        @Test func settingsComeFromServerJSONThenEnvironmentThenFlags() throws {
            let dir = NSTemporaryDirectory() + "pros-settings-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try
                #"{"port": 9001, "host": "127.0.0.1", "maxConnections": 7, "idleTimeoutMs": 1234, "apiKeys": ["from-file"]}"#
                .write(toFile: dir + "/server.json", atomically: true, encoding: .utf8)
            try "key-a\nkey-b,key-c\n".write(toFile: dir + "/keys", atomically: true, encoding: .utf8)
            let fromFile = try ServiceConfiguration.load(configDirectory: dir, environment: [:], flags: [:])
            #expect(
                fromFile.server.port == 9001 && fromFile.server.maxConnections == 7
                    && fromFile.server.idleTimeoutMs == 1234)
            #expect(fromFile.apiKeys == ["from-file"])
            let env = ["PORT": "9002", "PROS_PRICER_MAX_CONNECTIONS": "8", "PROS_PRICER_API_KEYS_FILE": dir + "/keys"]
            let fromEnv = try ServiceConfiguration.load(configDirectory: dir, environment: env, flags: [:])
            #expect(
                fromEnv.server.port == 9002 && fromEnv.server.maxConnections == 8
                    && fromEnv.server.idleTimeoutMs == 1234)
            #expect(fromEnv.apiKeys == ["from-file", "key-a", "key-b", "key-c"])
            let both = ["PORT": "9002", "PROS_PRICER_PORT": "9003"]
            #expect(
                try ServiceConfiguration.load(configDirectory: dir, environment: both, flags: [:]).server.port == 9003)
            let flagged = try ServiceConfiguration.load(
                configDirectory: dir, environment: both, flags: ["port": "9004", "host": "0.0.0.0"])
            #expect(flagged.server.port == 9004 && flagged.server.host == "0.0.0.0")
            #expect(throws: ServiceConfiguration.Invalid.self) {
                try ServiceConfiguration.load(
                    configDirectory: dir, environment: ["PROS_PRICER_MAX_CONNECTIONS": "many"], flags: [:])
            }
            #expect(fromFile.configWatchMs == 10_000)
            let watch = ["PROS_PRICER_CONFIG_WATCH_MS": "0"]
            #expect(
                try ServiceConfiguration.load(configDirectory: dir, environment: watch, flags: [:]).configWatchMs == 0)
            #expect(fromFile.server.pinThreads == .auto)
            #expect(
                try ServiceConfiguration.load(
                    configDirectory: dir, environment: ["PROS_PRICER_PIN_THREADS": "false"], flags: [:]
                ).server.pinThreads == .off)
            do {
                _ = try ServiceConfiguration.load(
                    configDirectory: dir, environment: ["PROS_PRICER_PIN_THREADS": "sometimes"], flags: [:])
                Issue.record("a bad pinThreads must be refused")
            } catch { #expect(error.key == "PROS_PRICER_PIN_THREADS") }
            do {
                _ = try ServiceConfiguration.load(
                    configDirectory: dir, environment: ["PROS_PRICER_API_KEYS_FILE": dir + "/missing"], flags: [:])
                Issue.record("a missing key file must be refused")
            } catch { #expect(error.key == "PROS_PRICER_API_KEYS_FILE") }
            try " \n,\n".write(toFile: dir + "/no-keys", atomically: true, encoding: .utf8)
            do {
                let env = ["PROS_PRICER_API_KEYS_FILE": dir + "/no-keys"]
                _ = try ServiceConfiguration.load(configDirectory: dir, environment: env, flags: [:])
                Issue.record("a key file without a key must be refused, not leave the service open")
            } catch { #expect(error.key == "PROS_PRICER_API_KEYS_FILE" && error.reason.contains("holds no key")) }
        }

        @Test func theHealthcheckProbeAnswersWhileServingAndFailsOnceStopped() throws {
            let s = try LiveService()
            let port = s.server.port
            #expect(probeHealth(port: port) == nil)
            s.stop()
            #expect(probeHealth(port: port) != nil)
            #expect(probeHealth(host: "not-an-address", port: port) != nil)
        }

        @Test func theInFlightGaugeReturnsToZeroWhateverEndsARequest() throws {
            let s = try LiveService { $0.maxPriceBodyBytes = 1000 }
            defer { s.stop() }
            // A parse error answered before any routing.
            _ = rawExchange(port: s.server.port, Array("GARBAGE\r\n\r\n".utf8))
            // A routed request refused by its body limit (413 before the body).
            _ = rawExchange(
                port: s.server.port,
                Array(
                    "POST /v1/claims/price HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                        .utf8))
            // A routed request whose client goes away mid-body, and a streamed batch cut the same way.
            for path in ["/v1/claims/price", "/v1/claims/price/batch"] {
                let fd = connectLoopback(port: s.server.port)
                let partial = Array(
                    "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{\"memberId\""
                        .utf8)
                _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                usleep(50_000)
                close(fd)
            }
            usleep(100_000)
            let metrics = Curl().request("GET", s.base + "/metrics").text
            #expect(metrics.contains("pros_http_requests_in_flight 1\n"))  // the /metrics request itself
            #expect(metrics.contains(#"pros_http_requests_total{route="/v1/claims/price",status="413"} 1"#))
            #expect(metrics.contains(#"pros_http_requests_total{route="/v1/claims/price",status="499"} 1"#))
            #expect(metrics.contains(#"pros_http_requests_total{route="-",status="400"} 1"#))
        }

        @Test func reloadUnderLoadSwitchesAtomically() throws {
            let dir = NSTemporaryDirectory() + "pros-reload-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: dir + "/rates", withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: root.path + "/config/rules/pros-2025-04.json", toPath: dir + "/rules/pros-2025-04.json")
            let original = try String(
                contentsOfFile: root.path + "/config/rates/example-provider-a.json", encoding: .utf8)
            let raised = original.replacingOccurrences(of: "\"690.40\"", with: "\"700.00\"")
            #expect(raised != original)
            try original.write(toFile: dir + "/rates/example-provider-a.json", atomically: true, encoding: .utf8)
            let s = try LiveService { $0.configDirectory = dir }
            defer { s.stop() }
            #expect(s.service.reload())

            let body = try fixtureRequest("ashley")
            let totals = Mutex<[String: Int]>([:])
            let done = Atomic<Bool>(false)
            let clients = (0..<3).map { _ in
                Thread { [base = s.base] in
                    let c = Curl()
                    while !done.load(ordering: .relaxed) {
                        let r = c.request(
                            "POST", base + "/v1/claims/price", headers: ["Content-Type: application/json"], body: body)
                        let total: String
                        if r.status == 200, case .string(let t)? = try? JSONValue.parse(r.body)["total"] {
                            total = t
                        } else {
                            total = "status \(r.status)"
                        }
                        totals.withLock { $0[total, default: 0] += 1 }
                    }
                }
            }
            clients.forEach { $0.start() }
            for i in 0..<20 {
                try (i % 2 == 0 ? raised : original).write(
                    toFile: dir + "/rates/example-provider-a.json", atomically: true, encoding: .utf8)
                #expect(s.service.reload())
                usleep(20_000)
            }
            done.store(true, ordering: .relaxed)
            while clients.contains(where: { !$0.isFinished }) { usleep(10_000) }
            let seen = totals.withLock { $0 }
            #expect(
                Set(seen.keys).isSubset(of: ["1187.21", "1196.81"]), "every answer priced on one whole config: \(seen)")
            #expect(seen.values.reduce(0, +) > 20)
            // The last reload (the original amounts) is what prices now.
            let r = Curl().request("POST", s.base + "/v1/claims/price", headers: [json], body: body)
            #expect(try JSONValue.parse(r.body)["total"] == .string("1187.21"))
            #expect(
                Curl().request("GET", s.base + "/metrics").text.contains(#"pros_config_reloads_total{result="ok"} 21"#))
        }

        /// A Kubernetes ConfigMap volume, as the kubelet writes it: each version's files in a hidden timestamped
        /// folder, the hidden `..data` symlink pointing at one, the visible `rules` and `rates` pointing through
        /// `..data`. An update writes a new folder and renames a new `..data` over the old one; nobody sends SIGHUP.
        @Test func aConfigMapStyleSymlinkSwapReloadsAGoodConfigAndRefusesABadOne() throws {
            let fm = FileManager.default
            let dir = NSTemporaryDirectory() + "pros-configmap-\(UUID().uuidString)"
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? fm.removeItem(atPath: dir) }
            let rules = try String(contentsOfFile: root.path + "/config/rules/pros-2025-04.json", encoding: .utf8)
            let original = try String(
                contentsOfFile: root.path + "/config/rates/example-provider-a.json", encoding: .utf8)
            let raised = original.replacingOccurrences(of: "\"690.40\"", with: "\"700.00\"")
            let broken = original.replacingOccurrences(of: "\"690.40\"", with: "\"690.4.0\"")
            #expect(raised != original && broken != original)
            func publish(_ version: String, rates: String) throws {
                let folder = dir + "/..2025_10_0" + version
                try fm.createDirectory(atPath: folder + "/rules", withIntermediateDirectories: true)
                try fm.createDirectory(atPath: folder + "/rates", withIntermediateDirectories: true)
                try rules.write(toFile: folder + "/rules/pros-2025-04.json", atomically: false, encoding: .utf8)
                try rates.write(toFile: folder + "/rates/example-provider-a.json", atomically: false, encoding: .utf8)
                try fm.createSymbolicLink(atPath: dir + "/..data_tmp", withDestinationPath: "..2025_10_0" + version)
                #expect(rename(dir + "/..data_tmp", dir + "/..data") == 0)
            }
            try publish("1", rates: original)
            try fm.createSymbolicLink(atPath: dir + "/rules", withDestinationPath: "..data/rules")
            try fm.createSymbolicLink(atPath: dir + "/rates", withDestinationPath: "..data/rates")
            let s = try LiveService { $0.configDirectory = dir }
            defer { s.stop() }
            let c = Curl()
            let body = try fixtureRequest("ashley")
            func total() throws -> JSONValue? {
                let r = c.request("POST", s.base + "/v1/claims/price", headers: [json], body: body)
                return try JSONValue.parse(r.body)["total"]
            }
            #expect(s.service.reloadIfConfigChanged() == nil)
            try publish("2", rates: original)  // a new folder, the same content: nothing to reload
            #expect(s.service.reloadIfConfigChanged() == nil)
            #expect(try total() == .string("1187.21"))

            try publish("3", rates: raised)
            #expect(s.service.reloadIfConfigChanged() == true)
            #expect(try total() == .string("1196.81"))
            #expect(s.service.reloadIfConfigChanged() == nil)  // once per change

            try publish("4", rates: broken)
            #expect(s.service.reloadIfConfigChanged() == false)
            #expect(s.service.reloadIfConfigChanged() == nil)  // refused once, not again at every poll
            #expect(try total() == .string("1196.81"))  // the loaded config goes on pricing
            let metrics = c.request("GET", s.base + "/metrics").text
            #expect(metrics.contains(#"pros_config_reloads_total{result="ok"} 1"#))
            #expect(metrics.contains(#"pros_config_reloads_total{result="error"} 1"#))
            let log = s.log
            #expect(log.contains(#""msg":"config reload failed; keeping the loaded config""#))
            #expect(log.contains(#""trigger":"config folder changed""#) && log.contains("example-provider-a.json"))

            try publish("5", rates: original)  // fixed: reloads
            #expect(s.service.reloadIfConfigChanged() == true)
            #expect(try total() == .string("1187.21"))
        }

        @Test func theHealthcheckProbesLoopbackForAWildcardListenAddress() {
            #expect(probeAddress(listeningOn: "0.0.0.0") == "127.0.0.1")
            #expect(probeAddress(listeningOn: "::") == "::1")
            #expect(probeAddress(listeningOn: "10.1.2.3") == "10.1.2.3")
        }

        @Test(.enabled(if: ipv6LoopbackWorks())) func theHealthcheckProbeSpeaksIPv6() throws {
            let s = try LiveService { $0.server.host = "::1" }
            defer { s.stop() }
            #expect(probeHealth(host: "::1", port: s.server.port) == nil)
            #expect(probeHealth(host: "127.0.0.1", port: s.server.port) != nil)  // it listens on IPv6 only
        }

        @Test func aThousandIdleKeepAliveConnectionsNeitherBlockNorCostMuch() throws {
            let s = try LiveService()
            defer { s.stop() }
            let before = residentKiB()
            try #require(before > 0, "/proc/self/status is unreadable: the memory bound cannot be checked")
            var fds: [Int32] = []
            for _ in 0..<1000 {
                let fd = connectLoopback(port: s.server.port)
                #expect(fd >= 0)
                fds.append(fd)
            }
            defer { fds.forEach { close($0) } }
            // Each one served a request and stays open, idle.
            let get = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            for fd in fds { _ = get.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            var answered = 0
            var buf = [UInt8](repeating: 0, count: 4096)
            for fd in fds {
                var tv = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                let n = recv(fd, &buf, buf.count, 0)
                if n > 12 && String(decoding: buf[0..<12], as: UTF8.self) == "HTTP/1.1 200" { answered += 1 }
            }
            #expect(answered == 1000)
            #expect(s.server.openConnections == 1000)
            // A new client is served at once.
            let started = DispatchTime.now()
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price", headers: [json], body: try fixtureRequest("mary"))
            #expect(r.status == 200)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            #expect(ms < 1000, "a new request waited \(ms) ms behind idle connections")
            // Both ends of 1,000 connections live in this process (the kernel's socket buffers are not in it);
            // an idle connection keeps no read buffer, so the server's share stays a few KiB each.
            let grownKiB = residentKiB() - before
            #expect(grownKiB < 8 * 1024, "1,000 idle connections grew the process by \(grownKiB) KiB")
        }

        @Test func aLargeNDJSONUploadIsPricedWithFlatMemory() throws {
            let s = try LiveService()
            defer { s.stop() }
            // 64 MiB of NDJSON streamed in chunked: real member-months among blank (all-space) lines, answered as it goes.
            let month = try fixtureRequest("mary")
            let padding = [UInt8](repeating: 0x20, count: 1023) + [0x0A]
            var block: [UInt8] = []
            var monthsPerBlock = 0
            while block.count + month.count + 1 + 64 * padding.count <= 1 << 20 {
                block += month + [0x0A]
                for _ in 0..<64 { block += padding }
                monthsPerBlock += 1
            }
            let blocks = 32
            let before = residentKiB()
            let r = Curl().streamUpload(
                s.base + "/v1/claims/price/batch", headers: ["Content-Type: application/x-ndjson"],
                block: block, repeats: blocks)
            #expect(r.status == 200)
            #expect(r.lines == blocks * monthsPerBlock)
            #expect(r.errorLines == 0)
            let grownKiB = residentKiB() - before
            #expect(grownKiB < 16 * 1024, "a \(blocks) MiB upload grew the process by \(grownKiB) KiB")
        }

        /// Issue 13 problem 2: a JSON-array batch was held whole, and its whole answer built, in memory (a
        /// 60 MB array peaked at 670 MiB; its gzip is a 209 KB upload). Now it streams like NDJSON.
        static func arrayBlock(months: inout Int) throws -> [UInt8] {
            let month = try fixtureRequest("mary")
            let padding = [UInt8](repeating: 0x20, count: 1023) + [0x0A]
            var block: [UInt8] = []
            while block.count + month.count + 1 + 64 * padding.count <= 1 << 20 {
                block += month + [UInt8(ascii: ",")]
                for _ in 0..<64 { block += padding }
                months += 1
            }
            return block
        }

        @Test func aLargeJSONArrayIsPricedWithBoundedMemory() throws {
            let s = try LiveService()
            defer { s.stop() }
            var monthsPerBlock = 0
            let block = try Self.arrayBlock(months: &monthsPerBlock)
            let blocks = 24
            let month = try fixtureRequest("mary")
            let before = residentKiB()
            resetPeakResident()
            // "[", 24 MiB of months and whitespace, the last month, "]": streamed up chunked, the answer
            // counted as it comes.
            let r = Curl().streamUploadCounting(
                s.base + "/v1/claims/price/batch",
                headers: ["Content-Type: application/json"], prefix: Array("[".utf8),
                block: block, repeats: blocks, suffix: month + Array("]".utf8))
            let peak = peakResidentKiB() - before
            #expect(r.status == 200)
            #expect(r.items == blocks * monthsPerBlock + 1)
            #expect(r.lastByte == UInt8(ascii: "]"))
            #expect(peak < 16 * 1024, "a \(blocks) MiB array peaked \(peak) KiB above the start")
        }

        @Test func aGzippedJSONArrayIsPricedWithBoundedMemory() throws {
            let s = try LiveService()
            defer { s.stop() }
            var monthsPerBlock = 0
            let block = try Self.arrayBlock(months: &monthsPerBlock)
            let blocks = 48
            let month = try fixtureRequest("mary")
            let deflater = GzipDeflater(level: 9)
            var gz: [UInt8] = []
            deflater.compress(Array("[".utf8), finish: false, into: &gz)
            for _ in 0..<blocks { deflater.compress(block, finish: false, into: &gz) }
            deflater.compress(month + Array("]".utf8), finish: true, into: &gz)
            #expect(gz.count < 1 << 20)  // 48 MiB inflated
            let before = residentKiB()
            resetPeakResident()
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price/batch",
                headers: ["Content-Type: application/json", "Content-Encoding: gzip"], body: gz)
            let peak = peakResidentKiB() - before
            #expect(r.status == 200)
            guard case .array(let items) = try JSONValue.parse(r.body) else { Issue.record("not an array"); return }
            #expect(items.count == blocks * monthsPerBlock + 1)
            // The answer itself (about \(r.body.count) bytes) is held by the client here, in this same process.
            let answerKiB = r.body.count / 1024
            #expect(peak - answerKiB < 16 * 1024, "a gzip of \(blocks) MiB peaked \(peak) KiB above the start")
        }
    }
}

/// The peak resident set size of this process since the last `resetPeakResident()`, in KiB.
func peakResidentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return -1 }
    return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
}

/// Starts a new peak (`VmHWM`) at the current resident size (Linux `clear_refs`, value 5).
func resetPeakResident() {
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    if fd >= 0 { _ = write(fd, "5", 1); close(fd) }
}

/// Resident set size of this process, in KiB.
func residentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return -1 }
    return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
}

/// Whether this machine can listen on `::1` (some containers have no IPv6).
func ipv6LoopbackWorks() -> Bool {
    let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = sockaddr_in6()
    addr.sin6_family = sa_family_t(AF_INET6)
    addr.sin6_addr = in6addr_loopback
    let size = socklen_t(MemoryLayout<sockaddr_in6>.size)
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
    }
    return rc == 0
}
