import Testing
@testable import ModemDiscovery

@Suite("Resolving --device auto / serial / path")
struct DeviceResolutionTests {
    let ec25 = ModemAssembler.assemble(["00", "02"].map { port("2c7c", "0125", $0, vendorSpecific, usb: "/u/1-3", serial: "EC25SN") })
    let sim = ModemAssembler.assemble(["02"].map { port("1e0e", "9001", $0, vendorSpecific, node: "/dev/ttyUSB9", usb: "/u/1-4") })

    @Test("auto picks the only modem")
    func autoSingle() throws {
        #expect(try ModemDiscovery.resolve(device: "auto", among: ec25) == "/dev/ttyUSB2")
    }

    @Test("auto with none or several modems is an error naming the choices")
    func autoErrors() {
        #expect(throws: DiscoveryError.noModemFound) { try ModemDiscovery.resolve(device: "auto", among: []) }
        #expect(throws: DiscoveryError.ambiguous(["EC25SN", "usb-1-4"])) {
            try ModemDiscovery.resolve(device: "auto", among: ec25 + sim)
        }
    }

    @Test("A serial number or id selects that modem; paths pass through")
    func serialAndPath() throws {
        #expect(try ModemDiscovery.resolve(device: "EC25SN", among: ec25 + sim) == "/dev/ttyUSB2")
        #expect(try ModemDiscovery.resolve(device: "usb-1-4", among: ec25 + sim) == "/dev/ttyUSB9")
        #expect(try ModemDiscovery.resolve(device: "/dev/smskit/x-at", among: []) == "/dev/smskit/x-at")
        #expect(throws: DiscoveryError.unknownDevice("nope")) { try ModemDiscovery.resolve(device: "nope", among: ec25) }
    }

    @Test("A modem without AT port cannot be resolved")
    func noATPort() {
        let gpsOnly = ModemAssembler.assemble([port("1e2d", "0053", "01", vendorSpecific, usb: "/u/1-5")])
        #expect(throws: DiscoveryError.noATPort("usb-1-5")) { try ModemDiscovery.resolve(device: "auto", among: gpsOnly) }
    }

    @Test("Error messages say what to do")
    func messages() {
        #expect(DiscoveryError.noModemFound.description.contains("--device"))
        #expect(DiscoveryError.ambiguous(["a", "b"]).description.contains("a, b"))
    }
}
