import JSON
import PROSRules
import PROSService
import PROSWire

#if canImport(Glibc)
    import Glibc
#endif

/// `bench`: member-months priced per second by the engine alone (decode + price + encode), single core,
/// on realistic 20-service months (5 KB; `compact`: the same services with only the required fields and
/// start times, about 2.5 KB). `bench/batch.sh` measures `price --batch` end to end.
func runBench(months: Int, compact: Bool) -> Int32 {
    let pricer = Pricer(book: RuleBook.builtIn())
    let samples = (0..<64).map { Array(sampleMonth($0, compact: compact).utf8) }
    func now() -> Double {
        var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    var bytes = 0
    for i in 0..<1000 { if case .success(let c) = pricer.price(json: samples[i % 64]) { bytes += c.jsonBytes().count } }
    let t0 = now()
    for i in 0..<months {
        if case .success(let c) = pricer.price(json: samples[i % 64]) { bytes += c.jsonBytes().count }
    }
    let dt = now() - t0
    print(
        "engine: \(months) member-months (20 services, \(samples[0].count) bytes each) in "
            + "\(String(Int(dt * 1000))) ms: \(Int(Double(months) / dt)) member-months/s, "
            + "\(Int(dt / Double(months) * 1e9)) ns each"
    )
    return bytes > 0 ? 0 : 1
}

/// A realistic month: 20 services over weekdays, mixed components, formats and locations.
func sampleMonth(_ seed: Int, compact: Bool = false) -> String {
    let comps = ["CRS", "CRS", "CRS", "IR", "CT", "ORS"]
    let formats = ["group", "individual", "group", "collateral"]
    var services: [String] = []
    for i in 0..<20 {
        let day = 1 + (i * 3 + seed) % 30
        let hour = 9 + i % 6
        if compact {
            services.append(
                #"{"date":"2025-06-\#(day < 10 ? "0" : "")\#(day)","#
                    + #""startTime":"\#(hour < 10 ? "0" : "")\#(hour):\#(i % 2 == 0 ? "00" : "30")","#
                    + #""component":"\#(comps[(i + seed) % comps.count])","format":"\#(formats[(i + seed) % 4])","#
                    + #""minutes":\#(30 + (i * 7 + seed) % 60),"#
                    + #""location":"\#((i + seed) % 5 == 0 ? "offsite" : "onsite")"}"#
            )
            continue
        }
        services.append(
            #"{"id":"visit-\#(i)","date":"2025-06-\#(day < 10 ? "0" : "")\#(day)","#
                + #""startTime":"\#(hour < 10 ? "0" : "")\#(hour):\#(i % 2 == 0 ? "00" : "30")","#
                + #""component":"\#(comps[(i + seed) % comps.count])","format":"\#(formats[(i + seed) % 4])","#
                + #""minutes":\#(30 + (i * 7 + seed) % 60),"#
                + #""location":"\#((i + seed) % 5 == 0 ? "offsite" : "onsite")","#
                + #""telehealth":"\#(i % 7 == 0 ? "audio-video" : "none")","#
                + #""employmentSetting":false,"prescriberContact":\#(i == 3 ? "true" : "false"),"#
                + #""service":"psychosocial rehabilitation"}"#
        )
    }
    return
        #"{"memberId":"M-\#(100000 + seed)","month":"2025-06","rateSchedule":"example-provider-a","#
        + #""member":{"status":"admitted","admissionDate":"2024-11-04","#
        + #""dischargeDate":null,"rreCodes":["84"],"medicationManagement":true,"#
        + #""lastPrescriberContact":"2025-05-10"},"priorPreadmissionMonths":[],"services":["#
        + services.joined(separator: ",") + "]}"
}
