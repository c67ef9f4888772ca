import Testing
@testable import ModemDiscovery

@Suite("Hot-plug tracking and debouncing")
struct HotPlugTests {
    let ec25 = ["00", "01", "02", "03"].map { port("2c7c", "0125", $0, vendorSpecific, usb: "/usb1/1-3", serial: "EC25") }
    let ftdi = port("0403", "6001", "00", vendorSpecific, driver: "ftdi_sio", node: "/dev/ttyUSB9", usb: "/usb1/1-6")

    @Test("A burst of ports is one 'added'; nothing more until something changes")
    func burst() {
        var tracker = HotPlugTracker()
        for facts in ec25 { tracker.apply(.added(facts)) }
        let events = tracker.settle()
        #expect(events.map(\.kind) == [.added])
        #expect(events.first?.modem.devnode == "/dev/ttyUSB2")
        #expect(events.first?.modem.ports.count == 4)
        #expect(tracker.settle().isEmpty)
    }

    @Test("Removal by tty devpath, without reading sysfs")
    func removeByTTY() {
        var tracker = HotPlugTracker()
        tracker.apply(.snapshot(ec25))
        _ = tracker.settle()
        for facts in ec25 { tracker.apply(.removed(devpath: facts.devpath)) }
        let events = tracker.settle()
        #expect(events.map(\.kind) == [.removed])
        #expect(events.first?.modem.serial == "EC25")
        #expect(tracker.ports.isEmpty)
    }

    @Test("Removal of the USB device removes all of its ports")
    func removeByUSBDevice() {
        var tracker = HotPlugTracker()
        tracker.apply(.snapshot(ec25))
        _ = tracker.settle()
        tracker.apply(.removed(devpath: "/usb1/1-3"))
        #expect(tracker.settle().map(\.kind) == [.removed])
    }

    @Test("Losing the primary AT port re-announces the modem with its new primary")
    func primaryChange() {
        var tracker = HotPlugTracker()
        tracker.apply(.snapshot(ec25))
        _ = tracker.settle()
        tracker.apply(.removed(devpath: ec25[2].devpath))
        let events = tracker.settle()
        #expect(events.map(\.kind) == [.removed, .added])
        #expect(events.last?.modem.devnode == "/dev/ttyUSB3")
    }

    @Test("Adapters are reported only with includeAll")
    func adapters() {
        var modemsOnly = HotPlugTracker()
        modemsOnly.apply(.added(ftdi))
        #expect(modemsOnly.settle().isEmpty)
        var all = HotPlugTracker(includeAll: true)
        all.apply(.added(ftdi))
        #expect(all.settle().first?.modem.kind == .serialAdapter)
    }

    @Test("Debounced stream: snapshot at once, one event per burst, flush when the source ends")
    func debouncedStream() async throws {
        let (raw, feed) = AsyncStream.makeStream(of: UDevEvent.self)
        let events = ModemWatcher.debounced(raw, settle: .milliseconds(250), clock: ContinuousClock())
        var iterator = events.makeAsyncIterator()

        feed.yield(.snapshot([ftdi]))
        for facts in ec25 { feed.yield(.added(facts)) }
        let added = try #require(await iterator.next())
        #expect(added.kind == .added)
        #expect(added.modem.ports.count == 4)

        for facts in ec25 { feed.yield(.removed(devpath: facts.devpath)) }
        feed.finish()
        let removed = try #require(await iterator.next())
        #expect(removed.kind == .removed)
        #expect(await iterator.next() == nil)
    }
}
