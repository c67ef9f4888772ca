import Foundation
import SecureSMS
import SMSPDU

/// Parsing and checking of the keys `POST /v1/peers` takes.
enum SecurePeerKey {
    /// The fingerprint of a stored key (hex); empty if the stored text is not a key.
    static func fingerprint(hex: String) -> String {
        (try? PublicKey(hex: hex))?.fingerprint ?? ""
    }

    /// Validates an enrolment against the gateway's own identity.
    /// - Throws: ``GatewayError/invalidField(field:detail:)`` (422) naming `public_key`, `number` or `customer_id`.
    static func validate(_ request: EnrolPeerRequest, identity: Identity) throws(GatewayError) -> (PublicKey, String, String?) {
        let trimmed = request.publicKey.trimmingCharacters(in: .whitespaces)
        let key: PublicKey
        do { key = try PublicKey(hex: trimmed) } catch {
            throw .invalidField(field: "public_key", detail: "must be 64 hex digits, as `smskit keys show --key FILE` prints it")
        }
        guard key != identity.publicKey else {
            throw .invalidField(field: "public_key", detail: "is the gateway's own key (--identity); enrol the customer's key")
        }
        do { _ = try identity.key.agree(with: key.bytes) } catch {
            throw .invalidField(field: "public_key", detail: "is not a usable X25519 public key (a low-order point such as all zeros)")
        }
        let number = try SendMessageRequest.normalizeNumber(request.number, field: "number")
        if let customer = request.customerID, !(1...128).contains(customer.count) || customer.contains(where: \.isNewline) {
            throw .invalidField(field: "customer_id", detail: "must be 1–128 characters on one line")
        }
        return (key, number, request.customerID)
    }
}

extension SendMessageRequest {
    /// Checks a request with ``secure`` for `peer` (the peer exists); `to`, `ports`, `from`, `send_at`,
    /// `validity` and `guarantee` are refused: the engine picks the number (the peer's), the frames and
    /// their retransmission.
    /// - Throws: ``GatewayError/invalidField(field:detail:)``.
    func validateSecure(peer: PeerResource) throws(GatewayError) -> NewSecureMessage {
        if let to, (try? Self.normalizeNumber(to, field: "to")) != peer.number {
            throw .invalidField(field: "to", detail: "a secure message goes to its peer's enrolled number \(peer.number); leave `to` out")
        }
        if ports != nil { throw .invalidField(field: "ports", detail: "secure messages use SecureSMS's port \(9208); leave `ports` out") }
        if from != nil { throw .invalidField(field: "from", detail: "is not supported with `secure` yet") }
        if sendAt != nil { throw .invalidField(field: "send_at", detail: "is not supported with `secure`") }
        if validity != nil { throw .invalidField(field: "validity", detail: "is not supported with `secure`: the protocol retransmits until acknowledged") }
        if guarantee != nil { throw .invalidField(field: "guarantee", detail: "is not supported with `secure`: acknowledgements settle it") }
        let content = try validatedContent()
        let size: Int
        switch content {
        case .text(let t): size = t.utf8.count
        case .data(let d): size = d.count
        }
        guard size <= SecureEndpoint.maxPayload else {
            throw .invalidField(field: text != nil ? "text" : "data_hex",
                                detail: "is \(size) bytes; a secure message holds at most \(SecureEndpoint.maxPayload)")
        }
        let callback = try validatedExtras()
        return NewSecureMessage(peer: peer, content: content, priority: priority ?? 0, metadata: metadata ?? [:], callback: callback)
    }
}
