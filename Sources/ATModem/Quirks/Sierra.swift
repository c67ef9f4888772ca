extension VendorQuirks {
    /// Sierra Wireless (MC7455, EM7565, AirPrime): `+PACSP` after SIM load, `!` status URCs;
    /// many firmwares store status reports only with `ds=2` (`+CDSI`).
    public static let sierra = VendorQuirks(
        family: "Sierra",
        manufacturerPatterns: ["sierra"],
        urcPrefixes: ["+PACSP", "!PCINFO:", "!GSTATUS:", "!SELRAT:", "+CGEV:"],
        newMessageIndication: "AT+CNMI=2,1,0,2,0"
    )
}
