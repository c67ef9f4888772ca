import Foundation
import SMSPDU
import Glibc

/// The file-backed sequence of ``ConcatenationReferences/sharedFile(_:width:)``.
enum ReferenceSequenceFile {
    /// Takes the next value (0..<modulus) from the counter file at `path`.
    /// - Throws: ``ModemError/referenceFile(path:reason:)`` when it cannot be opened, locked or written.
    static func next(path: String, modulus: Int) throws(ModemError) -> Int {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .referenceFile(path: path, reason: "open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        // Held for one read and one write: microseconds, even with many senders.
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw .referenceFile(path: path, reason: "lock: \(String(cString: strerror(errno)))")
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
            throw .referenceFile(path: path, reason: "write: \(String(cString: strerror(errno)))")
        }
        return value
    }
}
