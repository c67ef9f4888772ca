/// Packing of 7-bit septets into octets (TS 23.038 §6.1.2.1.1), least significant bit first.
public enum SeptetPacking {
    /// Packs septets into octets, starting after `fillBits` zero bits (the fill bits that align
    /// the text after a UDH to a septet boundary).
    ///
    /// ```swift
    /// SeptetPacking.pack(Array("hellohello".utf8)) // E8 32 9B FD 46 97 D9 EC 37
    /// ```
    public static func pack<C: Collection>(_ septets: C, fillBits: Int = 0) -> [UInt8] where C.Element == UInt8 {
        let totalBits = fillBits + septets.count * 7
        var out = [UInt8](repeating: 0, count: (totalBits + 7) / 8)
        var bit = fillBits
        for s in septets {
            let v = UInt16(s & 0x7F) << UInt16(bit & 7)
            let i = bit >> 3
            out[i] |= UInt8(truncatingIfNeeded: v)
            if v > 0xFF, i + 1 < out.count { out[i + 1] |= UInt8(truncatingIfNeeded: v >> 8) }
            bit += 7
        }
        return out
    }

    /// Unpacks `count` septets from `octets`, starting at bit `startBit`. Returns `nil` when
    /// the octets hold fewer bits than needed.
    public static func unpack<C: RandomAccessCollection>(_ octets: C, count: Int, startBit: Int = 0) -> [UInt8]?
    where C.Element == UInt8, C.Index == Int {
        guard count >= 0, startBit >= 0, startBit + count * 7 <= octets.count * 8 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(count)
        let base = octets.startIndex
        var bit = startBit
        for _ in 0..<count {
            let i = bit >> 3
            var v = UInt16(octets[base + i])
            if i + 1 < octets.count { v |= UInt16(octets[base + i + 1]) << 8 }
            out.append(UInt8(truncatingIfNeeded: v >> UInt16(bit & 7)) & 0x7F)
            bit += 7
        }
        return out
    }
}
