extension VendorQuirks {
    /// Telit (LE910, HE910, UE866): `#SYSSTART` at boot, `#QSS` SIM-status URCs (off with `AT#QSS=0`).
    public static let telit = VendorQuirks(
        family: "Telit",
        manufacturerPatterns: ["telit"],
        urcPrefixes: ["#QSS:", "#STN:", "#SWPKGV:", "#RFSTS:", "#PSNT:"],
        resetIndicators: ["#SYSSTART"],
        initCommands: ["AT#QSS=0"],
        newMessageIndication: "AT+CNMI=2,1,0,1,0",
        // `#PCT: <attempts>`
        pinRetriesQueries: [.init(command: "AT#PCT", prefix: "#PCT:", field: 0)]
    )
}
