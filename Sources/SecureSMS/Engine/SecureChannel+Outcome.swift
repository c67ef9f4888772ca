/// How one sent message ended, end to end.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The peer acknowledged it.
    case delivered(MessageCost)
    /// It went out but no acknowledgement came (after the last retry, or before the deadline): the
    /// peer may have it and may have acted on it. Treat it as possibly done; never resend it blindly.
    case unconfirmed
    /// Not one SMS of it went out: the peer cannot have it.
    case failed
}

extension SecureChannel {
    /// Reads ``events`` until message `id` is delivered, unconfirmed or failed, or until `timeout`
    /// passes (then ``DeliveryOutcome/unconfirmed``: it may have arrived). Meanwhile every received
    /// message is handed to `onMessage` and committed once it returns (so a reply is acknowledged),
    /// and every rejected frame is handed to `onRejected`.
    ///
    /// It consumes the event stream; after a timeout the stream is finished.
    ///
    /// ```swift
    /// let sent = try await channel.send(text: "Balance?", to: bank, number: "+15550001")
    /// switch await channel.outcome(of: sent.messageID, timeout: .seconds(120)) {
    /// case .delivered(let cost): print("delivered in \(cost.segments) SMS")
    /// case .unconfirmed: print("sent, not acknowledged: the bank may have it")
    /// case .failed: print("not sent")
    /// }
    /// ```
    public nonisolated func outcome(of id: UInt64, timeout: Duration,
                                    onMessage: @escaping @Sendable (ReceivedMessage) async -> Void = { _ in },
                                    onRejected: @escaping @Sendable (String, SecureSMSError) async -> Void = { _, _ in })
        async -> DeliveryOutcome {
        let events = self.events
        return await withTaskGroup(of: DeliveryOutcome?.self) { group in
            group.addTask {
                for await event in events {
                    switch event {
                    case .message(let message):
                        await onMessage(message)
                        try? await self.commit(message.receipt)
                    case .delivered(let i, _, let cost) where i == id: return .delivered(cost)
                    case .unconfirmed(let i, _) where i == id: return .unconfirmed
                    case .failed(let i, _) where i == id: return .failed
                    case .rejected(let from, let error): await onRejected(from, error)
                    default: continue
                    }
                }
                return .unconfirmed  // the channel closed first: the message may have arrived
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .unconfirmed
        }
    }
}
