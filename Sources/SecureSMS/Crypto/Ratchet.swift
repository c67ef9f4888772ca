/// The periodic DH ratchet of a session (docs/protocol.md §4.1): the Diffie-Hellman ratchet of Signal's
/// *The Double Ratchet Algorithm* (Perrin & Marlinspike, revision 1, 2016, §3.5 and §5.2 `KDF_RK`),
/// taken lazily and in turns so it survives SMS loss and reordering.
///
/// - Both sides hold one shared root key `rk` (from the handshake: `BLAKE2b(key = ck, "ratchet")`).
/// - A **step** by one side: a fresh X25519 pair `(x, X)`; `(rk, ck) = KDF_RK(rk, DH(x, peer's latest
///   ratchet public))`; its sending chain restarts from `ck` at its next counter `N` (`ChainKDF.start`: new
///   chain key and new ack key). The frame with counter `N` (the step frame) carries `X` before the SIV body.
/// - The peer, on the step frame: `(rk, ck) = KDF_RK(rk, DH(its latest ratchet secret, X))`, its receiving chain
///   for counters ≥ `N` restarts from `ck`; the chain before is kept for counters below `N` (bounded).
/// - Turns: the initiator takes the first step (against the responder's static key, as Signal's first step is
///   against Bob's signed prekey); afterwards a side steps only after it received the peer's step against its
///   own latest key. So at most one step per side is ever unanswered, each side holds at most one ratchet
///   secret, and both sides apply the steps in one order (the root is shared, as in Signal).
struct RatchetState: Codable, Sendable, Equatable {
    /// The root key `rk`.
    var root: [UInt8]
    /// Our latest ratchet key pair while the peer has not answered it (its secret is erased on the answer).
    var mine: Handshake.Ephemeral?
    /// The peer's latest ratchet public key; nil: its static key (it has not stepped yet).
    var theirs: [UInt8]?
    /// Whether it is our turn to step.
    var myTurn: Bool
    /// Data messages sealed or delivered in this session since the last step (ours or the peer's).
    var messagesSinceStep: Int = 0
    /// When the last step (ours or the peer's) happened, or the ratchet started.
    var lastStep: Double
    /// Steps applied so far in this session, both sides (diagnostics and tests).
    var steps: Int = 0
    /// Receiving chains from before the peer's steps, each for counters below `below` (oldest first).
    var previous: [PreviousChain] = []
    /// Our unanswered step taken on a stand-alone ack (no data to carry it): the counter its chain starts at.
    /// Until the peer answers, our acks carry the key and this counter, and the data frame with this counter
    /// carries the key.
    var ackStep: UInt32?
    /// The peer's step came on an ack: our answer is due on our next data frame, whatever the period.
    var answerNow: Bool?

    /// A receiving chain kept for counters below the peer's step that replaced it.
    struct PreviousChain: Codable, Sendable, Equatable {
        var below: UInt32
        var chain: ReceiveChain
        /// The peer's key of the step that started this chain (its first frame may carry it), if any.
        var key: [UInt8]?
    }

    /// Receiving chains kept at most (older ones are erased: frames for them are then refused). A sender has at
    /// most 16 messages unacknowledged (the ack bitmap), so at most 16 of its steps can still have frames in flight.
    static let maximumPrevious = 16

    /// The ratchet of a session whose handshake ended with `rootKey`; the initiator has the first turn.
    init(rootKey: [UInt8], initiator: Bool, now: Double) {
        root = rootKey
        myTurn = initiator
        lastStep = now
    }

    /// `KDF_RK(rk, dh_out)` (Signal §5.2, with BLAKE2b as the KDF as in `SymmetricState.mixKey`):
    /// `(rk', ck) = split64(BLAKE2b-512(key = rk, dh_out ‖ "SecureSMS-v2 ratchet"))`.
    static func kdfRK(root: [UInt8], dh: [UInt8]) -> (root: [UInt8], chain: [UInt8]) {
        var out = Sodium.blake2b(dh + Array("SecureSMS-v2 ratchet".utf8), key: root, outputLength: 64)
        defer { Sodium.wipe(&out) }
        return (Array(out.prefix(32)), Array(out.suffix(32)))
    }

    /// Our step: a fresh key pair against the peer's latest public key (`peerStatic` if it has none yet).
    /// Returns the new sending chain root and the public key the step frame carries.
    mutating func step(fresh: Handshake.Ephemeral, peerStatic: [UInt8], now: Double) throws(SecureSMSError) -> [UInt8] {
        var dh = try Sodium.x25519(secret: fresh.secretKey, public: theirs ?? peerStatic)
        defer { Sodium.wipe(&dh) }
        let (nextRoot, chain) = Self.kdfRK(root: root, dh: dh)
        root = nextRoot
        mine = fresh
        myTurn = false
        answerNow = nil
        messagesSinceStep = 0
        lastStep = now
        steps += 1
        return chain
    }

    /// The receiving chain root of the peer's step carrying `key`, without changing anything (the caller
    /// commits with `accept` only once a frame authenticates under it). `identity` answers for our static key
    /// when we have not stepped yet.
    func peerStep(key: [UInt8], identity: Identity) throws(SecureSMSError) -> (root: [UInt8], chain: [UInt8]) {
        guard !myTurn else { throw .authenticationFailed }  // the peer has no turn: not a step
        var dh: [UInt8]
        if let mine { dh = try Sodium.x25519(secret: mine.secretKey, public: key) } else { dh = try identity.agree(with: key) }
        defer { Sodium.wipe(&dh) }
        return Self.kdfRK(root: root, dh: dh)
    }

    /// Commits the peer's step: the new root, its key, our secret erased, our turn.
    mutating func accept(peerKey: [UInt8], root nextRoot: [UInt8], now: Double, answerNow: Bool = false) {
        root = nextRoot
        theirs = peerKey
        mine = nil
        ackStep = nil
        self.answerNow = answerNow ? true : nil
        myTurn = true
        messagesSinceStep = 0
        lastStep = now
        steps += 1
    }

    /// Whether we should step on the next data frame (`every`: messages, `interval`: seconds; 0 = never).
    func due(every: Int, interval: Double, now: Double) -> Bool {
        guard myTurn else { return false }
        if answerNow == true { return true }
        return (every > 0 && messagesSinceStep >= every) || (interval > 0 && now - lastStep >= interval)
    }
}

extension SymmetricState {
    /// The root key of the session's DH ratchet: `BLAKE2b-256(key = ck, "ratchet")` (beside `split`).
    func ratchetRoot() -> [UInt8] { Sodium.blake2b(Array("ratchet".utf8), key: ck) }
}
