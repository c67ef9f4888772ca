import Foundation
import Logging
import Testing
import ModemEmulator
import SerialPort
@testable import ATModem
import SMSKitTestSupport

/// Opens a driver Modem on a virtual modem, following its PTY across unplug/replug.
func openModem(on virtual: VirtualModem, configuration: Modem.Configuration = testConfiguration()) async throws -> Modem {
    var logger = Logger(label: "test.modem")
    logger.logLevel = .warning
    return try await Modem(name: virtual.number, configuration: configuration, logger: logger) { () throws(ModemError) in
        guard let path = await virtual.portPath else { throw ModemError.port(.openFailed(path: virtual.number, errno: ENOENT)) }
        do throws(SerialPortError) { return try SerialPort(path: path, configuration: testSerial) } catch { throw .port(error) }
    }
}

/// Seeded message mix: GSM 7-bit, UCS-2 with emoji, concatenated up to 10 parts; every text unique.
func messageMix(count: Int, seed: UInt64) -> [String] {
    var rng = SeededGenerator(seed: seed)
    let gsmWords = ["hello", "Grüße", "Zürich", "€uro", "[brackets]", "{curly}", "ÆØÅ", "~tilde~", "ok", "^caret", "@home"]
    let ucsWords = ["😀", "👍🏽", "Привет", "日本語", "🎉", "שלום", "emoji", "𝄞", "ü", "ça"]
    return (0..<count).map { i in
        let ucs = Int.random(in: 0..<3, using: &rng) == 0
        let words = ucs ? ucsWords : gsmWords
        let roll = Int.random(in: 0..<10, using: &rng)
        let target: Int
        switch roll {
        case 0..<6: target = ucs ? 50 : 120            // single part
        case 6..<9: target = (ucs ? 67 : 153) * Int.random(in: 2...4, using: &rng) - 10
        default: target = (ucs ? 67 : 153) * Int.random(in: 5...10, using: &rng) - 20
        }
        var text = "#\(i) "
        while text.count < target { text += words[Int.random(in: 0..<words.count, using: &rng)] + " " }
        return text
    }
}

@Suite(.serialized) struct EmulatorEndToEndTests {
    @Test func thousandMessagesExactlyOnceThroughFaults() async throws {
        // Full fault logs (not the default ring of 1,000): the counts below look at the whole run.
        var configuration = NetworkConfiguration()
        configuration.logLimit = nil
        let net = VirtualNetwork(seed: 2026, faults: try Faults(parsing: "dup=0.1,reorder=0.1,urc=0.2,noise=0.2"),
                                 clock: InstantClock(), configuration: configuration)
        var aliceConfiguration = ModemConfiguration(number: "+15550001")
        var bobConfiguration = ModemConfiguration(number: "+15550002")
        aliceConfiguration.logLimit = nil
        bobConfiguration.logLimit = nil
        let alice = try await net.addModem(aliceConfiguration)
        let bob = try await net.addModem(bobConfiguration)
        let sender = try await openModem(on: alice)
        let receiver = try await openModem(on: bob)
        let texts = messageMix(count: 1000, seed: 77)
        let expected = Set(texts)
        #expect(expected.count == texts.count)

        let started = ContinuousClock.now
        let inbox = Task { () -> [String: Int] in
            var seen: [String: Int] = [:]
            var distinct = 0
            for await message in receiver.incoming {
                #expect(message.isComplete, "incomplete: \(message.receivedParts)/\(message.totalParts)")
                let text = message.text ?? ""
                seen[text, default: 0] += 1
                if seen[text] == 1 { distinct += 1 }
                try? await message.acknowledge()
                if distinct == expected.count { break }
            }
            return seen
        }
        var parts = 0
        for (i, text) in texts.enumerated() {
            if i == 400 || i == 750 {
                // Pull the sender's cable while the next submit is on its way.
                Task { await alice.unplug(); try? await alice.replug() }
            }
            do {
                guard let receipt = try await withTimeout(15, { try await sender.send(text: text, to: "+15550002") }) else {
                    throw ModemError.closed
                }
                parts += receipt.references.count
            } catch {
                for e in await alice.transcript.suffix(20) { print("T", e) }
                for e in await bob.transcript.suffix(20) { print("B", e) }
                print("stored at bob", await bob.storedMessages().count)
                print("F", await alice.faultLog.suffix(10))
                throw error
            }
        }
        let seen = try #require(try await withTimeout(60) { await inbox.value })
        // Let stragglers (network duplicates) arrive, then check nothing was doubled.
        try await Task.sleep(for: .milliseconds(200))
        let elapsed = ContinuousClock.now - started
        #expect(Set(seen.keys) == expected)
        let doubled = seen.filter { $0.value > 1 }
        #expect(doubled.isEmpty, "doubled: \(doubled.keys.prefix(3))")
        let faults = await net.faultLog.map(\.kind)
        #expect(faults.contains(.duplication) && faults.contains(.reordering))
        let modemFaults = await alice.faultLog.map(\.kind) + bob.faultLog.map(\.kind)
        #expect(modemFaults.filter { $0 == .unplug }.count == 2)
        #expect(modemFaults.contains(.noise) && modemFaults.contains(.urcInterleave))
        print("e2e: 1000 messages, \(parts) parts in \(elapsed); faults: \(Dictionary(grouping: faults, by: { $0 }).mapValues(\.count))")
        await sender.close()
        await receiver.close()
        await net.shutdown()
    }
}
