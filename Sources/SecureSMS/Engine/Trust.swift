/// What an endpoint knows about the key that authenticated a message (v2: trust never follows a number).
public enum Trust: String, Codable, Sendable, Equatable {
    /// Bank side: the key was enrolled out of band (CLI or API) and is bound to a customer and a number.
    case enrolled
    /// Bank side, open enrolment only: a key nobody enrolled; its messages are rate-limited and must not
    /// be acted on as a customer's.
    case unverified
    /// Client side: the responder key this endpoint was configured with (shipped in the app, `--peer`).
    case pinned
}

/// The local record of one peer key: who it belongs to, where replies go, and its replay state.
///
/// A record is created only by `enrol`/`pin` (or, with open enrolment, by an unknown key's first contact,
/// as `unverified`). Frames never change `number`: replies go to the number of the record.
public struct PeerRecord: Codable, Sendable, Equatable {
    /// The peer's long-term key.
    public var key: PublicKey
    /// How far the key is trusted.
    public var trust: Trust
    /// The customer the key was enrolled for (bank side; nil for pinned or unverified keys).
    public var customerID: String?
    /// The number replies go to: the enrolled one, or (unverified) the number of the key's first contact.
    public var number: String
    /// Whether the key was revoked: its frames are rejected and nothing is sent to it.
    public var revoked: Bool = false
    /// Whether the peer holds our key (so a 52-byte hello suffices instead of an intro).
    public var introduced: Bool = false
    /// Digests (16 bytes) of every first contact accepted from this key. Kept as long as the record exists:
    /// never evicted, so no hello or intro is accepted twice whatever floods arrive.
    var firstContacts: Set<[UInt8]> = []
    /// Times (seconds) of the first contacts accepted in the current rate-limit window.
    var recentFirstContacts: [Double] = []
    /// Last time a frame of this key authenticated (idle expiry of unverified records).
    var lastSeen: Double = 0

    /// Most first contacts one key may make over the life of its record; then it must be re-enrolled.
    public static let firstContactLimit = 4096

    /// Creates a record.
    public init(key: PublicKey, trust: Trust, customerID: String? = nil, number: String) {
        self.key = key
        self.trust = trust
        self.customerID = customerID
        self.number = number
    }

    /// The replay-cache digest of a first-contact id (`Frame.firstContactID`).
    static func digest(_ firstContactID: [UInt8]) -> [UInt8] {
        Sodium.blake2b(Array("SecureSMS-v2 first contact".utf8) + firstContactID, outputLength: 16)
    }
}

/// Peer records indexed by key, key id and number, so a lookup never scans all peers.
public struct PeerDirectory: Codable, Sendable, Equatable {
    private(set) var records: [PublicKey: PeerRecord] = [:]
    private var byKeyID: [[UInt8]: Set<PublicKey>] = [:]
    /// Number of `unverified` records (the open-enrolment cap applies to these), kept up to date on every change.
    public private(set) var unverifiedCount = 0

    /// Creates an empty directory.
    public init() {}

    /// All records.
    public var all: [PeerRecord] { Array(records.values) }

    /// Number of records.
    public var count: Int { records.count }

    /// The record of `key`, if any.
    public subscript(key: PublicKey) -> PeerRecord? {
        get { records[key] }
        set {
            if records[key]?.trust == .unverified { unverifiedCount -= 1 }
            if newValue?.trust == .unverified { unverifiedCount += 1 }
            if let newValue {
                records[key] = newValue
                byKeyID[key.keyID, default: []].insert(key)
            } else {
                records[key] = nil
                byKeyID[key.keyID]?.remove(key)
                if byKeyID[key.keyID]?.isEmpty == true { byKeyID[key.keyID] = nil }
            }
        }
    }

    /// Known, non-revoked keys whose key id is `keyID` (candidates for a hello frame).
    func candidates(keyID: [UInt8]) -> [PublicKey] {
        (byKeyID[keyID] ?? []).filter { records[$0]?.revoked == false }.sorted { $0.hex < $1.hex }
    }

    /// Whether `key` is revoked.
    public func isRevoked(_ key: PublicKey) -> Bool { records[key]?.revoked ?? false }
}
