import Foundation
import Testing

/// Runs the real `smskit devices` binary against fake udev devices (umockdev-run with the
/// descriptions in Fixtures/). Skips only when umockdev is not installed.
@Suite("smskit devices under umockdev", .enabled(if: TestEnvironment.hasUmockdev,
                                                 "umockdev-run not installed: apt-get install umockdev (scripts/setup.sh)"))
struct UmockdevCLITests {
    static let allDevices = ["huawei-e3372", "huawei-e173", "quectel-ec25", "simcom-sim7600", "cinterion-pls8",
                             "ftdi-ft232r", "zte-mf190", "telit-he910-ignored", "ublox-lara-r2", "arduino-uno", "cinterion-pls63"]

    /// Runs smskit with `arguments` under umockdev-run with the host plus `devices` loaded, and
    /// `scripts` (device node → script fixture name) replaying a modem's side of a dialog.
    func smskit(_ arguments: [String], devices: [String], scripts: [String: String] = [:]) async throws -> ProcessRunner.Result {
        let binary = TestEnvironment.smskit.path
        try #require(FileManager.default.isExecutableFile(atPath: binary),
                     "\(binary) missing: run `swift build` (or scripts/test.sh) before the tests")
        let umockdevRun = try #require(TestEnvironment.tool("umockdev-run"))
        let loads = (["host"] + devices).flatMap { ["-d", TestEnvironment.fixture($0)] }
            + scripts.sorted { $0.key < $1.key }.flatMap {
                ["-s", $0.key + "=" + TestEnvironment.fixtures.appendingPathComponent($0.value).path]
            }
        return try await ProcessRunner.run(umockdevRun, loads + ["--", binary] + arguments)
    }

    /// Parses exactly one JSON array of objects from stdout.
    func parseArray(_ result: ProcessRunner.Result) throws -> [[String: Any]] {
        #expect(result.status == 0, "smskit failed: \(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(json as? [[String: Any]], "stdout is not one JSON array: \(result.stdout)")
    }

    func modem(_ modems: [[String: Any]], vendor: String, product: String) -> [String: Any]? {
        modems.first { $0["vendor_id"] as? String == vendor && $0["product_id"] as? String == product }
    }

    @Test("--json names the right AT port for every known family and skips adapters and ignored devices")
    func allFamilies() async throws {
        let modems = try parseArray(try await smskit(["devices", "--json"], devices: Self.allDevices))
        let expected: [(String, String, String)] = [
            ("12d1", "1506", "/dev/ttyUSB1"),   // Huawei E3372: PCUI (ff/02/02) on interface 02
            ("12d1", "1436", "/dev/ttyUSB4"),   // Huawei E173: ff/ff/ff, PCUI on interface 02
            ("2c7c", "0125", "/dev/ttyUSB7"),   // Quectel EC25: interface 02
            ("1e0e", "9001", "/dev/ttyUSB11"),  // SIMCom SIM7600: interface 02
            ("1e2d", "0061", "/dev/ttyACM1"),   // Cinterion PLS8: interface 02 (00 is the PPP port)
            ("1e2d", "0069", "/dev/ttyACM10"),  // Cinterion PLS63: interface 00
            ("19d2", "0117", "/dev/ttyUSB16"),  // ZTE MF190: aux port, interface 01
            ("1546", "110a", "/dev/ttyACM6"),   // u-blox LARA-R2: interface 00 is SMSKIT_IGNOREd
        ]
        #expect(modems.count == expected.count, "got \(modems.map { $0["devnode"] ?? "-" })")
        for (vendor, product, devnode) in expected {
            let found = try #require(modem(modems, vendor: vendor, product: product), "\(vendor):\(product) not listed")
            #expect(found["devnode"] as? String == devnode, "\(vendor):\(product)")
        }
        // PLS63: all four ports are CDC AT by class; its GNSS and DIAG ports must not be command ports.
        let pls63 = try #require(modem(modems, vendor: "1e2d", product: "0069"))
        let pls63Ports = try #require(pls63["ports"] as? [[String: Any]])
        #expect(pls63Ports.map { $0["interface"] as? String } == ["00", "02", "04", "06"])
        #expect(pls63Ports.map { $0["role"] as? String } == ["at", "at", "gps", "diag"])
        #expect(modem(modems, vendor: "0403", product: "6001") == nil, "FTDI adapter must not be a modem")
        #expect(modem(modems, vendor: "1bc7", product: "0021") == nil, "SMSKIT_IGNORE=1 device must be skipped")
        #expect(modem(modems, vendor: "2341", product: "0043") == nil, "Arduino is not a modem")
    }

    @Test("cdc_acm layouts from ModemManager's rules: every port claims CDC AT, the table tells them apart")
    func cdcACMLayouts() async throws {
        let devices = ["sierra-hl7812", "fibocom-l850", "ublox-lisa-u2-alt", "ublox-gnss-m8"]
        let modems = try parseArray(try await smskit(["devices", "--json"], devices: devices))
        #expect(modems.count == 3, "got \(modems.map { $0["devnode"] ?? "-" })")
        let expected: [(String, String, String, [String], [String])] = [
            ("1199", "c001", "/dev/ttyACM14", ["00", "02", "04"], ["at", "ppp", "gps"]),            // Sierra HL7812
            ("2cb7", "0007", "/dev/ttyACM17", ["02", "04", "06"], ["at", "unknown", "at"]),         // Fibocom L850-GL
            ("1546", "1104", "/dev/ttyACM20", ["00", "02", "04", "06"], ["at", "gps", "diag", "unknown"]), // LISA-U2 alt
        ]
        for (vendor, product, devnode, interfaces, roles) in expected {
            let found = try #require(modem(modems, vendor: vendor, product: product), "\(vendor):\(product) not listed")
            #expect(found["devnode"] as? String == devnode, "\(vendor):\(product)")
            let ports = try #require(found["ports"] as? [[String: Any]])
            #expect(ports.map { $0["interface"] as? String } == interfaces, "\(vendor):\(product)")
            #expect(ports.map { $0["role"] as? String } == roles, "\(vendor):\(product)")
        }
        #expect(modem(modems, vendor: "1546", product: "01a8") == nil, "a u-blox GNSS receiver is no modem")
        let all = try parseArray(try await smskit(["devices", "--json", "--all"], devices: ["ublox-gnss-m8"]))
        let gnss = try #require(modem(all, vendor: "1546", product: "01a8"))
        #expect(gnss["kind"] as? String == "unknown")
        #expect((gnss["ports"] as? [[String: Any]])?.map { $0["role"] as? String } == ["gps"])
    }

    @Test("Port list, interface numbers, IDs and null serial have the documented shape")
    func objectShape() async throws {
        let modems = try parseArray(try await smskit(["devices", "--json"], devices: ["huawei-e3372", "quectel-ec25"]))
        let huawei = try #require(modem(modems, vendor: "12d1", product: "1506"))
        #expect(huawei["serial"] is NSNull)
        #expect(huawei["manufacturer"] as? String == "HUAWEI_MOBILE")
        let ports = try #require(huawei["ports"] as? [[String: Any]])
        #expect(ports.map { $0["devnode"] as? String } == ["/dev/ttyUSB0", "/dev/ttyUSB1"])
        #expect(ports.map { $0["interface"] as? String } == ["00", "02"])
        #expect(ports.map { $0["role"] as? String } == ["ppp", "at"])
        let quectel = try #require(modem(modems, vendor: "2c7c", product: "0125"))
        #expect(quectel["serial"] as? String == "EC25TEST0001")
        #expect(quectel["model"] as? String == "EC25")
        let roles = (quectel["ports"] as? [[String: Any]])?.map { $0["role"] as? String }
        #expect(roles == ["diag", "gps", "at", "at"])
    }

    @Test("--all also lists the FTDI adapter and the unknown CDC device, without an AT port")
    func all() async throws {
        let devices = try parseArray(try await smskit(["devices", "--json", "--all"],
                                                devices: ["ftdi-ft232r", "arduino-uno", "quectel-ec25"]))
        #expect(devices.count == 3)
        let ftdi = try #require(modem(devices, vendor: "0403", product: "6001"))
        #expect(ftdi["kind"] as? String == "serial-adapter")
        #expect(ftdi["devnode"] is NSNull)
        #expect(modem(devices, vendor: "2341", product: "0043")?["kind"] as? String == "unknown")
    }

    @Test("--probe finds the AT port of an unknown device (scripted reply); without it the device is not a modem")
    func probe() async throws {
        let scripts = ["/dev/ttyUSB21": "generic-at.script"]
        let plain = try parseArray(try await smskit(["devices", "--json"], devices: ["generic-unknown", "ftdi-ft232r"]))
        #expect(plain.isEmpty)
        let probed = try parseArray(try await smskit(["devices", "--json", "--probe"], devices: ["generic-unknown", "ftdi-ft232r"],
                                               scripts: scripts))
        #expect(probed.count == 1)
        let generic = try #require(modem(probed, vendor: "f00d", product: "0001"))
        #expect(generic["devnode"] as? String == "/dev/ttyUSB21")
        let roles = (generic["ports"] as? [[String: Any]])?.map { $0["role"] as? String }
        #expect(roles == ["unknown", "at"])
    }

    @Test("No devices: an empty JSON array, and the readable table says so")
    func empty() async throws {
        #expect(try parseArray(try await smskit(["devices", "--json"], devices: [])).isEmpty)
        let table = try await smskit(["devices"], devices: ["ftdi-ft232r"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("No USB modems found"))
    }

    @Test("Readable table marks the primary port")
    func table() async throws {
        let result = try await smskit(["devices"], devices: ["simcom-sim7600"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("/dev/ttyUSB11  if 02  at  (primary)"))
        #expect(result.stdout.contains("1e0e:9001"))
    }

    @Test("Hot-plug: added/removed JSON lines, one per modem, adapters never reported",
          .enabled("umockdev GObject bindings missing: apt-get install gir1.2-umockdev-1.0 python3-gi") {
              await TestEnvironment.hasUmockdevBindings()
          })
    func hotPlug() async throws {
        let binary = TestEnvironment.smskit.path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "\(binary) missing: run `swift build`")
        let python = try #require(TestEnvironment.tool("python3"))
        let script = TestEnvironment.fixtures.appendingPathComponent("hotplug.py").path
        let result = try await ProcessRunner.run(python, [script, binary], timeout: 60)
        #expect(result.status == 0, "hotplug.py failed: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        let events = try lines.map { line -> (String, String) in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let modem = try #require(object["modem"] as? [String: Any])
            return (object["event"] as? String ?? "?", modem["devnode"] as? String ?? "-")
        }
        #expect(events.map(\.0) == ["added", "added", "removed", "removed"])
        #expect(events.map(\.1) == ["/dev/ttyUSB7", "/dev/ttyUSB11", "/dev/ttyUSB11", "/dev/ttyUSB7"])
    }

    @Test("--device hands the discovered AT port to the driver: auto, ambiguity, serial number")
    func deviceOptionResolvesThroughDiscovery() async throws {
        let none = try await smskit(["info", "--device", "auto"], devices: ["ftdi-ft232r"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("no USB modem found"), "\(none.stderr)")

        let two = try await smskit(["info", "--device", "auto"], devices: ["quectel-ec25", "huawei-e3372"])
        #expect(two.status != 0)
        #expect(two.stderr.contains("several modems found") && two.stderr.contains("EC25TEST0001"), "\(two.stderr)")

        // The serial picks the Quectel's AT port; the driver then opens exactly that node (umockdev's
        // fake node is no tty, so opening fails, naming the port it was given).
        let bySerial = try await smskit(["info", "--device", "EC25TEST0001"], devices: ["quectel-ec25", "huawei-e3372"])
        #expect(bySerial.status != 0)
        #expect(bySerial.stderr.contains("/dev/ttyUSB7"), "\(bySerial.stderr)")
    }
}
