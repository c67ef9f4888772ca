import CUDev

/// Owns one `struct udev *` library context. Not `Sendable`: keep it on the thread or actor that made it.
final class UDevContext {
    let handle: OpaquePointer

    /// Creates a libudev context, or throws when libudev cannot allocate one.
    init() throws(DiscoveryError) {
        guard let handle = udev_new() else { throw DiscoveryError.udevUnavailable("udev_new failed") }
        self.handle = handle
    }

    deinit { udev_unref(handle) }

    /// The device at `syspath` (e.g. `/sys/devices/.../ttyUSB0/tty/ttyUSB0`), or nil when it is gone.
    func device(syspath: String) -> UDevDevice? {
        guard let raw = udev_device_new_from_syspath(handle, syspath) else { return nil }
        return UDevDevice(owning: raw)
    }

    /// Syspaths of every device in `subsystem`. Does not filter on "initialized": containers and
    /// umockdev test beds have no udev database.
    func syspaths(subsystem: String) throws(DiscoveryError) -> [String] {
        guard let enumerate = udev_enumerate_new(handle) else {
            throw DiscoveryError.udevUnavailable("udev_enumerate_new failed")
        }
        defer { udev_enumerate_unref(enumerate) }
        udev_enumerate_add_match_subsystem(enumerate, subsystem)
        let status = udev_enumerate_scan_devices(enumerate)
        guard status >= 0 else { throw DiscoveryError.udevUnavailable("udev_enumerate_scan_devices failed (\(status))") }
        var paths: [String] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            if let name = udev_list_entry_get_name(current) { paths.append(String(cString: name)) }
            entry = udev_list_entry_get_next(current)
        }
        return paths
    }
}
