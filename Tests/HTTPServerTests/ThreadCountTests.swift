import Testing

@testable import HTTPServer

/// The default number of event loops follows the CPUs the process may really use.
@Suite struct ThreadCountTests {
    @Test(arguments: [
        (64, 64, "max 100000\n", 64),  // no quota: every online CPU
        (64, 64, "200000 100000\n", 2),  // a container limited to 2 CPUs on a large node
        (64, 64, "150000 100000\n", 2),  // 1.5 CPUs: rounded up
        (64, 64, "50000 100000\n", 1),  // half a CPU: still one loop
        (8, 3, "max 100000\n", 3),  // taskset / cpuset narrows it
        (8, 3, "", 3),  // no cgroup v2 file
        (8, -1, "garbage", 8),  // unreadable affinity, unparsable quota
        (0, -1, "", 1),  // never zero
    ])
    func loopsFollowTheUsableCPUs(online: Int, affinity: Int, cpuMax: String, expected: Int) {
        #expect(HTTPServer.threadCount(online: online, affinity: affinity, cpuMax: cpuMax) == expected)
    }

    @Test(arguments: [
        (2, [0, 1], ThreadPinning.auto, [0, 1] as [Int?]),  // the loops cover the allowed CPUs exactly
        (2, [4, 6], .auto, [4, 6]),  // a cpuset: its own CPU numbers
        (2, Array(0..<64), .auto, [nil, nil]),  // a quota on a large node: left to the scheduler
        (1, [0], .auto, [nil]),  // one CPU: nothing to gain
        (3, [0, 1], .on, [0, 1, 0]),  // forced: round robin
        (2, [], .on, [nil, nil]),  // unknown mask: never bound
        (2, [0, 1], .off, [nil, nil]),
    ])
    func loopsAreBoundToCPUsWhenTheyCoverThem(loops: Int, allowed: [Int], mode: ThreadPinning, expected: [Int?]) {
        #expect(HTTPServer.pinPlan(loops: loops, allowed: allowed, mode: mode) == expected)
    }

    /// The live reading is wired to the affinity mask: never more loops than CPUs the process may use.
    @Test func thisMachinesLoopsFollowItsAffinityMask() {
        let allowed = HTTPServer.allowedCPUs()
        #expect(!allowed.isEmpty)
        #expect((1...allowed.count).contains(HTTPServer.usableCPUs()))
        #expect(HTTPServer.usableCPUs(allowed: [allowed[0]]) == 1)
    }
}

/// Request ids: the loop's prefix and its counter in lowercase hex, as `String(_:radix:)` writes it.
@Suite struct RequestIDFormatTests {
    @Test func requestIDsAreThePrefixAndTheCounterInHex() {
        var values: [UInt64] = [
            0, 1, 9, 10, 15, 16, 17, 255, 256, 4095, 4096, 0xDEAD_BEEF, UInt64.max, UInt64.max >> 4,
        ]
        for shift in 0..<64 { values += [1 << UInt64(shift), (1 << UInt64(shift)) - 1] }
        for prefix in ["", "a1b2c3d4-0-", "0123456789abcdef-1f-"] {
            for v in values {
                #expect(EventLoop.requestID(prefix: Array(prefix.utf8), counter: v) == prefix + String(v, radix: 16))
            }
        }
    }
}
