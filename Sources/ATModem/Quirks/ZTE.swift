extension VendorQuirks {
    /// ZTE (MF190, MF823, MF626): `+ZDONR`/`+ZPASR`/`+ZUSIMR` network and SIM noise;
    /// `AT+ZOPRT=5` puts older sticks online (they boot into offline mode).
    public static let zte = VendorQuirks(
        family: "ZTE",
        manufacturerPatterns: ["zte"],
        urcPrefixes: ["+ZDONR:", "+ZPASR:", "+ZUSIMR:", "+ZEND", "+ZSTR:", "+ZPSTM:", "+ZCPI:", "+ZRSSI:", "+ZCEND:"],
        initCommands: ["AT+ZOPRT=5"],
        newMessageIndication: "AT+CNMI=2,1,0,1,0",
        // `+ZPINPUK: <pin>,<puk>`
        pinRetriesQueries: [.init(command: "AT+ZPINPUK=?", prefix: "+ZPINPUK:", field: 0)]
    )
}
