@testable import SMSPDU

/// SplitMix64: a tiny seeded generator so property tests are reproducible.
struct SeededRNG: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == UInt8 {
    /// Bytes from hex in tests (fixtures are known-good).
    init(hex: String) {
        self = (try? Hex.decode(hex)) ?? []
    }
}

/// All characters one alphabet can encode (locking table plus single-shift table).
func characters(of alphabet: GSM7Alphabet) -> [Character] {
    let map = alphabet.tables
    let values = Set(map.lockingReverse.keys).union(map.singleReverse.keys).sorted()
    return values.compactMap { Unicode.Scalar($0).map(Character.init) }
}

func randomText(_ pool: [Character], length: Int, using rng: inout SeededRNG) -> String {
    var s = ""
    for _ in 0..<length { s.append(pool[Int.random(in: 0..<pool.count, using: &rng)]) }
    return s
}

/// Joins the texts of decoded parts in sequence order.
func reassemble(_ pdus: [PDU]) -> String {
    let parts = pdus.compactMap { pdu -> (Int, String)? in
        guard let ud = pdu.tpdu.userData, let text = ud.text else { return nil }
        return (Int(ud.header?.concatenation?.sequence ?? 1), text)
    }
    return parts.sorted { $0.0 < $1.0 }.map(\.1).joined()
}
