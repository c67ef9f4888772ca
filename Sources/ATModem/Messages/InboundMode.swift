import Foundation
import SMSPDU

/// How a ``Modem`` hands received PDUs to its consumer.
public enum InboundMode: Sendable, Equatable {
    /// Reassembled messages on ``Modem/incoming`` and final reports on ``Modem/deliveryReports``
    /// (the driver keeps reassembly and report matching in memory).
    case messages
    /// Every decoded SMS-DELIVER part and SMS-STATUS-REPORT on ``Modem/inbound``, unassembled, for a
    /// consumer that keeps reassembly and report matching durable itself (the gateway's store).
    /// Nothing is deleted from the modem until the consumer calls `acknowledge()`.
    case parts
}
