import SMSPDU
/// The two-message handshake of SecureSMS v2 (Noise KK / IK shapes over X25519, BLAKE2b, SIV).
///
/// - hello (KK, initiator's key already known to the responder): `-> e, es, ss` + payload.
/// - intro (first contact from a key the responder does not know): `-> s, ss` + payload, the static key
///   in clear and a persisted 24-bit counter mixed into the key (so no two intros share a key and nonce).
/// - reply: `<- e, ee, se` + payload (`ee` only after a hello: an intro has no initiator ephemeral);
///   afterwards both sides `split()` into two directional chains.
/// - upgrade (intro sessions only): the client's first data frame brings an ephemeral `E_c`; both sides
///   mix `ee'`, `es'` and split again (`upgradedRoots`), so a later leak of the client's key opens nothing after it.
enum Handshake {
    static let protocolKK = "SecureSMS-v2 KK X25519 SIV-BLAKE2b-XChaCha20 BLAKE2b"
    static let protocolIntro = "SecureSMS-v2 Xs X25519 SIV-BLAKE2b-XChaCha20 BLAKE2b"

    /// An ephemeral key pair (random, or from a seed for test vectors).
    struct Ephemeral: Codable, Sendable, Equatable {
        let publicKey: [UInt8]
        let secretKey: [UInt8]

        static func generate(seed: [UInt8]? = nil) throws(SecureSMSError) -> Ephemeral {
            let pair = try Sodium.keyPair(seed: seed)
            return Ephemeral(publicKey: pair.public, secretKey: pair.secret)
        }
    }

    /// What the initiator keeps until the reply arrives.
    struct InitiatorPending: Codable, Sendable, Equatable {
        var state: SymmetricState
        /// The initiator's ephemeral (hello); nil after an intro, which sends none.
        var ephemeral: Ephemeral?
    }

    /// The result of a completed handshake on either side.
    struct Completed: Sendable {
        var sessionID: [UInt8]
        var send: SendChain
        var receive: ReceiveChain
        var payload: [UInt8]
        var flags: FrameFlags
        /// The symmetric state after the reply (the base of an intro session's upgrade).
        var state: SymmetricState
    }

    /// Builds the first-contact frame carrying `plaintext`: a hello (`ephemeral` given, KK) or, when
    /// `introduceWith` is a counter, an intro (static key in clear; the counter must never repeat).
    static func initiate(me: Identity, responder: PublicKey, introduceWith introCounter: UInt32?, plaintext: [UInt8],
                         flags: FrameFlags, ephemeral: Ephemeral) throws(SecureSMSError) -> (Frame, InitiatorPending) {
        if let introCounter {
            var frame = Frame(header: FrameHeader(type: .intro, flags: flags), staticKey: me.publicKey.bytes,
                              counter: introCounter & Frame.maxCounter)
            var state = SymmetricState(protocolName: protocolIntro)
            state.mixHash(responder.bytes)
            state.mixHash(frame.associatedHeader)
            state.mixKey(try me.agree(with: responder.bytes) + Frame.uint24(frame.counter))
            frame.body = try state.encryptAndHash(plaintext)
            return (frame, InitiatorPending(state: state, ephemeral: nil))
        }
        var frame = Frame(header: FrameHeader(type: .hello, flags: flags))
        frame.ephemeral = ephemeral.publicKey
        var state = SymmetricState(protocolName: protocolKK)
        state.mixHash(responder.bytes)
        state.mixHash(me.publicKey.bytes)
        frame.keyID = me.publicKey.keyID
        state.mixHash(frame.associatedHeader)
        state.mixKey(try Sodium.x25519(secret: ephemeral.secretKey, public: responder.bytes))
        state.mixKey(try me.agree(with: responder.bytes))
        frame.body = try state.encryptAndHash(plaintext)
        return (frame, InitiatorPending(state: state, ephemeral: ephemeral))
    }

    /// What the responder learns from a valid first-contact frame.
    struct Accepted: Sendable {
        var initiator: PublicKey
        var initiatorEphemeral: [UInt8]
        var state: SymmetricState
        var payload: [UInt8]
    }

