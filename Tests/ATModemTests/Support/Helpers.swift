import Foundation
import SerialPort
@testable import ATModem

/// Serial settings for tests: no lock files in /run/lock.
let testSerial = SerialConfiguration(lockPolicy: .disabled)

/// Opens an ATChannel on a fake modem's pty and runs it (it stops when the test closes it).
func channel(on fake: FakeModem, clock: any Clock<Duration> = ContinuousClock(),
             configuration: ATChannel.Configuration = .init()) throws -> ATChannel {
    let channel = ATChannel(transport: try SerialPort(path: fake.path, configuration: testSerial), configuration: configuration, clock: clock)
    Task { await channel.run() }
    return channel
}

/// A modem configuration for tests: fast reconnects, no lock files.
func testConfiguration(pin: String? = nil) -> Modem.Configuration {
    Modem.Configuration(pin: pin, serial: testSerial, reconnectInterval: .milliseconds(20), reconnectWait: .seconds(10),
                        retryDelay: .milliseconds(1))
}

