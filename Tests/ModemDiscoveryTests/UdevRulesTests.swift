import Foundation
import Testing
@testable import ModemDiscovery

@Suite("udev rules files")
struct UdevRulesTests {
    static let files: [(name: String, render: @Sendable () -> String)] = [
        ("90-smskit.rules", UdevRules.mainRules),
        ("91-smskit-modemmanager-ignore.rules", UdevRules.modemManagerIgnoreRules),
    ]

    func checkedIn(_ name: String) throws -> String {
        try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("udev/" + name), encoding: .utf8)
    }

    @Test("The files in udev/ are exactly what the classification table generates")
    func upToDate() throws {
        for file in Self.files {
            #expect(try checkedIn(file.name) == file.render(),
                    "udev/\(file.name) is stale: regenerate with `smskit devices --print-udev-rules ...`")
        }
    }

    @Test("Every primary AT port of the table gets an at-primary rule")
    func coversTable() {
        let rules = UdevRules.mainRules()
        for layout in ClassificationTable.layouts {
            guard let primary = layout.primary else { continue }
            #expect(rules.contains("ENV{.SMSKIT_PID}==\"\(layout.productIDs.sorted().joined(separator: "|"))\", ENV{.SMSKIT_IF}==\"\(primary)\""),
                    "\(layout.name)")
        }
        #expect(rules.contains("SYMLINK+=\"smskit/$env{ID_SERIAL_SHORT}-at\""))
        #expect(rules.contains("GROUP=\"smskit\", MODE=\"0660\""))
        #expect(UdevRules.modemManagerIgnoreRules().contains("ENV{ID_MM_DEVICE_IGNORE}=\"1\""))
    }

    /// A structural lint that runs everywhere: each rule line is `KEY[{attr}] OP "value"` pairs,
    /// every GOTO has its LABEL.
    static func lint(_ text: String) -> [String] {
        var problems: [String] = []
        let pair = #/^\s*[A-Z_]+(\{[^}]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"[^"]*"\s*$/#
        var labels: Set<String> = [], gotos: Set<String> = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            for part in trimmed.split(separator: ",") where (try? pair.wholeMatch(in: part)) == nil {
                problems.append("line \(number + 1): '\(part)'")
            }
            for match in trimmed.matches(of: #/(LABEL|GOTO)="([^"]+)"/#) {
                if match.output.1 == "LABEL" { labels.insert(String(match.output.2)) } else { gotos.insert(String(match.output.2)) }
            }
        }
        problems += gotos.subtracting(labels).map { "GOTO without LABEL: \($0)" }
        return problems
    }

    @Test("Structural lint passes, and catches a broken line")
    func structuralLint() {
        for file in Self.files { #expect(Self.lint(file.render()).isEmpty, "\(file.name): \(Self.lint(file.render()))") }
        #expect(!Self.lint("SUBSYSTEM==\"tty\", FOO BAR\n").isEmpty)
        #expect(!Self.lint("GOTO=\"nowhere\"\n").isEmpty)
    }

    /// Runs `udevadm test` on a real tty with the rules installed in a private mount namespace
    /// (tmpfs on /run, a group file that has `smskit`), and returns the diagnostics naming our files.
    func udevadmDiagnostics(extraRule: String? = nil) async throws -> [String]? {
        guard let udevadm = TestEnvironment.tool("udevadm"), let unshare = TestEnvironment.tool("unshare"),
              FileManager.default.fileExists(atPath: "/sys/class/tty/tty0") else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smskit-udev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in Self.files {
            let text = (extraRule.map { $0 + "\n" } ?? "") + file.render()
            try text.write(to: directory.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
        }
        let group = try String(contentsOfFile: "/etc/group", encoding: .utf8) + "smskit:x:6543:\n"
        try group.write(to: directory.appendingPathComponent("group"), atomically: true, encoding: .utf8)
        let script = """
            mount -t tmpfs tmpfs /run && mkdir -p /run/udev/rules.d && cp "$1"/*.rules /run/udev/rules.d/ \
            && mount --bind "$1/group" /etc/group && "$2" test --action=add /sys/class/tty/tty0 2>&1
            """
        let result = try await ProcessRunner.run(unshare, ["-m", "/bin/sh", "-c", script, "sh", directory.path, udevadm])
        guard result.status == 0, result.stdout.contains("Reading rules file: /run/udev/rules.d/90-smskit.rules") else {
            return nil // no permission for mount namespaces (not root / no CAP_SYS_ADMIN)
        }
        return result.stdout.split(separator: "\n").map(String.init)
            .filter { $0.contains("smskit") && !$0.hasPrefix("Reading rules file") }
    }

    /// udevadm, unshare and the right to make a mount namespace (root in CI containers).
    static func canRunUdevadm() async -> Bool {
        guard TestEnvironment.tool("udevadm") != nil, let unshare = TestEnvironment.tool("unshare") else { return false }
        return (try? await ProcessRunner.run(unshare, ["-m", "/bin/true"]))?.status == 0
    }

    @Test("udevadm test parses both files without a single diagnostic",
          .enabled("udevadm test needs udevadm, unshare and root (mount namespace); lint-only here") { await canRunUdevadm() })
    func udevadmParses() async throws {
        let diagnostics = try #require(try await udevadmDiagnostics(), "udevadm test did not read the rules")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let broken = try #require(try await udevadmDiagnostics(extraRule: "SUBSYSTEM==\"tty\", FOO BAR"))
        #expect(broken.contains { $0.contains("Invalid") }, "udevadm must flag a broken rule: \(broken)")
    }
}
