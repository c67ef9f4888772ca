extension VendorQuirks {
    /// Huawei (E3372, E173, ME909, MS2131): floods `^RSSI`/`^HCSQ`/`^MODE`/`^BOOT`/`^DSFLOWRPT`
    /// unless `AT^CURC=0` turns periodic reports off; `^SMMEMFULL` says the SMS store is full.
    public static let huawei = VendorQuirks(
        family: "Huawei",
        manufacturerPatterns: ["huawei"],
        urcPrefixes: ["^RSSI:", "^HCSQ:", "^MODE:", "^BOOT:", "^DSFLOWRPT:", "^SRVST:", "^SIMST:", "^RSSILVL:",
                      "^CEND:", "^ORIG:", "^CONF:", "^CONN:", "^STIN:", "^NDISSTAT:", "^ECCLIST:", "^NWTIME:",
                      "^SMMEMFULL:", "^ACTIVEBAND:", "^LTERSRP:", "^CRSSI:", "^HRSSILVL:", "^EONS:"],
        resetIndicators: ["^SYSSTART"],
        initCommands: ["AT^CURC=0"],
        newMessageIndication: "AT+CNMI=2,1,0,1,0",
        // `^CPIN: <code>,<times>,<puk_times>,<pin_times>,...`
        pinRetriesQueries: [.init(command: "AT^CPIN?", prefix: "^CPIN:", field: 3)]
    )
}
