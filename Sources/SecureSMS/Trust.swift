/// How far a peer's (key, number) pair is trusted when a session is established.
public enum Trust: String, Codable, Sendable, Equatable {
    /// The key is known and was seen (or pinned) for this number.
    case pinned
    /// Neither key nor number was seen before (trust on first use; recorded).
    case new
    /// A known number with an unknown key, or a known key from a new number: report it to the user.
    case changed
}

/// The local record of peers: which numbers each key was seen from, and which keys are revoked.
///
/// Example: `var peers = PeerStore(); let trust = try peers.observe(key, number: "+4917…")`.
public struct PeerStore: Codable, Sendable, Equatable {
    /// What is known about one peer key.
    public struct Record: Codable, Sendable, Equatable {
        /// The peer's key.
        public var key: PublicKey
        /// Numbers the key was confirmed for.
        public var numbers: Set<String>
        /// Whether the key was revoked locally.
        public var revoked: Bool
    }

    private(set) var records: [PublicKey: Record] = [:]

    /// Creates an empty store.
    public init() {}

    /// All records.
    public var all: [Record] { Array(records.values) }

    /// The record of `key`, if any.
    public func record(for key: PublicKey) -> Record? { records[key] }

    /// Known, non-revoked keys whose key id is `keyID` (candidates for a hello frame).
    func candidates(keyID: [UInt8]) -> [PublicKey] {
        records.values.filter { !$0.revoked && $0.key.keyID == keyID }.map(\.key)
    }

    /// Pins `key` for `number` explicitly (the user supplied it, e.g. `--peer`): later sessions are `pinned`.
    public mutating func pin(_ key: PublicKey, number: String) {
        var record = records[key] ?? Record(key: key, numbers: [], revoked: false)
        record.numbers.insert(number)
        records[key] = record
    }

    /// Classifies an authenticated (key, number) pair and records it. A `new` pair is remembered
    /// (later sessions are `pinned`); a `changed` pair is not, until the user calls `pin`.
    /// Throws `.revoked` for revoked keys.
    public mutating func observe(_ key: PublicKey, number: String) throws(SecureSMSError) -> Trust {
        if let record = records[key] {
            if record.revoked { throw .revoked(fingerprint: key.fingerprint) }
            return record.numbers.contains(number) ? .pinned : .changed
        }
        let numberTaken = records.values.contains { $0.numbers.contains(number) }
        if numberTaken {
            records[key] = Record(key: key, numbers: [], revoked: false)
            return .changed
        }
        records[key] = Record(key: key, numbers: [number], revoked: false)
        return .new
    }

    /// Revokes `key`: its frames are rejected from now on.
    public mutating func revoke(_ key: PublicKey) {
        var record = records[key] ?? Record(key: key, numbers: [], revoked: false)
        record.revoked = true
        records[key] = record
    }

    /// Whether `key` is revoked.
    public func isRevoked(_ key: PublicKey) -> Bool { records[key]?.revoked ?? false }
}
