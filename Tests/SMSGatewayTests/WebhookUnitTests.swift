import Foundation
import SMSKitTestSupport
import ModemEmulator
import SMSPDU
import Testing
@testable import SMSGateway

@Suite("Webhooks: signing, secrets, backoff, URLs")
struct WebhookUnitTests {
    /// RFC 4231 §4.2 and §4.3 (HMAC-SHA-256 test cases 1 and 2).
    @Test func hmacMatchesRFC4231() {
        let one = WebhookSignature.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
        #expect(Hex.encode(one).lowercased() == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let two = WebhookSignature.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(two).lowercased() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // RFC 4231 §4.7 (test case 6): a key longer than the block size is hashed first.
        let six = WebhookSignature.hmacSHA256(key: [UInt8](repeating: 0xaa, count: 131),
                                              message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        #expect(Hex.encode(six).lowercased() == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func signatureHeaderIsStripeShapedAndVerifies() throws {
        let secret = Array("whsec_test_secret_0123456789".utf8)
        let body = Array(#"{"id":"evt_1","type":"message.status"}"#.utf8)
        let header = WebhookSignature.sign(body: body, secret: secret, timestamp: 1_800_000_000)
        #expect(header.hasPrefix("t=1800000000,v1="))
        let mac = try #require(header.split(separator: "=").last)
        let expected = WebhookSignature.hmacSHA256(key: secret, message: Array("1800000000.".utf8) + body)
        #expect(String(mac) == Hex.encode(expected).lowercased())
        #expect(WebhookSignature.verify(header: header, body: body, secret: secret))
        #expect(WebhookSignature.verify(header: header, body: body, secret: secret, now: Date(timeIntervalSince1970: 1_800_000_100)))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: secret, now: Date(timeIntervalSince1970: 1_800_001_000)))
        #expect(!WebhookSignature.verify(header: header, body: body + [0x20], secret: secret))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: Array("other".utf8)))
        #expect(!WebhookSignature.verify(header: "t=1800000000", body: body, secret: secret))
        #expect(WebhookSignature.generateSecret().count == 6 + 64)
    }

    @Test func secretBoxSealsAndTheKeyFileIsPrivate() throws {
        let dir = try TempDir("secretbox")
        defer { dir.remove() }
        let path = dir.path + "/webhook.key"
        let box = try SecretBox.loadOrCreate(path: path)
        let sealed = box.seal(Array("whsec_abc".utf8))
        #expect(!sealed.isEmpty && !String(decoding: sealed, as: UTF8.self).contains("whsec_abc"))
        #expect(box.open(sealed) == Array("whsec_abc".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let again = try SecretBox.loadOrCreate(path: path)
        #expect(again.open(sealed) == Array("whsec_abc".utf8))
        #expect(SecretBox.ephemeral().open(sealed) == nil)
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        #expect(box.open(tampered) == nil)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: GatewayError.self) { try SecretBox.loadOrCreate(path: path) }
    }

    /// Hosts sharing one data directory (PostgreSQL) may start at once: all get the same key.
    @Test func processesCreatingTheKeyAtOnceAllGetTheSameOne() async throws {
        let dir = try TempDir("secretbox-race")
        defer { dir.remove() }
        let path = dir.path + "/webhook.key"
        let boxes = try await withThrowingTaskGroup(of: SecretBox.self) { group in
            for _ in 0..<8 { group.addTask { try SecretBox.loadOrCreate(path: path) } }
            return try await group.reduce(into: [SecretBox]()) { $0.append($1) }
        }
        let sealed = boxes[0].seal(Array("whsec_race".utf8))
        #expect(boxes.allSatisfy { $0.open(sealed) == Array("whsec_race".utf8) })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["webhook.key"])  // no temporary left
    }

    @Test func backoffDoublesWithJitterUpToTheCapThenGivesUp() {
        let backoff = WebhookBackoff(base: 1, cap: 60, giveUpAfter: 3600)
        #expect(backoff.delay(afterAttempts: 1, unit: 0) == 0.5)
        #expect(backoff.delay(afterAttempts: 1, unit: 1) == 1)
        #expect(backoff.delay(afterAttempts: 4, unit: 0) == 4)
        #expect(backoff.delay(afterAttempts: 4, unit: 0.5) == 6)
        #expect(backoff.delay(afterAttempts: 30, unit: 1) == 60)
        #expect(backoff.delay(afterAttempts: 30, unit: 0) == 30)
        var rng = SeededGenerator(seed: 7)
        let created = Date(timeIntervalSince1970: 1_000_000)
        var previous = 0.0
        for attempt in 1...6 {
            guard case .retry(let next) = backoff.outcome(afterAttempts: attempt, createdAt: created, now: created, random: &rng) else {
                Issue.record("attempt \(attempt) gave up"); return
            }
            let delay = next.timeIntervalSince(created)
            let full = min(60, pow(2, Double(attempt - 1)))
            #expect(delay >= full / 2 && delay <= full)
            #expect(delay >= previous / 2)
            previous = delay
        }
        #expect(backoff.outcome(afterAttempts: 9, createdAt: created, now: created.addingTimeInterval(3600), random: &rng) == .gaveUp)
        // Seeded jitter repeats.
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        #expect(backoff.outcome(afterAttempts: 3, createdAt: created, now: created, random: &a)
                == backoff.outcome(afterAttempts: 3, createdAt: created, now: created, random: &b))
    }

    @Test(arguments: [
        ("ftp://example.com/hook", "http or https"), ("example.com/hook", "not a URL"), ("https://", "no host"),
        ("https://user:pw@example.com/", "credentials"), ("https://example.com/#x", "fragment"), ("", "2048 bytes"),
        ("javascript:alert(1)", "http or https"),
    ])
    func badURLsAreRefusedWithTheField(url: String, reason: String) {
        #expect {
            try WebhookURL.validate(url, field: "url")
        } throws: { error in
            guard let e = error as? GatewayError, case .invalidField(let field, let detail) = e else { return false }
            return field == "url" && detail.contains(reason) && e.httpStatus == 422
        }
    }

