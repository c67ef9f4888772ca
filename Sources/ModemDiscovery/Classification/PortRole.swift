/// What one tty of a modem is for.
///
/// `at` is a command port you can send SMS commands on; `ppp` is the data (modem) port, which also
/// speaks AT but is best left free for dial-up; `diag` is Qualcomm DM/QCDM; `gps` streams NMEA.
public enum PortRole: String, Sendable, Codable, CaseIterable, Comparable {
    case at, ppp, diag, gps, audio, unknown

    /// Order used to list ports: command ports first.
    public static func < (lhs: PortRole, rhs: PortRole) -> Bool {
        let order = allCases
        return (order.firstIndex(of: lhs) ?? 0) < (order.firstIndex(of: rhs) ?? 0)
    }
}
