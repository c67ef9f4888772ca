import Foundation
import Logging
import ModemDiscovery

/// `smskit gateway --device auto|SERIAL`: follows hot-plug through `ModemWatcher` (ModemDiscovery); every modem
/// that appears (all of them, or the one whose USB serial or id is `SERIAL`) gets a worker on its AT
/// port, and the worker stops when the modem is removed. Its queue then goes to the others.
public struct HotPlugAttacher: Sendable {
    /// `auto`, or a USB serial / device id.
    public var selector: String
    /// Settings applied to every attached modem (limits; PIN from `pin`).
    public var template: ModemSettings

    public init(selector: String, template: ModemSettings) {
        self.selector = selector
        self.template = template
    }

    func matches(_ modem: DiscoveredModem) -> Bool {
        selector == "auto" ? modem.kind == .modem : (modem.serial == selector || modem.id == selector)
    }

    /// Runs until cancelled (or the udev monitor fails).
    /// - Throws: ``GatewayError/configuration(_:)`` when udev cannot be monitored.
    func run(gateway: Gateway, logger: Logger) async throws {
        let watcher: ModemWatcher
        do { watcher = try ModemWatcher() } catch {
            throw GatewayError.configuration("cannot follow hot-plug through udev: \(error)")
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await watcher.run() }
            var running: [String: Task<Void, Never>] = [:]
            for await event in watcher.events() {
                let modem = event.modem
                switch event.kind {
                case .added:
                    guard matches(modem), running[modem.usbDevicePath] == nil, let port = modem.devnode else {
                        if matches(modem), modem.devnode == nil {
                            logger.warning("modem has no known AT port; not attached", metadata: ["device": "\(modem.id)"])
                        }
                        continue
                    }
                    logger.info("modem plugged in; attaching", metadata: ["device": "\(modem.id)", "port": "\(port)"])
                    var settings = template
                    settings.port = port
                    let task = Task { await gateway.attach(settings) }
                    running[modem.usbDevicePath] = task
                    group.addTask { await task.value }
                case .removed:
                    if let task = running.removeValue(forKey: modem.usbDevicePath) {
                        logger.warning("modem removed; its queue goes to the others", metadata: ["device": "\(modem.id)"])
                        task.cancel()
                    }
                }
            }
            for task in running.values { task.cancel() }
        }
    }
}
