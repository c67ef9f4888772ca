import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit info` lands.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit info is not built yet") }
}
