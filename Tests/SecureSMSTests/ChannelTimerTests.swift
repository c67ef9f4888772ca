import Foundation
import Synchronization
import Testing
@testable import SecureSMS

/// A transport that hands every transmitted SMS to a stream.
final class RecordingTransport: FrameTransport {
    let sent: AsyncStream<OutboundSMS>
    private let continuation: AsyncStream<OutboundSMS>.Continuation

    init() { (sent, continuation) = AsyncStream.makeStream() }

    func transmit(_ sms: OutboundSMS) async throws { continuation.yield(sms) }
}

@Suite struct ChannelTimerTests {
    /// The timer loop sleeps until the next deadline and a step that sets an earlier one wakes it: with
    /// nothing due, the loop sleeps up to its 60 s cap; a send then sets a 0.2 s retransmission deadline,
    /// and the retransmissions come on time (they would wait for the cap without the wake-up), until
    /// the message is given up and reported.
    @Test(.timeLimit(.minutes(1))) func aStepWakesTheTimersAndRetransmissionsComeOnTime() async throws {
        let transport = RecordingTransport()
        let configuration = EndpointConfiguration(retry: RetryPolicy(initialTimeout: 0.2, multiplier: 1, maximumAttempts: 3))
        let channel = try await SecureChannel(identity: Fixtures.client, store: MemoryStateStore(),
                                              configuration: configuration, transport: transport)
        let timers = Task { await channel.run(maximumSleep: 60) }
        defer { timers.cancel() }
        var frames = transport.sent.makeAsyncIterator()
        var events = channel.events.makeAsyncIterator()
        let start = ContinuousClock.now
        let sent = try await channel.send(text: "are you there?", to: Fixtures.bank.publicKey, number: "+bank")
        let first = try #require(await frames.next())
        let again = try #require(await frames.next())
        let third = try #require(await frames.next())
        #expect(first.bytes == again.bytes && again.bytes == third.bytes)  // the stored bytes, resent
        guard case .unconfirmed(let id, _) = try #require(await events.next()) else {
            Issue.record("expected the give-up to be reported")
            return
        }
        #expect(id == sent.messageID)
        #expect(ContinuousClock.now - start < .seconds(20), "the retransmissions waited for the timer cap")
        await channel.close()
    }
}

/// A store whose writes wait until `open()`: it holds a channel's step in progress.
actor GatedStore: SecureStateStore {
    private let inner: any SecureStateStore = MemoryStateStore()
    private var isOpen = false
    private var held: [CheckedContinuation<Void, Never>] = []
    private(set) var writesWaiting = 0

    func open() {
        isOpen = true
        for h in held { h.resume() }
        held.removeAll()
    }

    func read(_ query: StateQuery) async throws(SecureSMSError) -> StateSnapshot { try await inner.read(query) }
    func write(_ changes: StateChanges) async throws(SecureSMSError) {
        if !isOpen {
            writesWaiting += 1
            await withCheckedContinuation { held.append($0) }
        }
        try await inner.write(changes)
    }
    func nextDeadline() async throws(SecureSMSError) -> Double? { try await inner.nextDeadline() }
    func summary() async throws(SecureSMSError) -> StateSummary { try await inner.summary() }
    func expire(unverifiedIdleBefore: Double, firstContactsBefore: Double) async throws(SecureSMSError) {
        try await inner.expire(unverifiedIdleBefore: unverifiedIdleBefore, firstContactsBefore: firstContactsBefore)
    }
}

@Suite struct ChannelCancellationTests {
    /// Issue 13: a caller waiting for the step in progress returns at once when it is cancelled, and
    /// nothing of its step runs; the channel goes on with the others.
    @Test(.timeLimit(.minutes(1))) func aCallerWaitingForAStepReturnsAtOnceWhenCancelled() async throws {
        let store = GatedStore()
        let transport = RecordingTransport()
        let channel = try await SecureChannel(identity: Fixtures.client, store: store, transport: transport)
        let first = Task { try await channel.send(text: "first", to: Fixtures.bank.publicKey, number: "+bank") }
        while await store.writesWaiting == 0 { await Task.yield() }  // the first step holds the channel
        let second = Task { try await channel.send(text: "second", to: Fixtures.bank.publicKey, number: "+bank") }
        while await channel.waitingSteps == 0 { await Task.yield() }  // queued behind the first
        second.cancel()
        await #expect(throws: CancellationError.self) { _ = try await second.value }
        await store.open()
        _ = try await first.value
        var frames = transport.sent.makeAsyncIterator()
        let sent = try #require(await frames.next())
        #expect(sent.to == "+bank")
        #expect(await channel.unacknowledgedCount == 1)  // only "first"
    }
}
