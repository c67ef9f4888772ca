import ATModem
import Foundation
import Logging
import ModemEmulator
import SecureSMS
import SecureTransport
import ServiceLifecycle
import Testing
import SMSKitTestSupport

/// SecureSMS over real PTYs: the `Modem` driver talks AT to two emulated modems joined by the virtual network.
@Suite(.serialized) struct SecureOverEmulatorTests {
    /// Opens two modems on a virtual network with `faults` and a SecureModemLink on each.
    static func links(faults: String, transport: SecureTransportKind)
        async throws -> (VirtualNetwork, client: SecureModemLink, bank: SecureModemLink) {
        let net = VirtualNetwork(seed: 7, faults: try Faults(parsing: faults), clock: InstantClock())
        let a = try await net.addModem(number: "+15550001")
        let b = try await net.addModem(number: "+15550002")
        let ma = try await Modem(port: try #require(await a.portPath))
        let mb = try await Modem(port: try #require(await b.portPath))
        let configuration = EndpointConfiguration(transport: transport,
                                                  retry: RetryPolicy(initialTimeout: 1.5, multiplier: 1.5, maximumTimeout: 4,
                                                                     maximumAttempts: 30),
                                                  ackDelay: 0.2)
        var bankConfiguration = configuration
        bankConfiguration.role = .bank
        let client = try await SecureModemLink(modem: ma, identity: Fixtures.client, store: nil, configuration: configuration)
        let bank = try await SecureModemLink(modem: mb, identity: Fixtures.bank, store: nil, configuration: bankConfiguration)
        // Each runs until `shutdown` closes it (close() ends run()).
        Task { await client.run() }
        Task { await bank.run() }
        try await bank.channel.enrol(Fixtures.client.publicKey, number: "+15550001", customerID: "c-7")
        return (net, client, bank)
    }

    static func shutdown(_ net: VirtualNetwork, _ links: SecureModemLink...) async {
        for link in links {
            await link.close()
            await link.modem.close()
        }
        await net.shutdown()
    }

    /// Collects events from a channel in the background.
    actor Collector {
        var messages: [ReceivedMessage] = []
        var delivered: Set<UInt64> = []
        func add(_ event: SecureEvent) {
            switch event {
            case .message(let m): messages.append(m)
            case .delivered(let id, _, _): delivered.insert(id)
            default: break
            }
        }
        func snapshot() -> ([ReceivedMessage], Set<UInt64>) { (messages, delivered) }
    }

    /// The application side: stores each message (in the collector), then commits it.
    static func collect(_ channel: SecureChannel) -> Collector {
        let collector = Collector()
        Task {
            for await event in channel.events {
                await collector.add(event)
                if case .message(let m) = event { try? await channel.commit(m.receipt) }
            }
        }
        return collector
    }

    /// Polls `condition` until it holds or `seconds` pass (a failure guard, not a sleep-based assertion).
    static func wait(seconds: Double, _ condition: () async -> Bool) async -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if await condition() { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return await condition()
    }

    /// The CLI's wait is library code now: `outcome(of:timeout:)` returns `delivered` with the cost
    /// once the bank acknowledges, hands the bank's reply to `onMessage` (and commits it), and says
    /// `unconfirmed` when the deadline passes before any acknowledgement (the bank is unreachable).
    @Test func outcomeOfASentMessage() async throws {
        let (net, client, bank) = try await Self.links(faults: "", transport: .binary)
        let bankEvents = Task {
            for await event in bank.channel.events {
                guard case .message(let m) = event else { continue }
                try? await bank.channel.commit(m.receipt)
                _ = try? await bank.channel.send(text: "balance 12.00", to: m.peer, number: m.from)
            }
        }
        let replies = Collector()
        let sent = try await client.channel.send(text: "balance?", to: Fixtures.bank.publicKey, number: "+15550002")
        let outcome = await client.channel.outcome(of: sent.messageID, timeout: .seconds(60), onMessage: { m in
            await replies.add(.message(m))
        })
        guard case .delivered(let cost) = outcome else {
            Issue.record("expected delivered, got \(outcome)")
            return
        }
        #expect(cost.segments == 1)

        // A bank that no longer listens: the deadline passes first.
        bankEvents.cancel()
        await bank.close()
        let lost = try await client.channel.send(text: "still there?", to: Fixtures.bank.publicKey, number: "+15550002")
        #expect(await client.channel.outcome(of: lost.messageID, timeout: .milliseconds(300)) == .unconfirmed)
        await Self.shutdown(net, client, bank)
    }

    /// Handshake and 8 messages each way over the text fallback with loss, duplication and reordering.
    @Test func sessionOverPTYsWithLossDuplicationReordering() async throws {
        let (net, client, bank) = try await Self.links(faults: "loss=0.15,dup=0.15,reorder=0.2", transport: .text)
        let atBank = Self.collect(bank.channel)
        let atClient = Self.collect(client.channel)
        var sent: [UInt64] = []
        for i in 0..<8 {
            sent.append(try await client.channel.send(text: "request \(i)", to: Fixtures.bank.publicKey, number: "+15550002").messageID)
        }
        let requestsArrived = await Self.wait(seconds: 60) { await atBank.snapshot().0.count >= 8 }
        #expect(requestsArrived)
        for i in 0..<8 {
            try await bank.channel.send(text: "answer \(i)", to: Fixtures.client.publicKey, number: "+15550001")
        }
        let done = await Self.wait(seconds: 60) {
            let (m, d) = await atClient.snapshot()
            return m.count >= 8 && d.count >= 8
        }
        #expect(done)
        let (bankMessages, _) = await atBank.snapshot()
        let (clientMessages, clientDelivered) = await atClient.snapshot()
        #expect(bankMessages.map(\.text) == (0..<8).map { "request \($0)" })
        #expect(bankMessages.allSatisfy { $0.trust == .enrolled && $0.customerID == "c-7" })
        #expect(bankMessages.first?.replayProtected == false)
        #expect(bankMessages.dropFirst().allSatisfy { $0.replayProtected })
        #expect(bankMessages.allSatisfy { $0.peer == Fixtures.client.publicKey })
        #expect(clientMessages.map(\.text) == (0..<8).map { "answer \($0)" })
        #expect(clientDelivered == Set(sent))
        let faults = await net.faultLog
        #expect(!faults.isEmpty)  // the network really misbehaved
        await Self.shutdown(net, client, bank)
    }

    /// Binary port-addressed frames (the default transport) through the emulator, client to bank.
    @Test func binaryFramesOverPTYs() async throws {
        let (net, client, bank) = try await Self.links(faults: "", transport: .binary)
        let atBank = Self.collect(bank.channel)
        try await client.channel.send(text: "hello", to: Fixtures.bank.publicKey, number: "+15550002")
        let arrived = await Self.wait(seconds: 10) { await atBank.snapshot().0.count == 1 }
        #expect(arrived)
        #expect(await atBank.snapshot().0.map(\.text) == ["hello"])
        await Self.shutdown(net, client, bank)
    }

    /// Issue 14 item 3: ordinary SMS (more than the SIM holds, one of them a `#…` text) arrive on a binary
    /// secure link. They are handed on, never taken as frames; the consumer acknowledges them, so the SIM
    /// never fills and the secure message behind them still arrives.
    @Test func ordinarySMSDoNotBlockASecureListener() async throws {
        let (net, client, bank) = try await Self.links(faults: "", transport: .binary)
        let atBank = Self.collect(bank.channel)
        let plain = Plain()
        let consumer = Task {
            for await sms in bank.otherMessages {
                await plain.add(sms.text ?? "<binary>")
                try? await sms.acknowledge()
            }
        }
        let texts = (0..<40).map { "ordinary text \($0)" } + ["#UAAAAQhello"]
        for text in texts { try await net.injectIncoming(to: "+15550002", from: "+4917000", text: text) }
        try await client.channel.send(text: "secure after the flood", to: Fixtures.bank.publicKey, number: "+15550002")
        let done = await Self.wait(seconds: 60) {
            let handedOn = await plain.all.count
            let secure = await atBank.snapshot().0.count
            return handedOn == texts.count && secure == 1
        }
        #expect(done)
        #expect(Set(await plain.all) == Set(texts))
        #expect(await atBank.snapshot().0.map(\.text) == ["secure after the flood"])
        let stored = await Self.wait(seconds: 10) {
            guard let modem = await net.modem("+15550002") else { return false }
            return await modem.storedMessages().isEmpty
        }
        #expect(stored)
        consumer.cancel()
        await Self.shutdown(net, client, bank)
    }

    /// Issue 13: the link is a `Service`. `init` starts nothing (a frame that arrives before `run()` stays
    /// on the SIM); in a `ServiceGroup` it feeds the channel, and a graceful shutdown ends `run()`, finishes
    /// `otherMessages` and closes the channel; `close()` before `run()` makes it return at once.
    @Test func theLinkIsAServiceThatStartsInRunAndEndsOnGracefulShutdown() async throws {
        let net = VirtualNetwork(seed: 7, faults: try Faults(parsing: ""), clock: InstantClock())
        let a = try await net.addModem(number: "+15550001")
        let b = try await net.addModem(number: "+15550002")
        let ma = try await Modem(port: try #require(await a.portPath))
        let mb = try await Modem(port: try #require(await b.portPath))
        var bankConfiguration = EndpointConfiguration(ackDelay: 0.2)
        bankConfiguration.role = .bank
        let client = try await SecureModemLink(modem: ma, identity: Fixtures.client, store: nil, configuration: EndpointConfiguration(ackDelay: 0.2))
        let bank = try await SecureModemLink(modem: mb, identity: Fixtures.bank, store: nil, configuration: bankConfiguration)
        try await bank.channel.enrol(Fixtures.client.publicKey, number: "+15550001", customerID: "c-7")
        let atBank = Self.collect(bank.channel)

        let sent = try await client.channel.send(text: "before run", to: Fixtures.bank.publicKey, number: "+15550002")
        let parked = await Self.wait(seconds: 10) { await b.storedMessages().count == sent.cost.map(\.segments) ?? 1 }
        #expect(parked, "the frame waits on the bank's SIM while its link is not running")
        #expect(await atBank.snapshot().0.isEmpty)

        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let group = ServiceGroup(services: [client, bank], gracefulShutdownSignals: [], logger: quiet)
        let running = Task { try await group.run() }
        let arrived = await Self.wait(seconds: 30) { await atBank.snapshot().0.map(\.text) == ["before run"] }
        #expect(arrived, "run() reads what arrived before it")
        #expect(try await withTimeout(5) { await bank.run(); return true } == true, "a second run() returns at once")
        await group.triggerGracefulShutdown()
        let ended = try await withTimeout(10) { try await running.value; return true }
        #expect(ended == true, "graceful shutdown ends run()")
        var others = bank.otherMessages.makeAsyncIterator()
        #expect(await others.next() == nil, "otherMessages is finished")

        let idle = try await SecureModemLink(modem: ma, identity: Fixtures.client, store: nil)
        await idle.close()
        #expect(try await withTimeout(5) { await idle.run(); return true } == true, "close() before run() makes it return at once")
        await ma.close(); await mb.close()
        await net.shutdown()
    }

    actor Plain {
        var all: [String] = []
        func add(_ text: String) { all.append(text) }
    }
}
