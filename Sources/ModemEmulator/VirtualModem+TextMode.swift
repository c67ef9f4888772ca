/// Text mode (`AT+CMGF=1`): addresses and texts in the `AT+CSCS` character set, text-mode listings and URCs.
extension VirtualModem {
    /// A destination typed in text mode (hex UCS-2 when `AT+CSCS="UCS2"`).
    func decodeTextAddress(_ text: String) throws(ATFailure) -> String {
        text
    }

    /// Builds an SMS-SUBMIT TPDU from text typed at the prompt, using `AT+CSMP` and `AT+CSCS`.
    func textSubmitTPDU(address: String, type: Int?, input: [UInt8]) throws -> [UInt8] {
        throw ATFailure.cms(.notSupported)
    }

    /// A stored SMS-SUBMIT with another destination (`AT+CMSS=<index>,<da>`).
    func replacingDestination(of tpdu: [UInt8], with address: String, type: Int?) throws -> [UInt8] {
        throw ATFailure.cms(.notSupported)
    }

    /// `+CMGL: <index>,"<stat>",…` and the text.
    func textListingLines(index: Int, message: StoredMessage, memory: MessageMemory) -> [String] {
        ["+CMGL: \(index),\"\(message.status.text)\""]
    }

    /// `+CMGR: "<stat>",…` and the text.
    func textReadingLines(message: StoredMessage, memory: MessageMemory) -> [String] {
        ["+CMGR: \"\(message.status.text)\""]
    }

    /// `+CMT: "<oa>",,"<scts>"` and the text.
    func textDeliverURC(_ message: StoredMessage) -> [String] {
        ["+CMT: "]
    }

    /// `+CDS: <fo>,<mr>,…`.
    func textStatusReportURC(_ message: StoredMessage) -> [String] {
        ["+CDS: "]
    }
}
