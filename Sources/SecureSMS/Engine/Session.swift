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
        /// False for a reply that carries no application message (nothing to report, never retransmitted).
        var reportable: Bool
        /// Client of an intro session: a data frame sealed without the upgrade ephemeral while the upgrade was
        /// not yet confirmed keeps what is needed to re-seal it with `E_c` if it must be retransmitted.
        var reseal: Reseal?
    }

    /// Plaintext, flags and counter of an outbox entry that may need re-sealing with the upgrade ephemeral.
    struct Reseal: Codable, Sendable, Equatable {
        var plaintext: [UInt8]
        var flags: FrameFlags
        var counter: UInt32
        /// The frame's message key, kept only until the frame is acknowledged or re-sealed.
        var key: [UInt8]
    }

    /// A delivered message the application has not committed yet (acknowledged only after `commit`).
    struct InboxEntry: Codable, Sendable, Equatable {
        var payload: [UInt8]
        var isText: Bool
        var from: String
    }

    var id: UInt64
    var role: Role
    var peer: PublicKey
    /// Number we send to: the number of the peer's record, never one taken from a frame.
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
    /// Intro sessions, client side: the upgrade ephemeral `E_c`, carried on acks (and on the next data frame
    /// if no ack carried it) until a frame from the bank under the upgraded chain confirms the upgrade.
    var upgradeKey: [UInt8]?
    /// Whether an ack carrying `upgradeKey` was sent (then data frames go without it, 20 bytes).
    var upgradeAckSent = false
    /// Bank side of an intro session, after the upgrade: the client's `E_c`, so frames that still carry it
    /// (retransmissions, re-seals) open under the upgraded chain.
    var upgradedWith: [UInt8]?
    /// Delivered messages waiting for the application's `commit`, by sequence number.
    var inbox: [UInt32: InboxEntry] = [:]
    /// Last time a frame of this session was sent or authenticated (idle expiry).
    var lastActivity: Double = 0
    /// Intro sessions, client side: a second receive chain tried when `receive` fails — the bank's upgraded
    /// chain until a frame authenticates under it, then the old chain for counters below `alternateBelow`.
    var alternateReceive: ReceiveChain?
    /// Counters at or above this never use `alternateReceive` once the client switched (bounded fallback).
    var alternateBelow: UInt32?
    /// The periodic DH ratchet (§4.1); nil in sessions stored before it existed (they never step) and in an
    /// intro session's bank side until the upgrade.
    var ratchet: RatchetState?

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
