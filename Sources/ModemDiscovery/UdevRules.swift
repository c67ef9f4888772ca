/// Renders `udev/90-smskit.rules` and `udev/91-smskit-modemmanager-ignore.rules` from
/// ``ClassificationTable``, so the rules and discovery agree on which port is the primary AT port.
///
/// `smskit devices --print-udev-rules main|modemmanager-ignore` prints them; a test checks the files in `udev/` match.
public enum UdevRules {
    /// The group that owns modem ports (create it and add the service user to it).
    public static let group = "smskit"

    /// The main rules file: classifies ports of known modems, gives the primary AT port the stable
    /// symlink `/dev/smskit/<USB serial>-at` (or `/dev/smskit/usb-<port path>-at` without a serial),
    /// and makes every port of a known modem `root:smskit 0660`.
    public static func mainRules() -> String {
        var lines = [
            "# SMSKit udev rules — generated from ModemDiscovery's classification table by",
            "# `smskit devices --print-udev-rules main`; edit the table, not this file. Install and verify:",
            "# see docs/discovery.md.",
            "#",
            "# For the primary AT port of a known modem:  SMSKIT_ROLE=at-primary and",
            "#   /dev/smskit/<USB serial>-at   (or /dev/smskit/usb-<USB port path>-at without a serial).",
            "# For every tty of a known modem family:      GROUP=\"\(group)\", MODE=\"0660\", SMSKIT_FAMILY=<vendor>.",
            "# Ports tagged SMSKIT_IGNORE=1 by an earlier rule are left alone.",
            "",
            "ACTION==\"remove\", GOTO=\"smskit_end\"",
            "SUBSYSTEM!=\"tty\", GOTO=\"smskit_end\"",
            "ENV{SMSKIT_IGNORE}==\"1\", GOTO=\"smskit_end\"",
            "SUBSYSTEMS==\"usb\", ATTRS{idVendor}==\"?*\", ATTRS{idProduct}==\"?*\", "
                + "ENV{.SMSKIT_VID}=\"$attr{idVendor}\", ENV{.SMSKIT_PID}=\"$attr{idProduct}\", ENV{.SMSKIT_USB}=\"$id\"",
            "ENV{.SMSKIT_VID}!=\"?*\", GOTO=\"smskit_end\"",
            "SUBSYSTEMS==\"usb\", ATTRS{bInterfaceNumber}==\"?*\", ENV{.SMSKIT_IF}=\"$attr{bInterfaceNumber}\", "
                + "ENV{.SMSKIT_CLASS}=\"$attr{bInterfaceClass}/$attr{bInterfaceSubClass}/$attr{bInterfaceProtocol}\"",
            "",
        ]
        let receivers = Dictionary(grouping: ClassificationTable.gnssReceivers.sorted()) { $0.prefix(4) }
        if !receivers.isEmpty { lines.append("# GNSS receivers of modem vendors: not modems.") }
        for (vendor, pairs) in receivers.sorted(by: { $0.key < $1.key }) {
            let products = pairs.map { $0.suffix(4) }.joined(separator: "|")
            lines.append("ENV{.SMSKIT_VID}==\"\(vendor)\", ENV{.SMSKIT_PID}==\"\(products)\", GOTO=\"smskit_end\"")
        }
        lines += ["", "# Known modem families: group and mode for the service user."]
        for family in ClassificationTable.families {
            lines.append("ENV{.SMSKIT_VID}==\"\(family.vendorID)\", ENV{SMSKIT_FAMILY}=\"\(slug(family.name))\", "
                         + "GROUP=\"\(group)\", MODE=\"0660\"")
        }
        lines += ["ENV{SMSKIT_FAMILY}!=\"?*\", GOTO=\"smskit_end\"", "", "# Primary AT port per model layout."]
        for layout in ClassificationTable.layouts {
            guard let primary = layout.primary else { continue }
            lines.append("# \(layout.name)")
            lines.append("ENV{.SMSKIT_VID}==\"\(layout.vendorID)\", ENV{.SMSKIT_PID}==\"\(layout.productIDs.sorted().joined(separator: "|"))\", "
                         + "ENV{.SMSKIT_IF}==\"\(primary)\", ENV{SMSKIT_ROLE}=\"at-primary\"")
        }
        lines += [
            "",
            "# Vendor conventions (see PortClassifier): Huawei PCUI by interface protocol, old Huawei",
            "# ff/ff/ff sticks on interface 02, Sierra qcserial on interface 03, CDC AT (02/02/01-06) on",
            "# interface 00 of other known-family modems. Table layouts above take precedence.",
            "ENV{SMSKIT_ROLE}==\"?*\", GOTO=\"smskit_link\"",
            "ENV{.SMSKIT_VID}==\"12d1\", ENV{.SMSKIT_CLASS}==\"ff/*/02|ff/*/12\", ENV{.SMSKIT_CLASS}!=\"ff/ff/*\", "
                + "ENV{SMSKIT_ROLE}=\"at-primary\"",
            "ENV{.SMSKIT_VID}==\"12d1\", ENV{.SMSKIT_CLASS}==\"ff/ff/ff\", ENV{.SMSKIT_IF}==\"02\", ENV{SMSKIT_ROLE}=\"at-primary\"",
            "ENV{.SMSKIT_VID}==\"1199\", DRIVERS==\"qcserial\", ENV{.SMSKIT_IF}==\"03\", ENV{SMSKIT_ROLE}=\"at-primary\"",
            "ENV{SMSKIT_ROLE}!=\"?*\", ENV{.SMSKIT_CLASS}==\"02/02/0[1-6]\", ENV{.SMSKIT_IF}==\"00\", ENV{SMSKIT_ROLE}=\"at-primary\"",
            "",
            "LABEL=\"smskit_link\"",
            "ENV{SMSKIT_ROLE}!=\"at-primary\", GOTO=\"smskit_end\"",
            "IMPORT{builtin}=\"usb_id\"",
            "ENV{ID_SERIAL_SHORT}==\"?*\", SYMLINK+=\"smskit/$env{ID_SERIAL_SHORT}-at\", GOTO=\"smskit_end\"",
            "SYMLINK+=\"smskit/usb-$env{.SMSKIT_USB}-at\"",
            "",
            "LABEL=\"smskit_end\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The optional file that tags known modems' USB devices `ID_MM_DEVICE_IGNORE=1`, so
    /// ModemManager leaves them (all their ports, AT and QMI/MBIM alike) to SMSKit.
    public static func modemManagerIgnoreRules() -> String {
        var lines = [
            "# Optional: make ModemManager ignore modems of the families SMSKit knows, so SMSKit can own",
            "# them. Generated by `smskit devices --print-udev-rules modemmanager-ignore`; see docs/discovery.md.",
            "# Install next to 90-smskit.rules only on hosts where SMSKit, not ModemManager, drives the modems.",
            "",
            "ACTION==\"remove\", GOTO=\"smskit_mm_end\"",
            "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", GOTO=\"smskit_mm_match\"",
            "SUBSYSTEM==\"tty\", GOTO=\"smskit_mm_match\"",
            "GOTO=\"smskit_mm_end\"",
            "LABEL=\"smskit_mm_match\"",
            "ENV{SMSKIT_IGNORE}==\"1\", GOTO=\"smskit_mm_end\"",
        ]
        let vendors = ClassificationTable.families.map(\.vendorID).joined(separator: "|")
        lines.append("SUBSYSTEMS==\"usb\", ATTRS{idVendor}==\"\(vendors)\", ENV{ID_MM_DEVICE_IGNORE}=\"1\"")
        lines += ["", "LABEL=\"smskit_mm_end\""]
        return lines.joined(separator: "\n") + "\n"
    }

    /// "Sierra Wireless" → "sierra-wireless", "Qualcomm/Quectel (legacy)" → "qualcomm-quectel-legacy".
    static func slug(_ name: String) -> String {
        let mapped = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(mapped).split(separator: "-").joined(separator: "-")
    }
}
