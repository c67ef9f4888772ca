import Foundation

/// The SMSC's use of the SMSPDU codec: reading SMS-SUBMITs, writing SMS-DELIVERs and status reports.
enum NetworkCodec {
    /// What the SMSC needs from an SMS-SUBMIT.
    struct SubmitSummary: Sendable {
        var destination: String
        var statusReportRequested: Bool
        var messageClass: Int?
    }

    /// Reads an SMS-SUBMIT TPDU; `+CMS ERROR: 304` when it is not one.
    static func summarizeSubmit(_ tpdu: [UInt8]) throws(ATFailure) -> SubmitSummary {
        throw .cms(.notSupported)
    }

    /// The SMS-DELIVER (SMSC field + TPDU) the recipient gets for an SMS-SUBMIT.
    static func deliverPDU(fromSubmit tpdu: [UInt8], origin: String, timestamp: Date, timeZone: TimeZone,
                           serviceCentre: String) throws(ATFailure) -> [UInt8] {
        throw .cms(.notSupported)
    }

    /// SMS-DELIVER PDUs for a text from outside the network (concatenated when long).
    static func deliverPDUs(text: String, from sender: String, timestamp: Date, timeZone: TimeZone,
                            serviceCentre: String) throws(EmulatorError) -> [[UInt8]] {
        throw .invalidPDU("not available")
    }

    /// Checks a raw incoming PDU (hex with SMSC field).
    static func inspectIncoming(hex: String) throws(EmulatorError) -> (pdu: [UInt8], isStatusReport: Bool, messageClass: Int?) {
        throw .invalidPDU("not available")
    }

    /// Byte offsets of the user data in an SMS-DELIVER PDU (for the corruption fault).
    static func userDataRange(ofDeliver pdu: [UInt8]) -> Range<Int>? { nil }

    /// An SMS-STATUS-REPORT (SMSC field + TPDU) saying the message `reference` reached `recipient`.
    static func statusReportPDU(reference: UInt8, recipient: String, submitted: Date, discharged: Date,
                                timeZone: TimeZone, serviceCentre: String) throws(ATFailure) -> [UInt8] {
        throw .cms(.notSupported)
    }
}
