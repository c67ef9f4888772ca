import Foundation

/// Seeded fault injection settings for the virtual network and its modems. All probabilities are 0...1.
///
/// Parse the CLI form with ``Faults/init(parsing:)``:
/// `try Faults(parsing: "loss=0.1,dup=0.05,reorder=0.1,delay=200ms-2s")`.
public struct Faults: Sendable, Equatable {
    /// Probability that the SMSC silently drops a submitted message (`+CMGS` still succeeds, no status report).
    public var loss: Double = 0
    /// Probability that a message is delivered twice.
    public var duplication: Double = 0
    /// Probability that a message is held back and delivered after the next one to the same number.
    public var reordering: Double = 0
    /// Delivery delay range (uniform); `nil` delivers at once.
    public var delay: ClosedRange<Duration>? = nil
    /// Probability that one byte of a delivered message's user data is flipped.
    public var corruption: Double = 0
    /// Probability that the SMSC rejects a submit with a network `+CMS ERROR` (38, 41, 42 or 47).
    public var smscError: Double = 0
    /// Probability that a command's final result is delayed by ``slowDelay``.
    public var slowReplies: Double = 0
    /// Range of the delay added to slow replies.
    public var slowDelay: ClosedRange<Duration> = .milliseconds(500) ... .seconds(2)
    /// Probability that an unsolicited result code is printed between a command's response and its final result.
    public var urcInterleave: Double = 0
    /// Probability that a vendor noise line (`^RSSI:`, `^BOOT:`, `^MODE:`) follows a command's final result.
    public var noise: Double = 0
    /// When true, modems never register with the network (`+CREG: 0,0`, sends fail with `+CMS ERROR: 331`).
    public var notRegistered: Bool = false
    /// Time between automatic unplugs of each modem (uniform); `nil` never unplugs by itself.
    public var unplugEvery: ClosedRange<Duration>? = nil
    /// How long an automatically unplugged modem stays away.
    public var unplugFor: ClosedRange<Duration> = .seconds(2) ... .seconds(5)

    /// No faults.
    public init() {}

    /// True when no fault is configured.
    public var isEmpty: Bool { self == Faults() }

    /// Parses `key=value` pairs separated by commas, e.g. `loss=0.1,delay=200ms-2s,noise=0.2,noreg`.
    ///
    /// Keys: `loss`, `dup`, `reorder`, `delay`, `corrupt`, `smsc-error`, `slow`, `slow-delay`, `urc`, `noise`,
    /// `noreg`, `unplug`, `unplug-for`. Durations take `ms`, `s` or `m`; ranges are `A-B`.
    public init(parsing text: String) throws(EmulatorError) {
        self.init()
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            let key = parts[0].lowercased()
            let value = parts.count > 1 ? parts[1] : nil
            func probability() throws(EmulatorError) -> Double {
                guard let value, let p = Double(value), p >= 0, p <= 1 else {
                    throw EmulatorError.invalidFaults("\(key) needs a probability between 0 and 1, got \(value ?? "nothing")")
                }
                return p
            }
            func range() throws(EmulatorError) -> ClosedRange<Duration> {
                guard let value else { throw EmulatorError.invalidFaults("\(key) needs a duration or range like 200ms-2s") }
                return try Faults.parseRange(value, key: key)
            }
            switch key {
            case "loss": loss = try probability()
            case "dup", "duplicate", "duplication": duplication = try probability()
            case "reorder": reordering = try probability()
            case "delay": delay = try range()
            case "corrupt", "corruption": corruption = try probability()
            case "smsc-error", "smsc": smscError = try probability()
            case "slow": slowReplies = try probability()
            case "slow-delay": slowDelay = try range()
            case "urc": urcInterleave = try probability()
            case "noise": noise = try probability()
            case "noreg":
                notRegistered = value.map { ["1", "true", "yes"].contains($0.lowercased()) } ?? true
            case "unplug": unplugEvery = try range()
            case "unplug-for": unplugFor = try range()
            default:
                throw EmulatorError.invalidFaults("unknown fault \"\(key)\"; known: loss, dup, reorder, delay, corrupt, smsc-error, slow, slow-delay, urc, noise, noreg, unplug, unplug-for")
            }
        }
    }

    /// Parses `200ms`, `2s`, `1m` or a range `200ms-2s`.
    static func parseRange(_ text: String, key: String) throws(EmulatorError) -> ClosedRange<Duration> {
        let bounds = text.split(separator: "-", maxSplits: 1).map(String.init)
        guard let first = bounds.first, let low = parseDuration(first) else {
            throw EmulatorError.invalidFaults("\(key): cannot read duration \"\(text)\" (use e.g. 200ms, 2s or 200ms-2s)")
        }
        if bounds.count == 1 { return low ... low }
        guard let high = parseDuration(bounds[1]), high >= low else {
            throw EmulatorError.invalidFaults("\(key): cannot read range \"\(text)\" (use e.g. 200ms-2s, low ≤ high)")
        }
        return low ... high
    }

    /// Parses one duration: a number followed by `ms`, `s` or `m` (bare numbers are milliseconds).
    static func parseDuration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count)), number >= 0, number < 1e9 else { return nil }
            return .milliseconds(Int64(number * factor))
        }
        guard let number = Double(trimmed), number >= 0, number < 1e12 else { return nil }
        return .milliseconds(Int64(number))
    }
}
