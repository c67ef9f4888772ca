/// The pure state behind ``ModemWatcher``: ports known by devpath, modems already announced, and
/// the added/removed events that turn one into the other.
///
/// ```swift
/// var tracker = HotPlugTracker()
/// tracker.apply(.added(port0)); tracker.apply(.added(port1))   // a burst of ports
/// tracker.settle()        // [.added(modem)] — one event for the whole modem
/// tracker.apply(.removed(devpath: usbDevicePath))
/// tracker.settle()        // [.removed(modem)]
/// ```
public struct HotPlugTracker: Sendable {
    /// Present ports by tty devpath.
    public private(set) var ports: [String: PortFacts] = [:]
    /// Modems already reported as added, by USB device path.
    public private(set) var announced: [String: DiscoveredModem] = [:]
    /// Report serial adapters and unknown devices too.
    public var includeAll: Bool

    /// Creates an empty tracker.
    public init(includeAll: Bool = false) { self.includeAll = includeAll }

    /// Records one raw event. Removal matches the tty devpath, anything below it, or a USB device path,
    /// so it works when sysfs is already gone (or still there).
    public mutating func apply(_ event: UDevEvent) {
        switch event {
        case .snapshot(let facts):
            ports = Dictionary(facts.map { ($0.devpath, $0) }, uniquingKeysWith: { _, last in last })
        case .added(let facts):
            ports[facts.devpath] = facts
        case .removed(let devpath):
            let prefix = devpath.hasSuffix("/") ? devpath : devpath + "/"
            ports = ports.filter { key, port in
                !(key == devpath || key.hasPrefix(prefix) || port.usbDevicePath == devpath)
            }
        }
    }

    /// Compares present modems with those announced and returns what changed: removals first, then
    /// additions. A modem whose primary port changed is reported removed then added.
    public mutating func settle() -> [HotPlugEvent] {
        let present = ModemAssembler.assemble(Array(ports.values))
            .filter { includeAll || $0.kind == .modem }
        let current = Dictionary(present.map { ($0.usbDevicePath, $0) }, uniquingKeysWith: { _, last in last })
        var events: [HotPlugEvent] = []
        for (path, old) in announced.sorted(by: { $0.key < $1.key }) {
            if let now = current[path], now.devnode == old.devnode { continue }
            events.append(HotPlugEvent(.removed, old))
            announced[path] = nil
        }
        for modem in present {
            let isNew = announced[modem.usbDevicePath] == nil
            announced[modem.usbDevicePath] = modem
            if isNew { events.append(HotPlugEvent(.added, modem)) }
        }
        return events
    }
}
