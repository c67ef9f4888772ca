import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit send` lands.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit send is not built yet") }
}
