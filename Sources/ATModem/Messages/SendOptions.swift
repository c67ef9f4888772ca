import Foundation

/// Options for ``Modem/send(text:to:options:)`` and ``Modem/send(data:to:ports:options:)``.
public struct SendOptions: Sendable, Equatable {
    /// Ask the network for a status report per part (TP-SRR); see ``Modem/deliveryReport(for:timeout:)``.
    public var requestDeliveryReport: Bool
    /// Validity period relative to submission (nil: the SMSC's default).
    public var validity: Duration?
    /// The caller's own id for this message, carried back in ``DeliveryReport/correlationID`` so a
    /// report can be matched to the caller's records.
    public var correlationID: String?

    /// Creates options.
    public init(requestDeliveryReport: Bool = false, validity: Duration? = nil, correlationID: String? = nil) {
        self.requestDeliveryReport = requestDeliveryReport
        self.validity = validity
        self.correlationID = correlationID
    }
}
