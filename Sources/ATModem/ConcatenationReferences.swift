import Foundation
import SMSPDU
#if canImport(Glibc)
import Glibc
#endif

/// Where the concatenation reference of each multipart message comes from (TS 23.040 §9.2.3.24.1).
///
/// A receiver joins parts by (sender, reference, total), so two messages from one number that are in
/// flight together must not share a reference. A counter in one ``Modem`` guarantees that for that
/// modem only; processes that send through the same SIM one after another (`smskit send` runs) or side
/// by side need a sequence they share: ``sharedFile(_:width:)`` keeps it in a file under `flock(2)`.
///
/// ```swift
/// let config = Modem.Configuration(concatenationReferences: .sharedFile("/var/lib/smskit/concat-ref"))
/// ```
public struct ConcatenationReferences: Sendable, Equatable {
    /// 8-bit references (one IE of 5 octets, the common choice) or 16-bit ones (6 octets: one fewer
    /// character per part, 65,536 references before a repeat).
    public enum Width: Sendable, Equatable {
        case eightBit, sixteenBit

        /// Number of distinct references.
        var modulus: Int { self == .eightBit ? 256 : 65_536 }
    }

    enum Source: Sendable, Equatable {
        case counter
        case file(String)
    }

    let source: Source
    /// Reference size.
    public let width: Width

    /// A counter kept by the ``Modem`` (random start, +1 per message). The default.
    public static let perModem = ConcatenationReferences(source: .counter, width: .eightBit)

    /// A counter in the modem's state with the given width.
    public static func perModem(width: Width) -> ConcatenationReferences { .init(source: .counter, width: width) }

    /// A sequence shared by every process that uses `path` (created 0600 if missing; a damaged file
    /// restarts the sequence). Each message takes the next value under an exclusive `flock`.
    public static func sharedFile(_ path: String, width: Width = .eightBit) -> ConcatenationReferences {
        .init(source: .file(path), width: width)
    }

    /// The SMSPDU reference for a value of this width.
    func reference(_ value: Int) -> ConcatenationReference {
        width == .eightBit ? .eightBit(UInt8(truncatingIfNeeded: value)) : .sixteenBit(UInt16(truncatingIfNeeded: value))
    }
}

/// The file-backed sequence of ``ConcatenationReferences/sharedFile(_:width:)``.
enum ReferenceSequenceFile {
    /// Takes the next value (0..<modulus) from the counter file at `path`.
    /// - Throws: ``ModemError/encoding(_:)`` naming the file when it cannot be opened or written.
    static func next(path: String, modulus: Int) throws(ModemError) -> Int {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .encoding("cannot open the concatenation reference file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        // Held for one read and one write: microseconds, even with many senders.
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw .encoding("cannot lock the concatenation reference file \(path): \(String(cString: strerror(errno)))")
            }
        }
        defer { _ = flock(fd, LOCK_UN) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        let previous = Int(text).map { (($0 % modulus) + modulus) % modulus }
        let value: Int
        if let previous {
            value = (previous + 1) % modulus
        } else {
            var seed = SystemRandomNumberGenerator()
            value = Int.random(in: 0..<modulus, using: &seed)
        }
        let out = Array("\(value)\n".utf8)
        let written = out.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == out.count, ftruncate(fd, off_t(out.count)) == 0 else {
            throw .encoding("cannot write the concatenation reference file \(path): \(String(cString: strerror(errno)))")
        }
        return value
    }
}
