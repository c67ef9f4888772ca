import Foundation

/// The package root, found from this file's path (Tests/SMSKitTestSupport/Paths.swift).
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The built `smskit` binary (`swift build` puts it in `.build/debug`).
public let smskitBinary = packageRoot.appendingPathComponent(".build/debug/smskit").path

/// Whether the binary is built; the end-to-end suites are enabled only then.
public let haveBinary = FileManager.default.isExecutableFile(atPath: smskitBinary)

/// The first of `candidates` that is an executable file (a tool such as gammu or curl from apt).
public func executable(_ candidates: String...) -> String? {
    candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// A failure with a message, thrown by test helpers.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A temp directory removed at the end of the test (kept, and its path printed, when
/// `SMSKIT_KEEP_TEST_DIRS` is set: the logs of the binaries are in it).
public final class TempDir: Sendable {
    public let path: String
    public init(_ name: String) throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("smskit-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    public func remove() {
        if ProcessInfo.processInfo.environment["SMSKIT_KEEP_TEST_DIRS"] != nil {
            print("kept test directory \(path)")
            return
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
