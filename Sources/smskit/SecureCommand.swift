import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit secure` lands.
struct SecureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "secure", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit secure is not built yet") }
}
