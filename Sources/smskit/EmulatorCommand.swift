import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit emulator` lands.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "emulator", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit emulator is not built yet") }
}
