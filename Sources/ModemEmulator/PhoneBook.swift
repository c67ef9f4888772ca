import Foundation

/// The network's virtual phones and the number rules that make them: explicit phones, phone prefixes
/// (a phone is created on first use of a matching number) and rejecting prefixes.
struct PhoneBook: Sendable {
    private var phones: [String: VirtualPhone] = [:]
    private var order: [String] = []
    /// Numbers starting with one of these are phones (created on first use).
    private(set) var phonePrefixes: [String] = []
    /// Numbers starting with one of these refuse every message (status report TP-ST 0x41).
    private(set) var rejectPrefixes: [String] = []
    private let logLimit: Int?

    init(logLimit: Int?) { self.logLimit = logLimit }

    /// All phones in the order they were created.
    var all: [VirtualPhone] { order.compactMap { phones[$0] } }

    /// The phone with `number`, if it exists.
    subscript(number: String) -> VirtualPhone? { phones[number] }

    /// True when a phone with `number` exists.
    func contains(_ number: String) -> Bool { phones[number] != nil }

    /// True when `number` matches a rejecting prefix.
    func rejects(_ number: String) -> Bool { rejectPrefixes.contains { number.hasPrefix($0) } }

    /// True when `number` is a phone, creating it when it matches a phone prefix.
    mutating func resolve(_ number: String) -> Bool {
        if phones[number] != nil { return true }
        guard phonePrefixes.contains(where: { number.hasPrefix($0) }) else { return false }
        add(number)
        return true
    }

    /// Adds a phone (no-op when it exists) and returns it.
    @discardableResult
    mutating func add(_ number: String) -> VirtualPhone {
        if let phone = phones[number] { return phone }
        let phone = VirtualPhone(number: number, logLimit: logLimit)
        phones[number] = phone
        order.append(number)
        return phone
    }

    /// Changes the phone with `number` in place.
    @discardableResult
    mutating func update<T>(_ number: String, _ body: (inout VirtualPhone) -> T) -> T? {
        guard var phone = phones.removeValue(forKey: number) else { return nil }
        defer { phones[number] = phone }  // taken out meanwhile, so the logs are not copied on write
        return body(&phone)
    }

    /// Sets the phone prefixes after checking them.
    mutating func setPhonePrefixes(_ prefixes: [String]) throws(EmulatorError) {
        phonePrefixes = try prefixes.map(Self.checkedPrefix)
    }

    /// Sets the rejecting prefixes after checking them.
    mutating func setRejectPrefixes(_ prefixes: [String]) throws(EmulatorError) {
        rejectPrefixes = try prefixes.map(Self.checkedPrefix)
    }

    /// A prefix is an optional `+` and digits, not empty.
    static func checkedPrefix(_ prefix: String) throws(EmulatorError) -> String {
        let trimmed = prefix.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
        guard !trimmed.isEmpty, digits.count <= 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidPrefix(prefix)
        }
        return trimmed
    }
}
