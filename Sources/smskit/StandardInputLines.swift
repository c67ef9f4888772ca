import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Lines of standard input as an `AsyncStream`, read by a dedicated thread (blocking `read(2)` stays off the
/// cooperative pool). The stream ends at end of file; a line longer than 1 MiB is cut there (the rest up to
/// the newline is dropped).
///
/// `for await line in StandardInputLines().lines { … }`
final class StandardInputLines: Sendable {
    /// The lines, without their newline (a trailing CR is removed too).
    let lines: AsyncStream<String>

    private static let maxLine = 1 << 20

    /// Starts reading `descriptor` (standard input by default).
    init(descriptor: Int32 = STDIN_FILENO) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        lines = stream
        let thread = Thread {
            Self.read(descriptor, into: continuation)
        }
        thread.name = "smskit stdin"
        thread.start()
    }

    private static func read(_ descriptor: Int32, into continuation: AsyncStream<String>.Continuation) {
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        func yieldLine() {
            if line.last == 0x0D { line.removeLast() }
            continuation.yield(String(decoding: line, as: UTF8.self))
            line.removeAll(keepingCapacity: true)
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            for byte in buffer[0..<count] {
                if byte == 0x0A {
                    yieldLine()
                } else if line.count < maxLine {
                    line.append(byte)
                }
            }
        }
        if !line.isEmpty { yieldLine() }
        continuation.finish()
    }
}
