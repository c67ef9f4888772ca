import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a udev monitor on a dedicated thread and yields ``UDevEvent``s: first a snapshot of the
/// ports present (taken after the monitor is listening, so nothing is missed), then adds and removes.
/// ``stop()`` wakes the thread through a pipe and ends the stream.
final class UDevEventSource: Sendable {
    /// The raw events; single consumer.
    let events: AsyncStream<UDevEvent>
    private let wakeWrite: Int32

    /// Starts the thread; returns once the monitor listens, or throws if it cannot.
    init(netlinkSource: String = "udev") throws(DiscoveryError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw DiscoveryError.monitorFailed("pipe: " + String(cString: strerror(errno))) }
        let (wakeRead, wakeWrite) = (fds[0], fds[1])
        let (stream, continuation) = AsyncStream.makeStream(of: UDevEvent.self)
        let ready = ReadyBox()
        let thread = Thread {
            Self.runLoop(source: netlinkSource, wakeRead: wakeRead, continuation: continuation, ready: ready)
        }
        thread.name = "smskit.udev-monitor"
        thread.start()
        if let failure = ready.wait() {
            // Thrown before the stored properties are set, so deinit does not run and the write end
            // is closed exactly once (the thread has already closed the read end).
            close(wakeWrite)
            throw failure
        }
        self.wakeWrite = wakeWrite
        events = stream
    }

    /// Ends the stream and the thread (idempotent).
    func stop() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    deinit {
        stop()
        close(wakeWrite)
    }

    private static func runLoop(source: String, wakeRead: Int32, continuation: AsyncStream<UDevEvent>.Continuation,
                                ready: ReadyBox) {
        defer {
            close(wakeRead)
            continuation.finish()
        }
        let monitor: UDevMonitor
        let snapshot: [PortFacts]
        do {
            let context = try UDevContext()
            monitor = try UDevMonitor(context: context, source: source)
            snapshot = try PortFactsReader.scanAll(context: context)
        } catch {
            ready.signal(error)
            return
        }
        ready.signal(nil)
        continuation.yield(.snapshot(snapshot))
        var pollFDs = [pollfd(fd: monitor.fileDescriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), -1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0, pollFDs[1].revents == 0 else { return }
            guard pollFDs[0].revents & Int16(POLLIN) != 0 else {
                if pollFDs[0].revents != 0 { return }
                continue
            }
            while let device = monitor.receive() {
                if let event = event(from: device) { continuation.yield(event) }
            }
        }
    }

    /// Maps a received device to an event; ignores actions and devices discovery does not track.
    static func event(from device: UDevDevice) -> UDevEvent? {
        guard let devpath = device.devpath else { return nil }
        switch device.action {
        case "remove", "unbind":
            return .removed(devpath: devpath)
        case "add", "change", "bind", "move":
            guard device.subsystem == "tty" else { return nil }
            return PortFactsReader.facts(for: device).map(UDevEvent.added)
        default:
            return nil
        }
    }
}

/// One-shot handoff of "monitor ready (or failed)" from the monitor thread to the caller.
private final class ReadyBox: @unchecked Sendable {
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var done = false
    private var failure: DiscoveryError?

    func signal(_ error: DiscoveryError?) {
        condition.lock()
        done = true
        failure = error
        condition.signal()
        condition.unlock()
    }

    func wait() -> DiscoveryError? {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        return failure
    }
}
