import Foundation

/// Paths and tools the integration tests need, found from this file's location.
enum TestEnvironment {
    /// The package root (three levels above this file).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = packageRoot.appendingPathComponent("Tests/ModemDiscoveryTests/Fixtures")
    static let smskit = packageRoot.appendingPathComponent(".build/debug/smskit")
    static let rulesFile = packageRoot.appendingPathComponent("udev/90-smskit.rules")

    /// The first executable named `name` in the usual system directories.
    static func tool(_ name: String) -> String? {
        ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"].map { $0 + "/" + name }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// True when `umockdev-run` is installed (Debian package `umockdev`).
    static var hasUmockdev: Bool { tool("umockdev-run") != nil }

    /// True when the system python can load umockdev's GObject bindings (gir1.2-umockdev-1.0, python3-gi).
    static func hasUmockdevBindings() async -> Bool {
        guard hasUmockdev, let python = tool("python3") else { return false }
        let result = try? await ProcessRunner.run(python, ["-c", "import gi; gi.require_version('UMockdev', '1.0')"])
        return result?.status == 0
    }

    /// Fixture path for a device description, e.g. `fixture("quectel-ec25")`.
    static func fixture(_ name: String) -> String {
        fixtures.appendingPathComponent(name + ".umockdev").path
    }
}
