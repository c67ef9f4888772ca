extension VendorQuirks {
    /// Quectel (EC25, EG25, BG96, EC21): `RDY` after boot, `+QIND: SMS DONE`/`PB DONE` when the SIM
    /// is readable, `POWERED DOWN` before a reset; URCs are routed to the AT port with `AT+QURCCFG`.
    public static let quectel = VendorQuirks(
        family: "Quectel",
        manufacturerPatterns: ["quectel"],
        urcPrefixes: ["+QIND:", "+QUSIM:", "+QSTAT:", "POWERED DOWN", "+QNETDEVSTATUS:"],
        resetIndicators: ["RDY"],
        initCommands: ["AT+QURCCFG=\"urcport\",\"usbat\""],
        newMessageIndication: "AT+CNMI=2,1,0,1,0",
        preferredStorage: "ME",
        // `+QPINC: "SC",<pin>,<puk>`
        pinRetriesQueries: [.init(command: "AT+QPINC=\"SC\"", prefix: "+QPINC:", field: 1)]
    )
}
