import Foundation

/// Where a received part sits on the modem (`AT+CMGR`/`AT+CMGD` index in a memory).
public struct StorageSlot: Sendable, Hashable, Codable {
    /// Memory name (`SM`, `ME`, `MT`, `SR`).
    public let memory: String
    /// Index in that memory.
    public let index: Int
}
