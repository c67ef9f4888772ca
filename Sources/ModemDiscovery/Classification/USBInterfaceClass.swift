/// The USB interface triple (`bInterfaceClass`/`SubClass`/`Protocol`) a tty hangs off.
public struct USBInterfaceClass: Sendable, Hashable, CustomStringConvertible {
    /// `bInterfaceClass` (02 CDC, ff vendor-specific, ...).
    public var interfaceClass: UInt8
    /// `bInterfaceSubClass`.
    public var subclass: UInt8
    /// `bInterfaceProtocol`.
    public var `protocol`: UInt8

    /// Creates a triple, e.g. `USBInterfaceClass(0x02, 0x02, 0x01)` for a CDC ACM AT port.
    public init(_ interfaceClass: UInt8, _ subclass: UInt8, _ protocol: UInt8) {
        self.interfaceClass = interfaceClass
        self.subclass = subclass
        self.protocol = `protocol`
    }

    /// Parses the three hex sysfs strings ("ff", "02", "01"); nil when any is missing or malformed.
    public init?(hexClass: String?, subclass: String?, protocol: String?) {
        guard let c = hexClass.flatMap({ UInt8($0, radix: 16) }),
              let s = subclass.flatMap({ UInt8($0, radix: 16) }),
              let p = `protocol`.flatMap({ UInt8($0, radix: 16) }) else { return nil }
        self.init(c, s, p)
    }

    /// `ff/02/01` style.
    public var description: String {
        [interfaceClass, subclass, `protocol`].map { HexID.byte($0) }.joined(separator: "/")
    }
}
