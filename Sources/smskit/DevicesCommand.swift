import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit devices` lands.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "devices", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit devices is not built yet") }
}
