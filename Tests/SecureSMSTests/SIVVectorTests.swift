import Foundation
import Testing
@testable import SecureSMS

/// The v2 AEAD (docs/protocol.md §2.1): its components against their published vectors, the SIV
/// properties, and the SIV vector of §10.
@Suite struct SIVVectorTests {
    static func hex(_ s: String) -> [UInt8] { TestHex.decode(s.filter { !$0.isWhitespace }) ?? [] }

    /// draft-irtf-cfrg-xchacha-03, Appendix A.3.2 (block counter 0, as `crypto_stream_xchacha20_xor`).
    @Test func xchacha20MatchesTheDraftVector() throws {
        let key = Self.hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
        let nonce = Self.hex("404142434445464748494a4b4c4d4e4f5051525354555658")
        let plaintext = Array(("The dhole (pronounced \"dole\") is also known as the Asiatic wild dog, red dog, and whistling dog. "
            + "It is about the size of a German shepherd but looks more like a long-legged fox. This highly elusive and skilled "
            + "jumper is classified with wolves, coyotes, jackals, and foxes in the taxonomic family Canidae.").utf8)
        let expected = Self.hex("""
            4559abba4e48c16102e8bb2c05e6947f50a786de162f9b0b7e592a9b53d0d4e98d8d6410d540a1a6375b26d80dace4fab52384c731acbf16a5923c0c48d3575d
            4d0d2c673b666faa731061277701093a6bf7a158a8864292a41c48e3a9b4c0daece0f8d98d0d7e05b37a307bbb66333164ec9e1b24ea0d6c3ffddcec4f68e744
            3056193a03c810e11344ca06d8ed8a2bfb1e8d48cfa6bc0eb4e2464b748142407c9f431aee769960e15ba8b96890466ef2457599852385c661f752ce20f9da0c
            09ab6b19df74e76a95967446f8d0fd415e7bee2a12a114c20eb5292ae7a349ae577820d5520a1f3fb62a17ce6a7e68fa7c79111d8860920bc048ef43fe84486c
            cb87c25f0ae045f0cce1e7989a9aa220a28bdd4827e751a24a6d5c62d790a66393b93111c1a55dd7421a10184974c7c5
            """)
        #expect(plaintext.count == 304)
        #expect(try Sodium.xchacha20(plaintext, key: key, nonce: nonce) == expected)
    }

    /// BLAKE2 KAT (blake2b-kat.txt, keyed): key 00…3f, messages "" and 00, 64-byte output.
    @Test func keyedBlake2bMatchesTheKAT() {
        let key = (0..<64).map { UInt8($0) }
        #expect(Sodium.blake2b([], key: key, outputLength: 64) == Self.hex(
            "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568"))
        #expect(Sodium.blake2b([0], key: key, outputLength: 64) == Self.hex(
            "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd"))
    }

    /// The SIV definition, recomputed from the components: T = F*(K1, AD, P), C = XChaCha20(K2, T ‖ 0^8, P).
    @Test func sivIsTheGenericCompositionOfItsComponents() throws {
        let k = (0..<32).map { UInt8($0) }
        let ad = Array("SecureSMS header".utf8)
        let p = Array("transfer 10 EUR".utf8)
        let both = Sodium.blake2b(Array("SecureSMS-v2 SIV".utf8), key: k, outputLength: 64)
        let k1 = Array(both.prefix(32)), k2 = Array(both.suffix(32))
        func le64(_ n: Int) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: UInt64(n) >> (8 * UInt64($0))) } }
        let t = Sodium.blake2b(ad + p + le64(ad.count) + le64(p.count), key: k1, outputLength: 16)
        let c = try Sodium.xchacha20(p, key: k2, nonce: t + [UInt8](repeating: 0, count: 8))
        let box = try SIV.seal(p, key: k, ad: ad)
        #expect(box == t + c)
        #expect(try SIV.open(box, key: k, ad: ad) == p)
        if ProcessInfo.processInfo.environment["SECURESMS_PRINT_VECTORS"] != nil { print("SIV(k=00..1f, ad, p) = \(TestHex.encode(box))") }
        #expect(TestHex.encode(box) == Self.vector)
    }

    /// The §10 vector: k = 00…1f, AD = "SecureSMS header", P = "transfer 10 EUR".
    static let vector = "e0f1df8266dc7b7a00238aea3286da652933405da8eaf372f3f87fec5cd82a"

    @Test func everyModificationFailsAndEqualityIsAllThatLeaks() throws {
        let k = (0..<32).map { UInt8($0) }
        let ad: [UInt8] = [1, 2, 3]
        let p = Array("same key and AD twice".utf8)
        let box = try SIV.seal(p, key: k, ad: ad)
        for i in box.indices {
            var bad = box
            bad[i] ^= 0x80
            #expect(throws: SecureSMSError.authenticationFailed) { try SIV.open(bad, key: k, ad: ad) }
        }
        #expect(throws: SecureSMSError.authenticationFailed) { try SIV.open(box, key: k, ad: [1, 2]) }
        #expect(throws: SecureSMSError.authenticationFailed) { try SIV.open(Array(box.prefix(15)), key: k, ad: ad) }
        #expect(try SIV.seal(p, key: k, ad: ad) == box)  // deterministic
        let other = try SIV.seal(Array("SAME KEY AND AD TWICE".utf8), key: k, ad: ad)
        #expect(other.prefix(16) != box.prefix(16))  // a different IV, so an independent keystream
        #expect(try SIV.open(try SIV.seal([], key: k, ad: ad), key: k, ad: ad) == [])
    }
}
