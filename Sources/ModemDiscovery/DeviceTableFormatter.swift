/// Readable text for people (`smskit devices` without `--json`).
public enum DeviceTableFormatter {
    /// One block per device: a header line, then one indented line per port, the primary marked.
    public static func render(_ devices: [DiscoveredModem]) -> String {
        guard !devices.isEmpty else { return "No USB modems found (try --all, or --probe for unknown devices)." }
        var lines: [String] = []
        for device in devices {
            let name = [device.manufacturer, device.model].compactMap { $0 }.joined(separator: " ")
            lines.append("\(device.devnode ?? "(no AT port)")  \(device.vendorID):\(device.productID)  "
                         + "\(name.isEmpty ? "?" : name)  serial \(device.serial ?? "-")  [\(device.kind.rawValue)]")
            for port in device.ports {
                let primary = port.devnode == device.devnode ? "  (primary)" : ""
                lines.append("    \(port.devnode)  if \(port.interface ?? "--")  \(port.role.rawValue)\(primary)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
