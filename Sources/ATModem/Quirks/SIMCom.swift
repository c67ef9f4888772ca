extension VendorQuirks {
    /// SIMCom (SIM800, SIM7600, SIM7000): boot chatter `RDY`/`START`, then `SMS DONE`, `PB DONE`,
    /// `Call Ready`, `SMS Ready`; network time as `*PSUTTZ`/`DST:`.
    public static let simcom = VendorQuirks(
        family: "SIMCom",
        manufacturerPatterns: ["simcom", "sim com"],
        urcPrefixes: ["SMS DONE", "PB DONE", "Call Ready", "SMS Ready", "*PSUTTZ:", "DST:", "+CGEV:",
                      "*ATREADY:", "+CPSI:", "NORMAL POWER DOWN", "UNDER-VOLTAGE"],
        resetIndicators: ["RDY", "START"],
        newMessageIndication: "AT+CNMI=2,1,0,1,0",
        // `+SPIC: <pin1>,<puk1>,<pin2>,<puk2>`
        pinRetriesQueries: [.init(command: "AT+SPIC", prefix: "+SPIC:", field: 0)]
    )
}