    /// Opens a hello/intro frame. For hello, `candidates` are the known keys with the frame's key id
    /// (each is tried; the AEAD decides). Errors: `.unknownPeer`, `.authenticationFailed`, `.weakPublicKey`.
    static func accept(me: Identity, frame: Frame, candidates: [PublicKey]) throws(SecureSMSError) -> Accepted {
        switch frame.header.type {
        case .intro:
            let initiator = try PublicKey(bytes: frame.staticKey)
            var state = SymmetricState(protocolName: protocolIntro)
            state.mixHash(me.publicKey.bytes)
            state.mixHash(frame.associatedHeader)
            state.mixKey(try me.agree(with: initiator.bytes) + Frame.uint24(frame.counter))
            let payload = try state.decryptAndHash(frame.body)
            return Accepted(initiator: initiator, initiatorEphemeral: [], state: state, payload: payload)
        case .hello:
            guard !candidates.isEmpty else { throw .unknownPeer(keyID: Hex.encode(frame.keyID, lowercase: true)) }
            let es = try me.agree(with: frame.ephemeral)
            for candidate in candidates {
                var state = SymmetricState(protocolName: protocolKK)
                state.mixHash(me.publicKey.bytes)
                state.mixHash(candidate.bytes)
                state.mixHash(frame.associatedHeader)
                state.mixKey(es)
                guard let ss = try? me.agree(with: candidate.bytes) else { continue }
                state.mixKey(ss)
                if let payload = try? state.decryptAndHash(frame.body) {
                    return Accepted(initiator: candidate, initiatorEphemeral: frame.ephemeral, state: state, payload: payload)
                }
            }
            throw .authenticationFailed
        default:
            throw .unknownFrameType(frame.header.type.rawValue)
        }
    }

    /// Builds the responder's reply and completes the handshake on the responder side.
    static func reply(accepted: Accepted, plaintext: [UInt8], flags: FrameFlags,
                      ephemeral: Ephemeral) throws(SecureSMSError) -> (Frame, Completed) {
        var state = accepted.state
        var frame = Frame(header: FrameHeader(type: .reply, flags: flags), ephemeral: ephemeral.publicKey)
        state.mixHash(frame.associatedHeader)
        if !accepted.initiatorEphemeral.isEmpty {
            state.mixKey(try Sodium.x25519(secret: ephemeral.secretKey, public: accepted.initiatorEphemeral))
        }
        state.mixKey(try Sodium.x25519(secret: ephemeral.secretKey, public: accepted.initiator.bytes))
        frame.body = try state.encryptAndHash(plaintext)
        let roots = state.split()
        return (frame, Completed(sessionID: state.h, send: SendChain(root: roots.responderToInitiator),
                                 receive: ReceiveChain(root: roots.initiatorToResponder,
                                                       acceptsAcks: !accepted.initiatorEphemeral.isEmpty),
                                 payload: plaintext, flags: flags,
                                 state: state))
    }

    /// Opens the reply on the initiator side and completes the handshake.
    static func finish(me: Identity, pending: InitiatorPending, frame: Frame) throws(SecureSMSError) -> Completed {
        guard frame.header.type == .reply else { throw .unknownFrameType(frame.header.type.rawValue) }
        var state = pending.state
        state.mixHash(frame.associatedHeader)
        if let ephemeral = pending.ephemeral {
            state.mixKey(try Sodium.x25519(secret: ephemeral.secretKey, public: frame.ephemeral))
        }
        state.mixKey(try me.agree(with: frame.ephemeral))
        let payload = try state.decryptAndHash(frame.body)
        let roots = state.split()
        var flags = frame.header.flags
        flags.remove(.fragmented)
        return Completed(sessionID: state.h, send: SendChain(root: roots.initiatorToResponder),
                         receive: ReceiveChain(root: roots.responderToInitiator, acceptsAcks: pending.ephemeral != nil),
                         payload: payload, flags: flags,
                         state: state)
    }

    /// The upgrade of an intro session (§3.3): the client's second flight brings a fresh ephemeral `E_c`;
    /// both sides mix `ee = DH(e_c, E_r)` and `es = DH(e_c, S_r)` into the post-reply state and split again.
    /// `ee` and `es` are passed in (each side computes them from its own secrets).
    static func upgradedRoots(after state: SymmetricState, clientEphemeral: [UInt8], ee: [UInt8],
                              es: [UInt8]) -> (initiatorToResponder: [UInt8], responderToInitiator: [UInt8], ratchet: [UInt8]) {
        var state = state
        state.mixHash(Array("upgrade".utf8) + clientEphemeral)
        state.mixKey(ee)
        state.mixKey(es)
        let roots = state.split()
        return (roots.initiatorToResponder, roots.responderToInitiator, state.ratchetRoot())
    }
}
