import Foundation
import Testing
import ModemEmulator
@testable import ATModem
import SMSKitTestSupport

/// Issue 14 soak: 2,000 templated two-part messages (part 2 the same text for all, the phone's 8-bit
/// references wrapping every 256 messages, many in the same second) from a virtual phone to a driver
/// `Modem` through the emulator with duplication and reordering on. None lost, none doubled, every one
/// complete, and the SIM empty at the end.
@Suite(.serialized) struct SoakTests {
    static let disclaimer = "This code is valid for 10 minutes. Never share it with anyone, not even with our staff: "
        + "we will never ask you for it by phone, e-mail or SMS. If you did not ask for a code, ignore this message."

    @Test func twoThousandTemplatedMultipartMessagesThroughDuplicationAndReordering() async throws {
        var network = NetworkConfiguration()
        network.reorderWindow = .milliseconds(100)
        network.logLimit = nil  // the fault counts below look at the whole run
        let net = VirtualNetwork(seed: 1414, faults: try Faults(parsing: "dup=0.05,reorder=0.1"), clock: InstantClock(),
                                 configuration: network)
        var bobConfiguration = ModemConfiguration(number: "+15550002")
        bobConfiguration.simCapacity = 100
        let bob = try await net.addModem(bobConfiguration)
        try await net.setPhonePrefixes(["+1999"])
        var config = testConfiguration()
        // Real time: in a loaded parallel run (the 2-core CI, 23 s for this suite instead of 4 s alone) a
        // part held back by the 100 ms reorder window can still arrive more than 5 s after its partner.
        config.reassemblyTimeout = .seconds(20)
        let receiver = try await openModem(on: bob, configuration: config)

        let count = 2_000
        let texts = (0..<count).map { "OTP \(String(format: "%06d", 100_000 + $0)). " + Self.disclaimer }
        let expected = Set(texts)
        let started = ContinuousClock.now
        let inbox = Task { () -> (seen: [String: Int], incomplete: Int) in
            var seen: [String: Int] = [:]
            var incomplete = 0
            for await message in receiver.incoming {
                if !message.isComplete { incomplete += 1 }
                seen[message.text ?? "", default: 0] += 1
                try? await message.acknowledge()
                if seen.count == count { break }
            }
            return (seen, incomplete)
        }
        for text in texts { try await net.phoneSend(from: "+19990001", to: "+15550002", text: text) }
        let outcome = try #require(try await withTimeout(50) { await inbox.value }, "not all messages arrived in time")
        let elapsed = ContinuousClock.now - started
        #expect(Set(outcome.seen.keys) == expected)
        #expect(outcome.seen.values.allSatisfy { $0 == 1 }, "doubled: \(outcome.seen.filter { $0.value > 1 }.keys.prefix(3))")
        #expect(outcome.incomplete == 0)
        // Copies that came after their message are deleted as they are read: the SIM drains to zero.
        let drained = try await withTimeout(10) { () -> Bool in
            while await !bob.storedMessages().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            return true
        }
        let left = await bob.storedMessages().count
        #expect(drained == true, "still stored: \(left)")
        let faults = await net.faultLog.map(\.kind)
        #expect(faults.contains(.duplication) && faults.contains(.reordering))
        print("soak: \(count) two-part messages in \(elapsed); faults: \(Dictionary(grouping: faults, by: { $0 }).mapValues(\.count))")
        await receiver.close()
        await net.shutdown()
    }
}
