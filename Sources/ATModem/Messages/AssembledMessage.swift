import Foundation
import SMSPDU

/// A message put together from its parts (or what arrived of it).
struct AssembledMessage: Sendable {
    var sender: String
    var content: IncomingMessage.Content
    var timestamp: Date?
    var smsc: String?
    var ports: (destination: Int, source: Int)?
    var totalParts: Int
    var receivedParts: [Int]
    var slots: [StorageSlot]
}
