@testable import SecureSMS
import Testing

/// Issue 14 item 8: a zero (or absurd) Argon2 cost in a key file said "the machine may lack the memory".
@Suite("Argon2id cost read from a key file")
struct Argon2CostTests {
    @Test("A cost below libsodium's minimum or beyond any written file is a damaged key file, not a memory shortage",
          arguments: [(UInt64(0), UInt64(0)), (UInt64(1) << 40, UInt64(1) << 20), (UInt64(3), UInt64(1) << 50)])
    func badCostIsACorruptKeyFile(ops: UInt64, memory: UInt64) throws {
        let salt = [UInt8](repeating: 7, count: Sodium.saltBytes)
        #expect {
            _ = try Sodium.argon2id(passphrase: Array("correct horse".utf8), salt: salt,
                                    cost: Sodium.PasswordHashCost(ops: ops, memory: memory))
        } throws: { error in
            guard case SecureSMSError.corruptKeyFile(let why) = error else { return false }
            return why.contains("damaged or forged")
        }
    }
}
