import JSON
import PROSRules
import PROSWire

/// Loads rule sets, rate schedules and payer profiles from a config folder (`rules/*.json`, `rates/*.json`,
/// `payers/*.json`), or the built-in copy.
public enum ConfigLoader {
    public static func loadRuleBook(configDirectory: String?) throws(ConfigError) -> RuleBook {
        guard let dir = configDirectory else { return RuleBook.builtIn() }
        guard Files.isDirectory(dir) else { throw ConfigError(file: dir, key: "", reason: "is not a directory") }
        func readAll(_ sub: String, required: Bool) throws(ConfigError) -> [(name: String, bytes: [UInt8])] {
            let path = dir + "/" + sub
            guard Files.isDirectory(path) else {
                if required { throw ConfigError(file: path, key: "", reason: "is missing") }
                return []
            }
            do {
                return try Files.list(path, suffix: ".json").map { name throws(Files.Failure) in
                    (sub + "/" + name, try Files.read(path + "/" + name))
                }
            } catch {
                throw ConfigError(file: error.path, key: "", reason: error.reason)
            }
        }
        return try RuleBook.load(
            rules: try readAll("rules", required: true), rates: try readAll("rates", required: false),
            payers: try readAll("payers", required: false))
    }
}
