import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit keys` lands.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit keys is not built yet") }
}
