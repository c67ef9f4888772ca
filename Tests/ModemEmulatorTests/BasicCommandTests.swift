import Foundation
import Testing
@testable import ModemEmulator

@Suite("Basic AT commands over a real PTY")
struct BasicCommandTests {
    @Test("AT answers OK with echo on by default, nothing echoed after ATE0")
    func echo() async throws {
        try await withModems { _, _, clients async throws in
            let client = clients[0]
            #expect(try await client.command("AT") == "AT\r\r\nOK\r\n")
            #expect(try await client.command("ATE0") == "ATE0\r\r\nOK\r\n")
            #expect(try await client.command("AT") == "\r\nOK\r\n")
            #expect(try await client.command("ATE1") == "\r\nOK\r\n")
            #expect(try await client.command("AT") == "AT\r\r\nOK\r\n")
        }
    }

    @Test("Identification commands print manufacturer, model, revision, IMEI, IMSI")
    func identification() async throws {
        try await withModems { _, _, clients async throws in
            let client = clients[0]
            try await client.setUp("ATE0")
            #expect(try await client.command("AT+CGMI") == "\r\nSMSKit\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CGMM") == "\r\nVirtual GSM Modem\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CGMR") == "\r\nSMSKit-EMU 1.0\r\n\r\nOK\r\n")
            let imei = try await client.command("AT+CGSN")
            let digits = imei.filter(\.isNumber)
            #expect(digits.count == 15)
            #expect(VirtualModemIdentity.withLuhn(String(digits.prefix(14))) == digits)
            #expect(try await client.command("AT+CIMI").contains("001010015550001"))
            let info = try await client.command("ATI")
            #expect(info.contains("Manufacturer: SMSKit\r\nModel: Virtual GSM Modem"))
            #expect(try await client.command("AT+CNUM") == "\r\n+CNUM: \"\",\"+15550001\",145\r\n\r\nOK\r\n")
        }
    }

    @Test("ATV0 gives numeric result codes; CMEE selects ERROR, numeric or verbose errors")
    func resultAndErrorModes() async throws {
        try await withModems { _, _, clients async throws in
            let client = clients[0]
            try await client.setUp("ATE0")
            #expect(try await client.command("AT+BOGUS") == "\r\nERROR\r\n")
            try await client.setUp("AT+CMEE=1")
            #expect(try await client.command("AT+BOGUS") == "\r\n+CME ERROR: 4\r\n")
            try await client.setUp("AT+CMEE=2")
            #expect(try await client.command("AT+BOGUS") == "\r\n+CME ERROR: operation not supported\r\n")
            #expect(try await client.command("AT+CMEE?") == "\r\n+CMEE: 2\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CMEE=?") == "\r\n+CMEE: (0-2)\r\n\r\nOK\r\n")
            client.write("ATV0\r")
            #expect(try await client.read(until: "0\r") == "0\r")
            client.write("AT+CSQ\r")
            #expect(try await client.read(until: "0\r") == "+CSQ: 21,99\r\n0\r")
            client.write("AT+CMGR=999\r")
            #expect(try await client.read(until: "\r\n") == "+CMS ERROR: invalid memory index\r\n")
            client.write("ATV1\r")
            #expect(try await client.readFinal() == "\r\nOK\r\n")
            #expect(try await client.command("AT") == "\r\nOK\r\n")
        }
    }

    @Test("Commands joined with ; run in order; an error stops the line")
    func chains() async throws {
        try await withModems { _, _, clients async throws in
            let client = clients[0]
            let reply = try await client.command("ATE0;+CMGF=1;+CSCS=\"UCS2\";+CMGF?;+CSCS?")
            #expect(reply == "ATE0;+CMGF=1;+CSCS=\"UCS2\";+CMGF?;+CSCS?\r\r\n+CMGF: 1\r\n\r\n+CSCS: \"UCS2\"\r\n\r\nOK\r\n")
            #expect(try await client.command("at+cmgf=0;+NOPE;+CMGF=1") == "\r\nERROR\r\n")
            #expect(try await client.command("AT+CMGF?") == "\r\n+CMGF: 0\r\n\r\nOK\r\n")
            #expect(try await client.command("ATE0V1Q0") == "\r\nOK\r\n")
        }
    }

