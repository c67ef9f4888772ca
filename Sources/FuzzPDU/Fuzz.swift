import SMSPDU

/// One fuzz iteration: the decoder must return a value or throw a `PDUError` for any input,
/// and whatever it decodes must re-encode and decode again to the same value.
func fuzzOne(_ bytes: [UInt8]) {
    for hasSMSC in [true, false] {
        if let pdu = try? PDU(bytes: bytes, hasSMSC: hasSMSC) {
            _ = PDUSummary(pdu)
            checkRoundTrip(pdu, hasSMSC: hasSMSC)
        }
    }
    // The same bytes read as hex text (what a modem prints) and as a message to plan.
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? PDU(hex: text)
    if bytes.count <= 2_048 {
        _ = try? SegmentPlanner.plan(text: text, options: SegmentationOptions(alphabet: .auto, nationalLanguages: [.turkish, .spanish, .portuguese]))
    }
}

/// Re-encoding a decoded PDU must succeed and decode back to an equal PDU (the codec is a
/// bijection on what it accepts). A violation is a bug: trap so libFuzzer records the input.
private func checkRoundTrip(_ pdu: PDU, hasSMSC: Bool) {
    guard let encoded = try? pdu.encode(includeSMSC: hasSMSC) else { return }
    guard let again = try? PDU(bytes: encoded.bytes, hasSMSC: hasSMSC) else {
        preconditionFailure("re-encoded PDU does not decode: \(Hex.encode(encoded.bytes))")
    }
    guard let reencoded = try? again.encode(includeSMSC: hasSMSC), reencoded.bytes == encoded.bytes else {
        preconditionFailure("encode is not stable: \(Hex.encode(encoded.bytes))")
    }
}
