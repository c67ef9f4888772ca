/// The message status that follows from its parts' statuses (pure; both store backends use it).
///
/// - any part `failed` → `failed`; any `undelivered` → `undelivered`; all `delivered` → `delivered`;
/// - any part still `pending`/`sending` → unchanged (`queued`/`sending`);
/// - otherwise any `unknown` → `unknown`, else `sent`.
/// `canceled` and `expired` are kept. A multipart message is `delivered` only when every part is.
enum MessageStatusRule {
    static func derive(current: MessageStatus, parts: [PartStatus]) -> MessageStatus {
        if current == .canceled || current == .expired { return current }
        if parts.contains(.failed) { return .failed }
        if parts.contains(.undelivered) { return .undelivered }
        if !parts.isEmpty, parts.allSatisfy({ $0 == .delivered }) { return .delivered }
        if parts.contains(where: { $0 == .pending || $0 == .sending }) { return current }
        if parts.contains(.unknown) { return .unknown }
        return .sent
    }

    /// The last 9 digits of a number (international and national forms of one number match).
    static func recipientKey(_ number: String) -> String {
        let digits = number.filter { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? number : String(digits.suffix(9))
    }
}
