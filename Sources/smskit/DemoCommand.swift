import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit demo` lands.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit demo is not built yet") }
}
