import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit listen` lands.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "listen", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit listen is not built yet") }
}