    @Test func goodURLsPassAndGroupByOrigin() throws {
        #expect(try WebhookURL.validate("https://hooks.example.com/sms?x=1", field: "url") == "https://hooks.example.com/sms?x=1")
        #expect(try WebhookURL.validate("http://127.0.0.1:8081/h", field: "url") == "http://127.0.0.1:8081/h")
        #expect(WebhookURL.origin("http://127.0.0.1:8081/a?b") == "http://127.0.0.1:8081")
        #expect(WebhookURL.origin("https://Example.com/x") == "https://example.com:443")
    }
}

@Suite("Kannel: escapes, sendsms arguments, DLR values")
struct KannelUnitTests {
    @Test func everyEscapeExpandsAsKannelDoes() {
        var v = KannelEscapeValues()
        v.text = Array("hello  big *world".utf8)
        v.phone = "0041791234567"
        v.gateway = "+15550001"
        v.time = Date(timeIntervalSince1970: 1_764_650_000) // 2025-12-02 04:33:20 UTC
        v.smscID = "imei-1"
        v.messageID = "msg_01"
        v.dlr = 1
        v.dlrURL = "http://a/b?c=%d"
        v.foreignID = "42"
        v.service = "app user"
        v.coding = 2
        v.udh = [0x06, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0]
        v.mclass = 1
        let out = KannelEscapes.expand("k=%k&s=%s&S=%S&r=%r&a=%a&b=%b&A=%A&t=%t&T=%T&p=%p&P=%P&q=%q&Q=%Q&i=%i&I=%I&d=%d&R=%R&F=%F&n=%n&c=%c&C=%C&u=%u&m=%m&M=%M&x=%x&pc=%%", v)
        #expect(out == "k=hello&s=big&S=~world&r=&a=hello+big+*world&b=hello++big+*world&A=hello++big+*world"
                + "&t=2025-12-02+04:33:20&T=1764650000&p=0041791234567&P=%2B15550001&q=%2B41791234567&Q=%2B15550001"
                + "&i=imei-1&I=msg_01&d=1&R=http%3A%2F%2Fa%2Fb%3Fc%3D%25d&F=42&n=app+user&c=2&C=UTF-16BE"
                + "&u=%06%05%04%0B%84%23%F0&m=1&M=-1&x=%x&pc=%")
        // %r after one %s: the words not yet used.
        #expect(KannelEscapes.expand("%s/%r", v) == "big/*world")
        #expect(KannelEscapes.expand("trailing %", v) == "trailing %")
    }

    @Test func cgiArgumentsDecodePlusAndPercent() throws {
        let args = KannelSendSMS.arguments("username=app&password=smsk_1&to=%2B1999000001+%2B1999000002&text=hi+there%21&dlr-mask=31&dlr-url=http%3A%2F%2Fh%2Fd%3Fs%3D%25d")
        let r = try KannelSendSMS(arguments: args)
        #expect(r.to == ["+1999000001", "+1999000002"])
        #expect(String(decoding: r.text, as: UTF8.self) == "hi there!")
        #expect(r.dlrMask == 31 && r.dlrURL == "http://h/d?s=%d" && r.username == "app" && r.password == "smsk_1")
        #expect(try r.content().text == "hi there!")
    }

    @Test func refusalsCarryKannelsTexts() {
        func refusal(_ query: String) -> KannelSendSMS.Refusal? {
            do { _ = try KannelSendSMS(arguments: KannelSendSMS.arguments(query)); return nil } catch { return error }
        }
        #expect(refusal("text=x") == .init(400, "Missing receiver number, rejected"))
        #expect(refusal("to=&text=x") == .init(400, "Empty receiver number not allowed, rejected"))
        #expect(refusal("to=1&dlr-mask=x") == .init(400, "DLR-Mask field misformed, rejected"))
        #expect(refusal("to=1&dlr-mask=64") == .init(400, "DLR-Mask field misformed, rejected"))
        #expect(refusal("to=1&coding=3") == .init(400, "Coding field misformed, rejected"))
        #expect(refusal("to=1&mclass=9") == .init(400, "MClass field misformed, rejected"))
        #expect(refusal("to=1&priority=5") == .init(400, "Priority field misformed, rejected"))
        #expect(refusal("to=1&dlr-url=ftp%3A%2F%2Fx") == .init(400, "DLR-URL field misformed, rejected"))
        #expect(refusal("to=1&udh=%05%00") == .init(400, "UDH field misformed, rejected"))
        #expect(refusal("to=1&text=x") == nil)
    }

    @Test func codingsAndCharsetsAndPorts() throws {
        let ucs2 = try KannelSendSMS(arguments: KannelSendSMS.arguments("to=1&coding=2&text=%00h%00%E9"))
        #expect(try ucs2.content().text == "hé")
        let latin = try KannelSendSMS(arguments: KannelSendSMS.arguments("to=1&charset=ISO-8859-1&text=caf%E9"))
        #expect(try latin.content().text == "café")
        let binary = try KannelSendSMS(arguments: KannelSendSMS.arguments("to=1&coding=1&text=%01%02%FF&udh=%06%05%04%0B%84%23%F0"))
        #expect(try binary.content().data == [1, 2, 255])
        #expect(try binary.ports() == Ports(dst: 0x0B84, src: 0x23F0))
        let bad = try KannelSendSMS(arguments: KannelSendSMS.arguments("to=1&text=%FF%FE"))
        #expect(throws: KannelSendSMS.Refusal.self) { try bad.content() }
    }

    @Test func dlrValuesGiveOneFinalPerMessage() {
        #expect(KannelDLR.value(for: .delivered, errorCode: nil) == 1)
        #expect(KannelDLR.value(for: .undelivered, errorCode: nil) == 2)
        #expect(KannelDLR.value(for: .expired, errorCode: "expired") == 2)
        #expect(KannelDLR.value(for: .failed, errorCode: "smsc_rejected") == 16)
        #expect(KannelDLR.value(for: .sent, errorCode: nil) == 8)
        #expect(KannelDLR.value(for: .queued, errorCode: nil) == nil)
        #expect(KannelDLR.value(for: .unknown, errorCode: nil) == nil)
        #expect(KannelDLR.finalBits == 19)
    }
}
