/// A bounds-checked cursor over PDU bytes; every read names the field for its error.
struct ByteReader {
    let bytes: [UInt8]
    /// Absolute offset of the next byte.
    private(set) var offset: Int
    /// Offset of the first byte, added to reported offsets of sub-readers.
    let end: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
        self.end = bytes.count
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset >= end }

    mutating func byte(_ field: PDUField) throws(PDUError) -> UInt8 {
        guard offset < end else { throw .truncated(field: field, offset: offset) }
        let b = bytes[offset]
        offset += 1
        return b
    }

    func peek(_ field: PDUField) throws(PDUError) -> UInt8 {
        guard offset < end else { throw .truncated(field: field, offset: offset) }
        return bytes[offset]
    }

    mutating func read(_ count: Int, _ field: PDUField) throws(PDUError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated(field: field, offset: offset) }
        let slice = bytes[offset..<(offset + count)]
        offset += count
        return slice
    }
}
