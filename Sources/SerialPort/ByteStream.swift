/// A bidirectional byte transport: what `ATChannel` runs over. ``SerialPort`` is the real one;
/// tests may supply their own.
public protocol ByteStream: Sendable {
    /// Chunks of bytes as they arrive. Finishes with ``SerialPortError/disconnected(path:)`` on
    /// unplug or ``SerialPortError/closed(path:)`` after ``close()``. Iterate it once.
    var incoming: AsyncThrowingStream<[UInt8], any Error> { get }
    /// Writes all bytes, suspending (never blocking a cooperative thread) until they are accepted.
    func write(_ bytes: [UInt8]) async throws(SerialPortError)
    /// Closes the transport; pending and later I/O fail with ``SerialPortError/closed(path:)``.
    func close()
}
