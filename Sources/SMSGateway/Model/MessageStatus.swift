/// Where an outbound message is in its life. Every change is one store transaction with an event.
///
/// ```
/// scheduled ─▶ queued ─▶ sending ─▶ sent ─▶ delivered | undelivered
///                 │          │        └──▶ unknown (a part was written, its result never came)
///                 │          └──▶ failed (permanent error, or retries used up)
///                 └──▶ expired (validity passed) | canceled (DELETE before sending)
/// ```
public enum MessageStatus: String, Sendable, Codable, CaseIterable, Hashable {
    /// Accepted with a future `send_at`.
    case scheduled
    /// Accepted, waiting for a modem (or for a retry's backoff).
    case queued
    /// A modem is sending its parts now.
    case sending
    /// Every part was accepted by the SMSC (`+CMGS`); waiting for delivery reports if requested.
    case sent
    /// Every part was reported delivered.
    case delivered
    /// A status report said some part will not be delivered.
    case undelivered
    /// It could not be sent (permanent error or retries exhausted).
    case failed
    /// Its validity passed before it could be sent.
    case expired
    /// Canceled through the API before any part was sent.
    case canceled
    /// A part was written to the modem but the gateway never learned whether the SMSC took it
    /// (the gateway died, or the modem vanished, between the PDU and `+CMGS`). It may have arrived.
    case unknown

    /// No further change is expected (a late report may still move `sent`/`unknown`).
    public var isFinal: Bool {
        switch self {
        case .delivered, .undelivered, .failed, .expired, .canceled: return true
        case .scheduled, .queued, .sending, .sent, .unknown: return false
        }
    }
}

/// Where one part (segment) of an outbound message is.
public enum PartStatus: String, Sendable, Codable, CaseIterable, Hashable {
    /// Not yet written to a modem.
    case pending
    /// Written (or about to be written) to a modem; its `+CMGS` result has not come back yet.
    case sending
    /// Accepted by the SMSC, with a TP-MR.
    case sent
    /// Reported delivered.
    case delivered
    /// Reported as not deliverable.
    case undelivered
    /// Rejected by the modem or SMSC.
    case failed
    /// Written, result never seen (see ``MessageStatus/unknown``).
    case unknown
    /// Never sent: the message was canceled or expired.
    case canceled
}

/// What the gateway does with a part whose result it never saw (``MessageStatus/unknown``).
public enum DeliveryGuarantee: String, Sendable, Codable, CaseIterable, Hashable {
    /// Leave the part `unknown`; never send it again (no duplicate, may be lost). The default.
    case atMostOnce = "at_most_once"
    /// Send the part again (never lost once accepted, may arrive twice).
    case atLeastOnce = "at_least_once"
}
