import Foundation
import HTTPServer
import JSON
import PROSRules
import PROSService
import PROSWire
import Testing

/// `POST /v1/claims/price/batch` with `text/csv` bodies, and `?summary=true`, over real sockets.
extension LiveTests {
    @Suite(.serialized) struct CSVHTTPTests {
        let csv = "Content-Type: text/csv"

        /// The four seed examples as one export, in rows as a spreadsheet holds them.
        static func seedExport() throws -> [UInt8] {
            var rows: [[String]] = []
            for name in BillingExportTests.seeds {
                rows += BillingExportTests.rows(
                    try BillingExportTests.seed(name), header: BillingExportTests.header,
                    everyRow: false)
            }
            return BillingExportTests.csv(BillingExportTests.header, rows, lineEnd: "\r\n")
        }

        @Test func aCSVExportIsAnsweredAsNDJSONPerMemberMonth() throws {
            let s = try LiveService()
            defer { s.stop() }
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price/batch", headers: [csv], body: try Self.seedExport())
            #expect(r.status == 200)
            #expect(r.headers["content-type"] == "application/x-ndjson")
            let lines = r.text.split(separator: "\n")
            #expect(lines.count == 4)
            for line in lines {
                let doc = try JSONValue.parse(Array(line.utf8))
                guard case .string(let id)? = doc["memberId"] else { Issue.record("memberId"); continue }
                let name = String(id.dropFirst(5).lowercased())
                // The same claim as the JSON endpoint's answer for the seed's JSON.
                let single = Curl().request(
                    "POST", s.base + "/v1/claims/price",
                    headers: ["Content-Type: application/json"], body: try fixtureRequest(name))
                #expect(doc["result"] == (try JSONValue.parse(single.body)), "\(name)")
                guard case .array? = doc["rows"] else { Issue.record("rows"); continue }
            }
            #expect(!s.log.contains("SEED-ASHLEY"))
        }

        @Test func acceptTextCSVAnswersCSVRows() throws {
            let s = try LiveService()
            defer { s.stop() }
            let r = Curl().request(
                "POST", s.base + "/v1/claims/price/batch", headers: [csv, "Accept: text/csv"],
                body: try Self.seedExport())
            #expect(r.status == 200)
            #expect(r.headers["content-type"] == "text/csv; charset=utf-8")
            let rows = r.text.components(separatedBy: "\r\n")
            #expect(
                rows[0] == "memberId,month,dateOfService,kind,rateCode,procedureCode,modifiers,units,amount,findings")
            // Ashley: her claim's lines, one row each, in claim order.
            let ashley = try pricerClaim("ashley")
            let hers = rows.filter { $0.hasPrefix("SEED-ASHLEY,") }
            #expect(hers.count == ashley.lines.count)
            for (row, line) in zip(hers, ashley.lines) {
                let cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                #expect(cells[3] == line.kind.rawValue && cells[4] == line.rateCode && cells[5] == line.procedureCode)
                #expect(cells[6] == line.modifiers.joined(separator: " ") && cells[7] == String(line.units))
                #expect(cells[8] == line.amount?.description)
            }
        }

        func pricerClaim(_ name: String) throws -> PricedClaim {
            try Pricer(book: RuleBook.builtIn()).price(json: try fixtureRequest(name)).get()
        }

        @Test func summariesEndCSVAndNDJSONBatches() throws {
            let s = try LiveService()
            defer { s.stop() }
            let bad = Array(
                ("memberId,date,component,format,minutes,location,status\n"
                    + "M-9,2025-05-02,CRS,group,0,onsite,admitted\n").utf8)
            var export = try Self.seedExport()
            export += bad.drop { $0 != 0x0A }.dropFirst()  // one refused member-month after the seeds
            for (type, body) in [
                (csv, export),
                (
                    "Content-Type: application/x-ndjson",
                    try BillingExportTests.seeds.flatMap { try fixtureRequest($0) + [0x0A] }
                        + Array("{\"memberId\":1}\n".utf8)
                ),
            ] {
                let r = Curl().request(
                    "POST", s.base + "/v1/claims/price/batch?summary=true",
                    headers: [type, "Accept: text/csv"], body: body)
                #expect(r.status == 200)
                let lines = r.text.split(separator: "\n")
                #expect(lines.count == 6, "\(type)")
                let summary = try JSONValue.parse(Array(lines.last!.utf8))["summary"]
                #expect(summary?["read"] == .number("5") && summary?["priced"] == .number("4"))
                #expect(summary?["refused"] == .number("1"))
                // The total is the sum of the four seeds' totals, as the JSON endpoint prices them.
                var cents: Int64 = 0
                for name in BillingExportTests.seeds { cents += try pricerClaim(name).total?.cents ?? 0 }
                #expect(summary?["total"] == .string(Money(cents: cents).description))
                #expect(summary?["rateCodes"]?["4517"]?["lines"] != nil)
            }
            // Without the flag the answer is unchanged: no summary line.
            let plain = Curl().request(
                "POST", s.base + "/v1/claims/price/batch?summary=false", headers: [csv],
                body: export)
            #expect(!plain.text.contains(#"{"summary""#) && plain.text.split(separator: "\n").count == 5)
        }

