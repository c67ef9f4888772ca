/// One secure session with one peer: handshake progress, the two chains, and reliability state.
/// A value type; `SecureEndpoint` owns all sessions and persists them before any frame leaves.
struct Session: Codable, Sendable, Equatable {
    enum Role: String, Codable, Sendable { case initiator, responder }

    /// Responder state between accepting a first contact and sending the reply.
    struct ResponderPending: Codable, Sendable, Equatable {
        var state: SymmetricState
        var initiatorEphemeral: [UInt8]
    }

    enum Phase: Codable, Sendable, Equatable {
        case awaitingReply(Handshake.InitiatorPending)
        case replyOwed(ResponderPending)
        case established
    }

    /// An application message waiting for the handshake or for window space.
    struct Queued: Codable, Sendable, Equatable {
        var messageID: UInt64
        var plaintext: [UInt8]
        var isText: Bool
    }

    /// A sealed, unacknowledged message.
    struct OutboxEntry: Codable, Sendable, Equatable {
        var messageID: UInt64
        var seq: UInt32
        var frames: [[UInt8]]
        var attempts: Int
        var nextAttempt: Double
        var cost: MessageCost
        /// False for a reply that carries no application message (nothing to report).
        var reportable: Bool
    }

    var id: UInt64
    var role: Role
    var peer: PublicKey
    /// Number we send to.
    var number: String
    /// Numbers frames of this session arrived from (lookup hints).
    var numbers: Set<String>
    var trust: Trust
    var phase: Phase
    /// The first contact's id, `Frame.firstContactID` (duplicate-hello/intro detection).
    var initiatorEphemeral: [UInt8]
    var sessionID: [UInt8] = []
    var send: SendChain?
    var receive: ReceiveChain?
    var queue: [Queued] = []
    var outbox: [OutboxEntry] = []
    var tracker = ReceiveTracker()
    /// Since when an acknowledgement (or the reply) is owed.
    var ackOwedSince: Double?
    /// Set when the session must not take new messages (re-key requested).
    var retired = false
    /// Intro sessions, bank side: what is needed to upgrade when the client's ephemeral arrives (§3.3).
    var upgradeAwaited: UpgradeAwaited?
    /// Intro sessions, client side: the ephemeral public key the next data frame carries (once).
    var upgradeKey: [UInt8]?
    /// Intro sessions, client side: a second receive chain tried when `receive` fails — the bank's upgraded
    /// chain until a frame authenticates under it, then the old chain for counters below `alternateBelow`.
    var alternateReceive: ReceiveChain?
    /// Counters at or above this never use `alternateReceive` once the client switched (bounded fallback).
    var alternateBelow: UInt32?

    /// Bank side of an intro session's upgrade: the post-reply handshake state and the reply's ephemeral
    /// (its secret is erased as soon as the upgrade frame authenticates).
    struct UpgradeAwaited: Codable, Sendable, Equatable {
        var state: SymmetricState
        var replyEphemeral: Handshake.Ephemeral
    }

    var isEstablished: Bool { if case .established = phase { return true } else { return false } }

    /// Additional data for steady-state frames: logical header ‖ sid.
    func associatedData(_ frame: Frame) -> [UInt8] { frame.associatedHeader + sessionID }
}
