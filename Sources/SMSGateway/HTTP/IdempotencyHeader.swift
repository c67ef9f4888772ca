import Foundation
import HTTPTypes

/// The `Idempotency-Key` of `POST /v1/messages` and the digest of the request it came with.
enum IdempotencyHeader {
    /// The key: one header of 1–255 printable ASCII characters; nil when there is none.
    /// - Throws: ``GatewayError/invalidField(field:detail:)`` (422, field `Idempotency-Key`).
    static func key(in headers: HTTPFields) throws(GatewayError) -> String? {
        let values = headers[values: .idempotencyKey]
        guard let key = values.first else { return nil }
        guard values.count == 1 else {
            throw .invalidField(field: "Idempotency-Key", detail: "send one Idempotency-Key header, not \(values.count)")
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw .invalidField(field: "Idempotency-Key", detail: "must be 1–255 printable ASCII characters")
        }
        return key
    }

    /// Hex BLAKE2b-256 of the canonical JSON of the decoded request (sorted keys, the API's date
    /// format), so a repeat that differs only in whitespace, key order or unknown fields matches.
    static func requestDigest(of request: SendMessageRequest) throws -> String {
        let canonical = try APIJSON.encoder().encode(request)
        return TokenDigest.hex(TokenDigest.digest(bytes: Array(canonical)))
    }
}
