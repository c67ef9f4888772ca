import ArgumentParser

/// `smskit bench` — throughput figures recorded by `scripts/bench-*.sh`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput (see scripts/bench-*.sh for the runs that compare against peers).",
        subcommands: [BenchPDUCommand.self, BenchStackCommand.self, BenchSecureCommand.self, BenchClaimsCommand.self]
    )
}
