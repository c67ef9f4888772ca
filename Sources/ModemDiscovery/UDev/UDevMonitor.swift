import CUDev

/// Owns one `struct udev_monitor *` on the netlink socket, filtered to ttys and USB devices.
/// Not `Sendable`: used only by the ``UDevEventSource`` thread.
final class UDevMonitor {
    let handle: OpaquePointer
    /// Keeps the context alive as long as the monitor.
    let context: UDevContext

    /// Listens to `source` ("udev": events after rules ran; "kernel": raw kernel events).
    init(context: UDevContext, source: String = "udev") throws(DiscoveryError) {
        guard let handle = udev_monitor_new_from_netlink(context.handle, source) else {
            throw DiscoveryError.monitorFailed("udev_monitor_new_from_netlink(\(source)) failed")
        }
        self.handle = handle
        self.context = context
        udev_monitor_filter_add_match_subsystem_devtype(handle, "tty", nil)
        udev_monitor_filter_add_match_subsystem_devtype(handle, "usb", "usb_device")
        let status = udev_monitor_enable_receiving(handle)
        guard status >= 0 else { throw DiscoveryError.monitorFailed("udev_monitor_enable_receiving failed (\(status))") }
    }

    deinit { udev_monitor_unref(handle) }

    /// The socket to poll for readability.
    var fileDescriptor: Int32 { udev_monitor_get_fd(handle) }

    /// The next queued event, or nil when none is ready.
    func receive() -> UDevDevice? {
        udev_monitor_receive_device(handle).map(UDevDevice.init(owning:))
    }
}
