/// One raw udev event (or the initial snapshot), copied out of libudev.
public enum UDevEvent: Sendable, Hashable {
    /// The ports present when watching started.
    case snapshot([PortFacts])
    /// A tty appeared (or changed); facts read from sysfs at event time.
    case added(PortFacts)
    /// A device went away. `devpath` may name a tty or a whole USB device; sysfs may already be gone.
    case removed(devpath: String)
}
