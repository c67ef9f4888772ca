/// The intro session's upgrade (docs/protocol.md §3.3), in one place. A client that first contacts the
/// bank with a 52-byte intro (no ephemeral-ephemeral agreement yet) sends its upgrade ephemeral `E_c`
/// once, on the ack for the bank's reply or, failing that, on its next data frame; the bank derives the
/// upgraded chains from it, erases `e_r` and answers under them; the client switches when the first
/// frame under the upgraded chain opens, keeping the old chain only for older counters.
extension SecureEndpoint {
    /// Opens `frame` by one of the intro upgrade's paths, when the session's own chain did not:
    /// - bank, already upgraded: a re-sealed or retransmitted frame that still carries `E_c`;
    /// - bank, awaiting the upgrade: the client's upgrade frame, `E_c ‖ SIV` under the upgraded chain;
    /// - client: the bank's first frames under the upgraded chain (the alternate receive chain).
    ///
    /// Returns nil when no upgrade path applies; commits chain changes only when the tag verifies.
    static func openDuringIntroUpgrade(_ frame: Frame, chain: ReceiveChain, in session: inout Session,
                                       identity: Identity) throws(SecureSMSError) -> [UInt8]? {
        if let known = session.upgradedWith, frame.body.count >= 32 + SIV.tagBytes, Array(frame.body.prefix(32)) == known {
            // Bank, already upgraded: a (re-sealed or retransmitted) frame that still carries E_c.
            var again = chain
            let key = try again.messageKey(for: frame.counter)
            let plaintext = try SIV.open(Array(frame.body.dropFirst(32)), key: key, ad: session.associatedData(frame) + known)
            session.receive = again
            return plaintext
        }
        if session.upgradeAwaited != nil, frame.body.count >= 32 + SIV.tagBytes {
            // Bank: the client's upgrade frame, E_c ‖ SIV under the upgraded chain.
            let clientEphemeral = Array(frame.body.prefix(32))
            var upgraded = try upgrade(&session, clientEphemeral: clientEphemeral, identity: identity, commit: false)
            let key = try upgraded.messageKey(for: frame.counter)
            let plaintext = try SIV.open(Array(frame.body.dropFirst(32)), key: key,
                                         ad: session.associatedData(frame) + clientEphemeral)
            _ = try upgrade(&session, clientEphemeral: clientEphemeral, identity: identity, commit: true)
            session.receive = upgraded
            return plaintext
        }
        guard var alternate = session.alternateReceive,
              session.alternateBelow.map({ frame.counter < $0 }) ?? true else { return nil }
        let switching = session.alternateBelow == nil
        if switching { alternate.skipUnused(below: session.tracker.ack.cumulative) }
        let key = try alternate.messageKey(for: frame.counter)
        let plaintext = try SIV.open(frame.body, key: key, ad: session.associatedData(frame))
        if switching {
            // Client: the bank switched to the upgraded chain; keep the old one only for older counters.
            session.alternateReceive = chain
            session.alternateBelow = frame.counter
            session.receive = alternate
            session.upgradeKey = nil  // the bank has E_c: frames no longer carry it
        } else {
            session.alternateReceive = alternate
        }
        return plaintext
    }

    /// Bank side of an intro session's upgrade with the client's `E_c`: the upgraded receive chain (counter 1).
    /// With `commit`, also switches the send chain and erases `e_r`.
    static func upgrade(_ session: inout Session, clientEphemeral: [UInt8], identity: Identity,
                                commit: Bool) throws(SecureSMSError) -> ReceiveChain {
        guard let awaited = session.upgradeAwaited, let send = session.send else { throw .authenticationFailed }
        let roots = Handshake.upgradedRoots(
            after: awaited.state, clientEphemeral: clientEphemeral,
            ee: try Sodium.x25519(secret: awaited.replyEphemeral.secretKey, public: clientEphemeral),
            es: try identity.agree(with: clientEphemeral))
        if commit {
            session.send = SendChain(upgrading: send, root: roots.responderToInitiator)
            session.upgradeAwaited = nil  // erases e_r
            session.upgradedWith = clientEphemeral
            session.ratchet = RatchetState(rootKey: roots.ratchet, initiator: false, now: session.lastActivity)
        }
        var receive = ReceiveChain(root: roots.initiatorToResponder)
        receive.lastAckCounter = session.receive?.lastAckCounter ?? 0
        return receive
    }

    /// Intro client: ratchet steps wait until the bank's data arrived under the upgraded chain, so the chain a step
    /// of the bank replaces is the one we receive on.
    static func upgradeSettled(_ session: Session) -> Bool {
        session.upgradeKey == nil && (session.alternateReceive == nil || session.alternateBelow != nil)
    }

    /// Whether the next data frame should be a ratchet step: due, and the 32-byte key fits in the same number of
    /// SMS as the message alone — or overdue (twice the period) or an answer to a step that came on an ack.

    /// A retransmission while the upgrade is unconfirmed carries `E_c` again (SIV makes re-sealing the same
    /// counter safe: same key, a different AD, so an independent IV and keystream).
    func resealWithUpgrade(_ entry: inout Session.OutboxEntry, _ reseal: Session.Reseal, session: Session) {
        guard let upgradeKey = session.upgradeKey,
              let frame = try? Self.sealData(reseal.plaintext, flags: reseal.flags, counter: reseal.counter, key: reseal.key,
                                             upgradeKey: upgradeKey, session: session),
              let frames = try? Fragmenter.split(frame, capacity: configuration.transport.capacity).map(\.bytes)
        else { return }
        entry.frames = frames
        entry.reseal = nil
    }
}
