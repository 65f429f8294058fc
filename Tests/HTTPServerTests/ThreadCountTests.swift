import Testing
@testable import HTTPServer

/// The default number of event loops follows the CPUs the process may really use.
@Suite struct ThreadCountTests {
    @Test(arguments: [
        (64, 64, "max 100000\n", 64),      // no quota: every online CPU
        (64, 64, "200000 100000\n", 2),    // a container limited to 2 CPUs on a large node
        (64, 64, "150000 100000\n", 2),    // 1.5 CPUs: rounded up
        (64, 64, "50000 100000\n", 1),     // half a CPU: still one loop
        (8, 3, "max 100000\n", 3),         // taskset / cpuset narrows it
        (8, 3, "", 3),                     // no cgroup v2 file
        (8, -1, "garbage", 8),             // unreadable affinity, unparsable quota
        (0, -1, "", 1),                    // never zero
    ])
    func loopsFollowTheUsableCPUs(online: Int, affinity: Int, cpuMax: String, expected: Int) {
        #expect(HTTPServer.threadCount(online: online, affinity: affinity, cpuMax: cpuMax) == expected)
    }

    @Test func thisMachineGetsAtLeastOneLoop() {
        #expect(HTTPServer.usableCPUs() >= 1)
    }
}
