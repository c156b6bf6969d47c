/// swift-argument-parser only accepts a command's options after its name.
/// Global options written before the subcommand (`mctl -o json sessions list`)
/// are moved to the end of the argument list, where the leaf command reads them.
enum ArgumentHoisting {
    /// Global options that take a value.
    static let valued: Set<String> = [
        "-s", "--server", "-k", "--api-key", "-o", "--output", "--config", "--context", "--timeout",
        "--admin-server", "--admin-username", "--admin-password", "--master-key",
    ]
    /// Global options without a value.
    static let switches: Set<String> = ["--insecure-skip-tls-verify"]

    /// Moves global options that precede the first other option (or `--`)
    /// behind everything else; command names and positionals keep their order.
    static func hoist(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var moved: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if argument.hasPrefix("--"), argument.contains("="), valued.contains(name) {
                moved.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                moved += [argument, arguments[index + 1]]
                index += 2
            } else if switches.contains(argument) {
                moved.append(argument)
                index += 1
            } else if argument.hasPrefix("-") && argument != "-" {
                break
            } else {
                kept.append(argument)
                index += 1
            }
        }
        return kept + Array(arguments[index...]) + moved
    }
}
