import Foundation

/// A secure peer as `GET /v1/peers/{id}` returns it: a customer's SecureSMS key enrolled with the
/// gateway's bank identity, bound to the number replies go to.
///
/// ```json
/// {"id": "peer_01J…", "public_key": "9f3c…", "fingerprint": "K7QX-3M2A-…", "number": "+15550003",
///  "customer_id": "c-42", "created_at": "2026-12-03T10:00:00.000Z"}
/// ```
public struct PeerResource: Sendable, Codable, Equatable {
    /// The gateway's id of the peer (`peer_…`): what `"secure": {"peer": …}` names.
    public var id: String
    /// The peer's X25519 public key, 64 lower-case hex digits (as `smskit keys show` prints it).
    public var publicKey: String
    /// The key's fingerprint, to compare aloud (as `smskit keys show` prints it).
    public var fingerprint: String
    /// The enrolled number: replies go there, never to the number a frame came from.
    public var number: String
    /// The bank's customer id for this key, if given.
    public var customerID: String?
    public var createdAt: Date
    /// `enrolling` (stored, not yet in the secure engine), `enrolled`, `revoking` (DELETE under way).
    var state: String = "enrolled"

    enum CodingKeys: String, CodingKey {
        case id, number, fingerprint
        case publicKey = "public_key", customerID = "customer_id", createdAt = "created_at"
    }

    /// Creates a resource (the store builds these).
    public init(id: String, publicKey: String, fingerprint: String, number: String, customerID: String?, createdAt: Date,
                state: String = "enrolled") {
        self.id = id; self.publicKey = publicKey; self.fingerprint = fingerprint; self.number = number
        self.customerID = customerID; self.createdAt = createdAt; self.state = state
    }
}

/// `GET /v1/peers` response.
public struct PeerPage: Sendable, Codable, Equatable {
    public var peers: [PeerResource]
    /// The id to pass as `after` for the next page (nil on the last one).
    public var next: String?
    public init(peers: [PeerResource], next: String?) { self.peers = peers; self.next = next }
}

/// The body of `POST /v1/peers`.
public struct EnrolPeerRequest: Sendable, Codable, Equatable {
    /// 64 hex digits (`smskit keys show` / `smskit keys generate` print it).
    public var publicKey: String
    /// The customer's phone number.
    public var number: String
    /// The bank's customer id (1–128 characters), optional.
    public var customerID: String?

    enum CodingKeys: String, CodingKey {
        case number
        case publicKey = "public_key", customerID = "customer_id"
    }

    public init(publicKey: String, number: String, customerID: String? = nil) {
        self.publicKey = publicKey; self.number = number; self.customerID = customerID
    }
}

/// `"secure": {"peer": "peer_…"}` in `POST /v1/messages`: seal the message for an enrolled peer.
public struct SecureTarget: Sendable, Codable, Equatable {
    /// The peer's id (``PeerResource/id``).
    public var peer: String
    public init(peer: String) { self.peer = peer }
}

/// What a secure outbound message carries besides an ordinary one (``MessageResource/secure``).
public struct SecureMessageInfo: Sendable, Codable, Equatable {
    /// The peer's id.
    public var peer: String
    /// Whether it was sealed yet (`pending`, `sealing`, `sealed`, `done`).
    public var state: String
    public init(peer: String, state: String) { self.peer = peer; self.state = state }
}

/// What the secure engine reported of an inbox message that came from a secure peer (``InboxMessage/secure``).
public struct SecureInboxInfo: Sendable, Codable, Equatable {
    /// The peer's id (nil if the peer was deleted since).
    public var peer: String?
    /// The sender's public key (hex).
    public var publicKey: String
    /// Whether the key was enrolled (true; false only under open enrolment, which the gateway does not offer).
    public var verified: Bool
    /// False for the first message of a session (a 0-RTT first contact that a recorded copy could repeat
    /// after the peer is deleted and enrolled again): act on it only idempotently (docs/protocol.md §3.1).
    public var replayProtected: Bool
    /// The customer id the key was enrolled for.
    public var customerID: String?

    enum CodingKeys: String, CodingKey {
        case peer, verified
        case publicKey = "public_key", replayProtected = "replay_protected", customerID = "customer_id"
    }

