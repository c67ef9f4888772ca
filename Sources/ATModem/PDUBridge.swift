/// The only place that talks to SMSPDU: decodes received PDUs into ``ReceivedPart``s and encodes
/// outgoing messages into ``OutgoingPart``s.
enum PDUBridge {
    static func decode(hex: String) throws(ModemError) -> DecodedPDU {
        throw .decoding("SMSPDU not integrated yet")
    }

    static func encode(text: String, to recipient: String, reference: Int, options: SendOptions) throws(ModemError) -> [OutgoingPart] {
        throw .encoding("SMSPDU not integrated yet")
    }

    static func encode(data: [UInt8], to recipient: String, ports: (destination: Int, source: Int)?, reference: Int,
                       options: SendOptions) throws(ModemError) -> [OutgoingPart] {
        throw .encoding("SMSPDU not integrated yet")
    }
}
