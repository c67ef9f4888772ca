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