    public init(peer: String?, publicKey: String, verified: Bool, replayProtected: Bool, customerID: String?) {
        self.peer = peer; self.publicKey = publicKey; self.verified = verified
        self.replayProtected = replayProtected; self.customerID = customerID
    }
}

/// A validated secure message for ``SecureGatewayStore/acceptSecure(_:idempotency:now:)``.
public struct NewSecureMessage: Sendable, Equatable {
    public var peer: PeerResource
    public var content: NewMessage.Content
    public var priority: Int
    public var metadata: [String: String]
    public var callback: MessageCallback?
}

/// A secure message taken for sealing (``SecureGatewayStore/claimSecureSeal(now:)``).
public struct SecureSealJob: Sendable, Equatable {
    public var id: String
    public var peer: String
    public var content: NewMessage.Content
}

/// A message from a secure peer, as the inbox stores it.
public struct SecureInboxRecord: Sendable, Equatable {
    public var peer: PeerResource?
    public var publicKey: String
    public var from: String
    public var modem: String
    public var to: String
    public var text: String?
    public var dataHex: String?
    public var session: UInt64
    public var sequence: UInt32
    public var verified: Bool
    public var replayProtected: Bool
    public var customerID: String?
}

/// The part of the store secure messaging needs (``SQLiteStore``, ``PostgresStore``).
///
/// Every method is one transaction. Peers: a row is written `enrolling` before the engine enrols
/// the key and marked `enrolled` after; a DELETE marks it `revoking`, revokes the key in the engine,
/// then removes the row (a restart finishes either). Messages: accepted `queued`/`pending`, taken
/// `sealing` (one at a time), `sent`/`sealed` once the engine has it, then settled by protocol acks.
public protocol SecureGatewayStore: Sendable {
    /// Stores a peer (`enrolling`). - Throws: ``GatewayError/peerExists(id:)`` for a key already enrolled.
    func insertPeer(publicKey: String, fingerprint: String, number: String, customerID: String?, now: Date) async throws -> PeerResource
    /// Sets a peer's state.
    func markPeer(id: String, state: String, now: Date) async throws
    /// One peer by id.
    func peer(id: String) async throws -> PeerResource?
    /// One peer by public key (hex).
    func peer(publicKey: String) async throws -> PeerResource?
    /// Peers in id order after `after`.
    func peers(after: String?, limit: Int) async throws -> [PeerResource]
    /// Peers whose last change a crash may have interrupted (`enrolling`, `revoking`).
    func unfinishedPeers() async throws -> [PeerResource]
    /// Removes a peer row.
    func deletePeer(id: String, now: Date) async throws

    /// Stores a secure message (`queued`, seal `pending`); `Idempotency-Key` as ``GatewayStore/accept(_:idempotency:now:)``.
    func acceptSecure(_ message: NewSecureMessage, idempotency: IdempotencyKey?, now: Date) async throws -> Accepted
    /// Takes the oldest message waiting to be sealed (`pending` → `sealing`); nil when none waits.
    func claimSecureSeal(now: Date) async throws -> SecureSealJob?
    /// The engine took the message as `secureID`: `sent` (waiting for the protocol ack).
    func secureSealed(id: String, secureID: UInt64, now: Date) async throws
    /// The engine refused it: `failed` with `error`.
    func secureSealFailed(id: String, error: MessageError, now: Date) async throws
    /// Settles the message the engine knows as `secureID` (`delivered`, `unknown`, `failed`).
    @discardableResult
    func secureOutcome(secureID: UInt64, status: MessageStatus, error: MessageError?, now: Date) async throws -> MessageResource?
    /// At start: a message left `sealing` with no engine id is `unknown` (the engine may have it); one with an id is `sent`.
    func recoverSecure(now: Date) async throws -> Int
    /// Enqueues one frame as an ordinary 8-bit data SMS (ports 9208/9208, hidden from `GET /v1/messages`).
    /// When `sealing` names the message being sealed and `secureID` is its engine id, the mapping is
    /// recorded in the same transaction.
    func enqueueFrame(to: String, bytes: [UInt8], port: Int, secureID: UInt64?, sealing: String?, now: Date) async throws -> String
    /// Stores a message from a secure peer in the inbox; nil when (key, session, sequence) is there already.
    func insertSecureInbox(_ record: SecureInboxRecord, now: Date) async throws -> InboxMessage?
}