        /// The answer is priced as the client reads it: a client that stops reading stops the pricing, so the
        /// answer is never held whole in memory; it then gets every member-month, in order.
        @Test func aLargeExportIsAnsweredAsTheClientReads() throws {
            let s = try LiveService()
            defer { s.stop() }
            let members = 4000
            var csv = "memberId,date,startTime,component,format,minutes,location,status,admissionDate\n"
            for m in 0..<members {
                for i in 0..<20 {
                    let day = 1 + (i * 3 + m) % 28
                    csv +=
                        "M-\(100000 + m),2025-05-\(day < 10 ? "0" : "")\(day),\(9 + i % 6):00,CRS,group,"
                        + "\(30 + i % 4 * 15),onsite"
                    csv += i == 0 ? ",admitted,2024-11-04\n" : ",,\n"
                }
            }
            let body = Array(csv.utf8)
            let fd = connectLoopback(port: s.server.port)
            defer { close(fd) }
            var small: Int32 = 65536
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            let head =
                "POST /v1/claims/price/batch HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                + "Content-Length: \(body.count)\r\n\r\n"
            let request = Array(head.utf8) + body
            var sent = 0
            while sent < request.count {
                let n = request[sent...].withUnsafeBytes {
                    Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard n > 0 else { Issue.record("send failed"); return }
                sent += n
            }
            var tv = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var answer: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 65536)
            while answer.count < 100_000 {
                let n = recv(fd, &buf, buf.count, 0)
                guard n > 0 else { Issue.record("the answer stopped"); return }
                answer += buf[0..<n]
            }
            #expect(String(decoding: answer.prefix(200), as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
            usleep(500_000)  // the client reads nothing for a while
            let pricedWhilePaused =
                s.service.metrics.render(openConnections: 0, droppedLogLines: 0)
                .split(separator: "\n").first { $0.hasPrefix("pros_member_months_priced_total ") }
                .flatMap { Int($0.split(separator: " ")[1]) } ?? -1
            #expect(
                pricedWhilePaused > 0 && pricedWhilePaused < members,
                "priced \(pricedWhilePaused) of \(members) while paused")
            while !String(decoding: answer.suffix(7), as: UTF8.self).hasSuffix("0\r\n\r\n") {
                let n = recv(fd, &buf, buf.count, 0)
                guard n > 0 else { Issue.record("the answer stopped"); return }
                answer += buf[0..<n]
            }
            let text = String(decoding: answer, as: UTF8.self)
            #expect(text.components(separatedBy: #","rows":["#).count - 1 == members)
            #expect(text.contains(#"{"memberId":"M-\#(100000 + members - 1)""#))
        }

        /// A request pipelined behind an export is answered after the export's last piece, on the same connection.
        @Test func aPipelinedRequestWaitsForTheWholeExportAnswer() throws {
            let s = try LiveService()
            defer { s.stop() }
            var csv = "memberId,date,component,format,minutes,location,status,admissionDate\n"
            for m in 0..<200 { csv += "M-\(1000 + m),2025-05-02,CRS,group,60,onsite,admitted,2024-11-04\n" }
            let body = Array(csv.utf8)
            let first =
                "POST /v1/claims/price/batch HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                + "Content-Length: \(body.count)\r\n\r\n"
            let second = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let text = rawExchange(port: s.server.port, Array(first.utf8) + body + Array(second.utf8), waitMs: 10_000)
            guard let end = text.range(of: "\r\n0\r\n\r\n") else { Issue.record("no last chunk"); return }
            #expect(text[..<end.lowerBound].components(separatedBy: #","rows":["#).count - 1 == 200)
            #expect(text[end.upperBound...].hasPrefix("HTTP/1.1 200 OK"))
            #expect(text[end.upperBound...].contains(#"{"status":"ok"}"#))
        }

        @Test func badExportsAndLimits() throws {
            let s = try LiveService { $0.maxCsvBytes = 4096 }
            defer { s.stop() }
            let c = Curl()
            let missing = c.request(
                "POST", s.base + "/v1/claims/price/batch", headers: [csv],
                body: Array("memberId,date\nM,2025-05-01\n".utf8))
            #expect(missing.status == 422 && missing.headers["content-type"] == "application/problem+json")
            #expect(missing.text.contains(#""row":1,"column":"component""#))
            let quote = c.request(
                "POST", s.base + "/v1/claims/price/batch", headers: [csv],
                body: Array("memberId,date,component,format,minutes,location\nM,\"2025\n".utf8))
            #expect(quote.status == 400 && quote.text.contains(#""row":2"#))
            let header = Array("memberId,date,component,format,minutes,location\n".utf8)
            let exact = header + [UInt8](repeating: 0x0A, count: 4096 - header.count)
            #expect(c.request("POST", s.base + "/v1/claims/price/batch", headers: [csv], body: exact).status == 200)
            let over = c.request("POST", s.base + "/v1/claims/price/batch", headers: [csv], body: exact + [0x0A])
            #expect(over.status == 413)
        }
    }
}
