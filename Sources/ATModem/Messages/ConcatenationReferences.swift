import Foundation
import SMSPDU
import Glibc

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
