import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit bench` lands.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit bench is not built yet") }
}
