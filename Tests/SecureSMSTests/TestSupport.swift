import SMSPDU
import ModemEmulator
@testable import SecureSMS

extension SeededGenerator {
    /// `n` random bytes.
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// Fixed test identities and deterministic ephemerals.
enum Fixtures {
    static func seed(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }
    static let bank = try! Identity.generate(seed: seed(0xB0))
    static let client = try! Identity.generate(seed: seed(0xC1))
    static let mallory = try! Identity.generate(seed: seed(0x66))

    /// An ephemeral source that derives keys from a counter (seeded, reproducible).
    static func ephemerals(_ tag: UInt8) -> @Sendable () throws(SecureSMSError) -> Handshake.Ephemeral {
        let counter = Counter()
        return { () throws(SecureSMSError) in
            let n = counter.next()
            return try Handshake.Ephemeral.generate(seed: [tag, UInt8(truncatingIfNeeded: n)] + [UInt8](repeating: 0xEE, count: 30))
        }
    }

    /// An endpoint for protocol tests: `Fixtures.bank` gets the bank role with open enrolment, every other
    /// identity the client role; messages are acknowledged on delivery unless `commitOnDelivery` is set false
    /// in `configuration` by the test (the tests of the commit path do that).
    static func endpoint(_ identity: Identity, tag: UInt8, configuration: EndpointConfiguration = .init(commitOnDelivery: true)) -> SecureEndpoint {
        var configuration = configuration
        if identity.publicKey == bank.publicKey {
            configuration.role = .bank
            configuration.enrolment.open = true
        }
        return SecureEndpoint(identity: identity, state: EndpointState(), configuration: configuration, ephemerals: ephemerals(tag))
    }
}

/// A tiny thread-safe counter for the ephemeral source.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLockish()
    func next() -> Int { lock.with { value += 1; return value } }
}

/// Minimal lock without Foundation.
final class NSLockish: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func with<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension Identity {
    /// The raw secret of a software test identity (attacker models in the tests).
    var secretKey: [UInt8] { (try? withSecret { $0 }) ?? [] }
}

extension EndpointStep {
    var rejections: [SecureSMSError] {
        events.compactMap { if case .rejected(_, let e) = $0 { return e } else { return nil } }
    }
    var deliveredIDs: [UInt64] {
        events.compactMap { if case .delivered(let id, _, _) = $0 { return id } else { return nil } }
    }
    var unconfirmedIDs: [UInt64] {
        events.compactMap { if case .unconfirmed(let id, _) = $0 { return id } else { return nil } }
    }
}

/// Hex as the vectors and transcripts are written (lowercase; decode gives nil on bad input), over
/// SMSPDU's one implementation.
enum TestHex {
    static func encode(_ bytes: [UInt8]) -> String { SMSPDU.Hex.encode(bytes, lowercase: true) }
    static func decode(_ text: String) -> [UInt8]? { try? SMSPDU.Hex.decode(text) }
}
