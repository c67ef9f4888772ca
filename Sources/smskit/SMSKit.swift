import ArgumentParser

/// `smskit` — one command-line tool over SMSKit: PDU codec, emulator, modem driver,
/// discovery and secure SMS. Every command takes `--json` for scripts.
@main
struct SMSKit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smskit",
        abstract: "GSM modems and secure SMS: PDU codec, modem driver, emulator, discovery, end-to-end encryption.",
        subcommands: [
            GatewayCommand.self,
            PDUCommand.self,
            EmulatorCommand.self,
            InfoCommand.self,
            SendCommand.self,
            ListenCommand.self,
            DevicesCommand.self,
            KeysCommand.self,
            SecureCommand.self,
            DemoCommand.self,
            BenchCommand.self,
        ]
    )
}
