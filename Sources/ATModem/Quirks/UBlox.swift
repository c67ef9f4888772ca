extension VendorQuirks {
    /// u-blox (SARA-U2, SARA-R4, LARA, TOBY): `+UUSTS` and socket URCs, `+PACSP` after SIM load;
    /// SARA-R4 stores SMS in `ME` when the SIM store is small.
    public static let ublox = VendorQuirks(
        family: "u-blox",
        manufacturerPatterns: ["u-blox", "ublox"],
        urcPrefixes: ["+UUSTS:", "+UUSOCL:", "+UUSORD:", "+UUPSDD:", "+UUPSDA:", "+UMWI:", "+PACSP", "+UUHTTPCR:"],
        newMessageIndication: "AT+CNMI=2,1,0,1,0",
        // `+UPINCNT: <pin1>,<pin2>,<puk1>,<puk2>`
        pinRetriesQueries: [.init(command: "AT+UPINCNT", prefix: "+UPINCNT:", field: 0)]
    )
}
