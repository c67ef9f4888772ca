/// The two-message handshake of SecureSMS v1 (Noise KK / IK shapes over X25519, BLAKE2b, ChaChaPoly).
///
/// - hello (KK, initiator's key already known to the responder): `-> e, es, ss` + payload.
/// - intro (IK, first contact ever): `-> e, es, s, ss` + payload (static key encrypted).
/// - reply: `<- e, ee, se` + payload; afterwards both sides `split()` into two directional chains.
enum Handshake {
    static let protocolKK = "SecureSMS-v1 KK X25519 ChaChaPoly BLAKE2b"
    static let protocolIK = "SecureSMS-v1 IK X25519 ChaChaPoly BLAKE2b"

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
        var ephemeral: Ephemeral
    }

    /// The result of a completed handshake on either side.
    struct Completed: Sendable {
        var sessionID: [UInt8]
        var send: SendChain
        var receive: ReceiveChain
        var payload: [UInt8]
        var flags: FrameFlags
    }

    /// Builds the first-contact frame (hello, or intro when `introduce`) carrying `plaintext`.
    static func initiate(me: Identity, responder: PublicKey, introduce: Bool, plaintext: [UInt8], flags: FrameFlags,
                         ephemeral: Ephemeral) throws(SecureSMSError) -> (Frame, InitiatorPending) {
        var frame = Frame(header: FrameHeader(type: introduce ? .intro : .hello, flags: flags))
        frame.ephemeral = ephemeral.publicKey
        var state = SymmetricState(protocolName: introduce ? protocolIK : protocolKK)
        state.mixHash(responder.bytes)
        if introduce {
            state.mixHash([frame.header.byte] + ephemeral.publicKey)
            state.mixKey(try Sodium.x25519(secret: ephemeral.secretKey, public: responder.bytes))
            frame.encryptedStatic = try state.encryptAndHash(me.publicKey.bytes)
        } else {
            state.mixHash(me.publicKey.bytes)
            frame.keyID = me.publicKey.keyID
            state.mixHash(frame.associatedHeader)
            state.mixKey(try Sodium.x25519(secret: ephemeral.secretKey, public: responder.bytes))
        }
        state.mixKey(try Sodium.x25519(secret: me.secretKey, public: responder.bytes))
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
            var state = SymmetricState(protocolName: protocolIK)
            state.mixHash(me.publicKey.bytes)
            var logical = frame
            logical.header.flags.remove(.fragmented)
            state.mixHash([logical.header.byte] + frame.ephemeral)
            state.mixKey(try Sodium.x25519(secret: me.secretKey, public: frame.ephemeral))
            let initiator = try PublicKey(bytes: state.decryptAndHash(frame.encryptedStatic))
            state.mixKey(try Sodium.x25519(secret: me.secretKey, public: initiator.bytes))
            let payload = try state.decryptAndHash(frame.body)
            return Accepted(initiator: initiator, initiatorEphemeral: frame.ephemeral, state: state, payload: payload)
        case .hello:
            guard !candidates.isEmpty else { throw .unknownPeer(keyID: Hex.encode(frame.keyID)) }
            let es = try Sodium.x25519(secret: me.secretKey, public: frame.ephemeral)
            for candidate in candidates {
                var state = SymmetricState(protocolName: protocolKK)
                state.mixHash(me.publicKey.bytes)
                state.mixHash(candidate.bytes)
                state.mixHash(frame.associatedHeader)
                state.mixKey(es)
                guard let ss = try? Sodium.x25519(secret: me.secretKey, public: candidate.bytes) else { continue }
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
        state.mixKey(try Sodium.x25519(secret: ephemeral.secretKey, public: accepted.initiatorEphemeral))
        state.mixKey(try Sodium.x25519(secret: ephemeral.secretKey, public: accepted.initiator.bytes))
        frame.body = try state.encryptAndHash(plaintext)
        let roots = state.split()
        return (frame, Completed(sessionID: state.h, send: SendChain(root: roots.responderToInitiator),
                                 receive: ReceiveChain(root: roots.initiatorToResponder), payload: plaintext, flags: flags))
    }

    /// Opens the reply on the initiator side and completes the handshake.
    static func finish(me: Identity, pending: InitiatorPending, frame: Frame) throws(SecureSMSError) -> Completed {
        guard frame.header.type == .reply else { throw .unknownFrameType(frame.header.type.rawValue) }
        var state = pending.state
        state.mixHash(frame.associatedHeader)
        state.mixKey(try Sodium.x25519(secret: pending.ephemeral.secretKey, public: frame.ephemeral))
        state.mixKey(try Sodium.x25519(secret: me.secretKey, public: frame.ephemeral))
        let payload = try state.decryptAndHash(frame.body)
        let roots = state.split()
        var flags = frame.header.flags
        flags.remove(.fragmented)
        return Completed(sessionID: state.h, send: SendChain(root: roots.initiatorToResponder),
                         receive: ReceiveChain(root: roots.responderToInitiator), payload: payload, flags: flags)
    }
}
