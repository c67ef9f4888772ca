import ArgumentParser

// Placeholder: replaced when the issue that owns `smskit pdu` lands.
struct PDUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pdu", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("smskit pdu is not built yet") }
}
