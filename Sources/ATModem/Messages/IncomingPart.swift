import Foundation
import SMSPDU

/// One SMS-DELIVER as received, before reassembly.
///
/// Store it, then call ``acknowledge()``: that deletes its slot (`AT+CMGD`) or acknowledges a routed
/// `+CMT` (`AT+CNMA`). Until then it stays on the modem and is offered again after a restart.
public struct IncomingPart: Sendable {
    /// Originator address.
    public let sender: String
    /// The SMSC it came through.
    public let smsc: String?
    /// Service-centre timestamp.
    public let timestamp: Date?
    /// Concatenation (reference, total, 1-based sequence) when the part has a concatenation element.
    public let concatenation: (reference: Int, total: Int, sequence: Int)?
    /// Application port addressing (destination, source).
    public let ports: (destination: Int, source: Int)?
    /// This part's user data; join parts with `UserData.joinedText(_:)` / `joinedBytes(_:)`, which
    /// restore a character a sender split across two UCS-2 parts.
    public let userData: UserData
    /// The TPDU (SMSC field skipped) in upper-case hex: byte-identical for network duplicates.
    public let tpduHex: String
    /// Where it is stored (nil for a routed `+CMT`).
    public let slot: StorageSlot?
    let acknowledger: @Sendable () async throws(ModemError) -> Void

    /// Removes the part from the modem. Call only after it is safely stored.
    public func acknowledge() async throws(ModemError) { try await acknowledger() }
}
