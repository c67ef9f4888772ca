/// Splits a sealed frame into frames of at most `capacity` bytes (one SMS each) and back.
///
/// Per-SMS cost: +1 byte in the first fragment (count), +3 bytes per continuation (header, ref, index).
/// Example: `let parts = try Fragmenter.split(frame, capacity: 133)`.
public enum Fragmenter {
    /// Splits `frame` (a complete hello/intro/reply/data frame) into ≤ 255 fragments.
    public static func split(_ frame: Frame, capacity: Int) throws(SecureSMSError) -> [Frame] {
        var whole = frame
        whole.header.flags.remove(.fragmented)
        if whole.bytes.count <= capacity { return [whole] }
        guard whole.header.type != .ack, whole.header.type != .cont else {
            throw .badFragment("\(whole.header.type) frames cannot be fragmented")
        }
        var first = whole
        first.header.flags.insert(.fragmented)
        first.fragmentCount = 2  // placeholder so fixedPart includes the count byte
        let firstRoom = capacity - first.fixedPart.count
        let contRoom = capacity - 3
        guard firstRoom > 0, contRoom > 0 else { throw .payloadTooLarge(whole.bytes.count, limit: capacity) }
        let body = whole.body
        let rest = max(0, body.count - firstRoom)
        let count = 1 + (rest + contRoom - 1) / contRoom
        guard count <= 255 else { throw .payloadTooLarge(body.count, limit: firstRoom + 254 * contRoom) }
        first.fragmentCount = UInt8(count)
        first.body = Array(body.prefix(firstRoom))
        var out = [first]
        var offset = firstRoom
        let handshake = whole.header.type != .data
        var index: UInt8 = 1
        while offset < body.count {
            let end = min(offset + contRoom, body.count)
            out.append(Frame(header: FrameHeader(type: .cont, flags: handshake ? .handshakeContinuation : []),
                             ref: whole.fragmentRef, index: index, body: Array(body[offset..<end])))
            offset = end
            index &+= 1
        }
        return out
    }

    /// Number of SMS a frame of `frameBytes` bytes with `fixedBytes` of fixed fields needs at `capacity`.
    static func segmentCount(frameBytes: Int, fixedBytes: Int, capacity: Int) -> Int {
        if frameBytes <= capacity { return 1 }
        let body = frameBytes - fixedBytes
        let firstRoom = capacity - fixedBytes - 1
        let contRoom = capacity - 3
        guard firstRoom > 0, contRoom > 0 else { return Int.max }
        return 1 + (max(0, body - firstRoom) + contRoom - 1) / contRoom
    }
}
