/// Groups ports into devices, classifies them and picks the primary AT port. Pure.
public enum ModemAssembler {
    /// Builds one ``DiscoveredModem`` per USB device from `ports` (ignored ports and devices are
    /// dropped), sorted by primary node then USB path. `probed` names ports that answered `AT`.
    public static func assemble(_ ports: [PortFacts], probed: Set<String> = []) -> [DiscoveredModem] {
        let groups = Dictionary(grouping: ports.filter { !$0.ignored }, by: \.usbDevicePath)
        return groups.values.compactMap { device(from: $0, probed: probed) }
            .sorted { lhs, rhs in
                switch (lhs.devnode, rhs.devnode) {
                case let (left?, right?) where left != right: return naturalLess(left, right)
                case (.some, .none): return true
                case (.none, .some): return false
                default: return naturalLess(lhs.usbDevicePath, rhs.usbDevicePath)
                }
            }
    }

    /// One device from the ports of one USB device; nil for an empty group.
    static func device(from group: [PortFacts], probed: Set<String>) -> DiscoveredModem? {
        let sorted = group.sorted { ($0.interfaceNumber ?? "~", $0.devnode) < ($1.interfaceNumber ?? "~", $1.devnode) }
        guard let first = sorted.first else { return nil }
        var roles = sorted.map(PortClassifier.role(of:))
        var kind = PortClassifier.kind(of: sorted, roles: roles)
        if kind != .serialAdapter {
            for index in roles.indices where roles[index] == .unknown && probed.contains(sorted[index].devnode) {
                roles[index] = .at
                kind = .modem
            }
        }
        let ports = zip(sorted, roles).map { ModemPort(devnode: $0.devnode, interface: $0.interfaceNumber, role: $1) }
        let primary = kind == .modem ? primaryPort(ports, layout: PortClassifier.layout(vendorID: first.vendorID,
                                                                                         productID: first.productID)) : nil
        return DiscoveredModem(
            devnode: primary?.devnode, ports: ports, vendorID: first.vendorID, productID: first.productID,
            manufacturer: first.manufacturer, model: first.model, serial: first.serial, kind: kind,
            id: stableID(serial: first.serial, usbDevicePath: first.usbDevicePath), usbDevicePath: first.usbDevicePath)
    }

    /// Orders `/dev/ttyUSB4` before `/dev/ttyUSB11`: runs of digits compare by value.
    static func naturalLess(_ lhs: String, _ rhs: String) -> Bool {
        let left = naturalKey(lhs), right = naturalKey(rhs)
        for (l, r) in zip(left, right) where l != r {
            return l.text != r.text ? l.text < r.text : l.number < r.number
        }
        return left.count != right.count ? left.count < right.count : lhs < rhs
    }

    /// Splits "ttyUSB11" into [("ttyUSB", 11)]; numbers longer than 18 digits are truncated.
    static func naturalKey(_ text: String) -> [NaturalChunk] {
        var chunks: [NaturalChunk] = []
        var letters = "", digits = ""
        for character in text {
            if character.isASCII && character.isNumber {
                digits.append(character)
                continue
            }
            if !digits.isEmpty {
                chunks.append(NaturalChunk(text: letters, number: Int(digits.prefix(18)) ?? 0))
                letters = ""
                digits = ""
            }
            letters.append(character)
        }
        chunks.append(NaturalChunk(text: letters, number: digits.isEmpty ? -1 : Int(digits.prefix(18)) ?? 0))
        return chunks
    }

    /// A text run followed by a number (-1 when none).
    struct NaturalChunk: Equatable {
        var text: String
        var number: Int
    }

    /// The layout's primary interface if present, else the lowest `at` port, else the lowest `ppp` port.
    static func primaryPort(_ ports: [ModemPort], layout: ModelLayout?) -> ModemPort? {
        if let wanted = layout?.primary, let port = ports.first(where: { $0.interface == wanted && $0.role == .at }) {
            return port
        }
        return ports.first { $0.role == .at } ?? ports.first { $0.role == .ppp }
    }

    /// The USB serial with characters udev would not keep in `ID_SERIAL_SHORT` replaced by `_`, else
    /// `usb-<USB device kernel name>` (`usb-1-2`), matching `$id` in `udev/90-smskit.rules`.
    public static func stableID(serial: String?, usbDevicePath: String) -> String {
        if let serial, !serial.isEmpty {
            return String(serial.map { $0.isASCII && ($0.isLetter || $0.isNumber || "#+-.:=@_".contains($0)) ? $0 : "_" })
        }
        let last = usbDevicePath.split(separator: "/").last.map(String.init) ?? "unknown"
        return "usb-" + last
    }
}