    @Test("Registration, signal and operator queries; CREG URCs when the state changes")
    func registration() async throws {
        try await withModems { _, modems, clients in
            let client = clients[0]
            try await client.setUp("ATE0")
            #expect(try await client.command("AT+CREG?") == "\r\n+CREG: 0,1\r\n\r\nOK\r\n")
            try await client.setUp("AT+CREG=2")
            #expect(try await client.command("AT+CREG?") == "\r\n+CREG: 2,1,\"00A1\",\"1B2C\"\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+COPS?") == "\r\n+COPS: 0,0,\"SMSKit Mobile\",0\r\n\r\nOK\r\n")
            await modems[0].setRegistration(.searching)
            #expect(try await client.read(until: "\r\n+CREG: 2\r\n") == "\r\n+CREG: 2\r\n")
            #expect(try await client.command("AT+CSQ") == "\r\n+CSQ: 99,99\r\n\r\nOK\r\n")
            await modems[0].setRegistration(nil)
            #expect(try await client.read(until: "\"1B2C\"\r\n") == "\r\n+CREG: 1,\"00A1\",\"1B2C\"\r\n")
        }
    }

    @Test("PIN: three wrong tries ask for the PUK; the PUK sets a new PIN")
    func pinAndPUK() async throws {
        try await withModems(pin: "1234") { _, _, clients in
            let client = clients[0]
            try await client.setUp("ATE0", "AT+CMEE=1")
            #expect(try await client.command("AT+CPIN?") == "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CIMI") == "\r\n+CME ERROR: 11\r\n")
            #expect(try await client.command("AT+CPMS?") == "\r\n+CMS ERROR: 311\r\n")
            #expect(try await client.command("AT+CREG?") == "\r\n+CREG: 0,0\r\n\r\nOK\r\n")
            for _ in 0..<3 { #expect(try await client.command("AT+CPIN=\"0000\"") == "\r\n+CME ERROR: 16\r\n") }
            #expect(try await client.command("AT+CPIN?") == "\r\n+CPIN: SIM PUK\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CPIN=\"1234\"") == "\r\n+CME ERROR: 12\r\n")
            #expect(try await client.command("AT+CPIN=\"00000000\",\"4321\"") == "\r\n+CME ERROR: 16\r\n")
            #expect(try await client.command("AT+CPINR") == "\r\n+CPINR: SIM PIN,0,3\r\n+CPINR: SIM PUK,9,10\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CPIN=\"12345678\",\"4321\"") == "\r\nOK\r\n")
            #expect(try await client.command("AT+CPIN?") == "\r\n+CPIN: READY\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CREG?") == "\r\n+CREG: 0,1\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CFUN=1,1") == "\r\nOK\r\n")
            try await client.setUp("ATE0")
            #expect(try await client.command("AT+CPIN?") == "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CPIN=\"4321\"") == "\r\nOK\r\n")
        }
    }

    @Test("Test forms and harmless extras are accepted")
    func testFormsAndExtras() async throws {
        try await withModems { _, _, clients async throws in
            let client = clients[0]
            try await client.setUp("ATE0", "AT+CLIP=1", "AT+CRC=1", "AT+CVHU=0", "ATS0=0", "AT&C1", "AT&D2", "ATZ", "ATE0")
            #expect(try await client.command("AT+CGATT?") == "\r\n+CGATT: 1\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CNMI=?") == "\r\n+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)\r\n\r\nOK\r\n")
            let clac = try await client.command("AT+CLAC")
            #expect(clac.contains("AT+CMGS\r\n"))
            #expect(try await client.command("AT+CSCS=?") == "\r\n+CSCS: (\"GSM\",\"UCS2\",\"IRA\",\"HEX\")\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CPMS=?") == "\r\n+CPMS: (\"SM\",\"ME\",\"MT\",\"SR\"),(\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\",\"MT\")\r\n\r\nOK\r\n")
            #expect(try await client.command("AT+CSCA?") == "\r\n+CSCA: \"+15550000\",145\r\n\r\nOK\r\n")
        }
    }
}
