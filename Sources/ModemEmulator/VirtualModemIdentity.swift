/// Identification strings of a virtual modem, derived from its number so they are stable across runs.
struct VirtualModemIdentity: Sendable {
    let manufacturer = "SMSKit"
    let model = "Virtual GSM Modem"
    let revision = "SMSKit-EMU 1.0"
    let imei: String
    let imsi: String
    let iccid: String

    init(number: String) {
        let digits = number.filter(\.isNumber)
        let tail = String(repeating: "0", count: max(0, 10 - digits.count)) + digits.suffix(10)
        imei = VirtualModemIdentity.withLuhn("35" + "4321" + String(tail.suffix(8)))
        imsi = "00101" + tail
        iccid = VirtualModemIdentity.withLuhn("8901" + "0101" + tail)
    }

    /// Appends the Luhn check digit (IMEI and ICCID carry one).
    static func withLuhn(_ digits: String) -> String {
        var sum = 0
        for (offset, character) in digits.reversed().enumerated() {
            var value = character.wholeNumberValue ?? 0
            if offset % 2 == 0 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return digits + String((10 - sum % 10) % 10)
    }
}
