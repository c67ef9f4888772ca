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

/// Fails the test (by returning nil) if `body` takes longer than `seconds`: a hang guard only.
func withTimeout<T: Sendable>(_ seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask { try await Task.sleep(for: .seconds(seconds)); return nil }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
