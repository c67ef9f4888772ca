/// The volatile settings of a virtual modem, reset by `ATZ`, `AT&F` and power cycles.
struct ModemSettings: Sendable {
    var echo = true
    var verbose = true
    var errorMode = 0  // AT+CMEE
    var textMode = false  // AT+CMGF
    var charset = "GSM"  // AT+CSCS
    var showTextHeader = false  // AT+CSDH
    var messageService = 0  // AT+CSMS
    var firstOctet = 17, validityPeriod = 167, protocolID = 0, dataCoding = 0  // AT+CSMP
    var cnmi = NewMessageIndication()
    var cregMode = 0, cgregMode = 0
    var operatorFormat = 0  // AT+COPS=3,<format>
    var clip = 0, crc = 0, cvhu = 0, moreMessages = 0
    var memories: (read: MessageMemory, write: MessageMemory, receive: MessageMemory) = (.sm, .sm, .sm)

}

/// `AT+CNMI=<mode>,<mt>,<bm>,<ds>,<bfr>`: how new messages and status reports are indicated.
struct NewMessageIndication: Sendable, Equatable {
    /// 0 buffer URCs in the modem, 1/2/3 forward them (buffered while a command runs).
    var mode = 2
    /// 0 store only, 1 store and `+CMTI`, 2 route as `+CMT`, 3 route class 3 as `+CMT`.
    var mt = 1
    /// Cell broadcast indication (accepted, never used).
    var bm = 0
    /// 0 store status reports silently, 1 route as `+CDS`, 2 store in SR and `+CDSI`.
    var ds = 0
    /// 0 flush buffered URCs when mode becomes 1–3, 1 clear them.
    var bfr = 0

    /// `+CNMI: 2,1,0,0,0`
    var text: String { "+CNMI: \(mode),\(mt),\(bm),\(ds),\(bfr)" }
}
