func runServe(_ a: Arguments) -> Int32 { fail("serve: not built yet") }
func runHealthcheck(_ a: Arguments) -> Int32 { fail("healthcheck: not built yet") }
func runBench(months: Int) -> Int32 { fail("bench: not built yet") }
