import CUDev
import Foundation

/// Owns one `struct udev_device *` reference (unref in `deinit`). Not `Sendable`: confine it to
/// the thread that created it and copy what you need into ``PortFacts``.
final class UDevDevice {
    let handle: OpaquePointer

    /// Takes ownership of a reference returned by a `udev_device_new_*` or receive call.
    init(owning handle: OpaquePointer) { self.handle = handle }

    deinit { udev_device_unref(handle) }

    var syspath: String? { Self.string(udev_device_get_syspath(handle)) }
    var devpath: String? { Self.string(udev_device_get_devpath(handle)) }
    var devnode: String? { Self.string(udev_device_get_devnode(handle)) }
    var subsystem: String? { Self.string(udev_device_get_subsystem(handle)) }
    var driver: String? { Self.string(udev_device_get_driver(handle)) }
    var action: String? { Self.string(udev_device_get_action(handle)) }

    /// A udev property (from the uevent file, the udev database or the netlink message).
    func property(_ key: String) -> String? { Self.string(udev_device_get_property_value(handle, key)) }

    /// A sysfs attribute, trimmed of surrounding whitespace; nil when missing or empty.
    func attribute(_ name: String) -> String? {
        guard let value = Self.string(udev_device_get_sysattr_value(handle, name)) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The closest ancestor in `subsystem` with `devtype`, as an owned reference.
    func parent(subsystem: String, devtype: String) -> UDevDevice? {
        guard let raw = udev_device_get_parent_with_subsystem_devtype(handle, subsystem, devtype) else { return nil }
        // The parent is borrowed from the child: take our own reference.
        guard let owned = udev_device_ref(raw) else { return nil }
        return UDevDevice(owning: owned)
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
