import Hummingbird

/// Typed access to a request's query string. An empty value (`?after=`) counts as absent; a value
/// that does not parse is a 422 ``GatewayError/invalidField(field:detail:)`` naming the parameter.
struct QueryParameters: Sendable {
    private let values: Parameters

    init(_ request: Request) { self.values = request.uri.queryParameters }

    /// The first value of `name`, nil when absent or empty.
    func string(_ name: String) -> String? {
        guard let value = values.get(name), !value.isEmpty else { return nil }
        return value
    }

    /// A string of at most `maxLength` characters.
    func string(_ name: String, maxLength: Int) throws(GatewayError) -> String? {
        guard let value = string(name) else { return nil }
        guard value.count <= maxLength else { throw .invalidField(field: name, detail: "must be at most \(maxLength) characters") }
        return value
    }

    /// An integer in `range`, or `defaultValue` when absent.
    func integer(_ name: String, in range: ClosedRange<Int64>, default defaultValue: Int64) throws(GatewayError) -> Int64 {
        guard let raw = string(name) else { return defaultValue }
        guard let value = Int64(raw), range.contains(value) else {
            let upper = range.upperBound == .max ? "" : " … \(range.upperBound)"
            throw .invalidField(field: name, detail: "must be an integer \(range.lowerBound)\(upper), got \(raw.prefix(40).debugDescription)")
        }
        return value
    }

    /// A page size: 1 … `maximum`, `defaultValue` when absent.
    func limit(maximum: Int, default defaultValue: Int) throws(GatewayError) -> Int {
        let maximum = max(1, maximum)
        return Int(try integer("limit", in: 1...Int64(maximum), default: Int64(min(max(1, defaultValue), maximum))))
    }

    /// A value of a `String` raw-value enum, nil when absent.
    func value<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws(GatewayError) -> T?
    where T.RawValue == String {
        guard let raw = string(name) else { return nil }
        guard let value = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidField(field: name, detail: "must be one of \(allowed), got \(raw.prefix(40).debugDescription)")
        }
        return value
    }

    /// A non-negative number of seconds (`wait=2.5`) no longer than `cap`, nil when absent.
    func seconds(_ name: String, cappedAt cap: Duration) throws(GatewayError) -> Duration? {
        guard let raw = string(name) else { return nil }
        guard let value = Double(raw), value.isFinite, value >= 0 else {
            throw .invalidField(field: name, detail: "must be a number of seconds ≥ 0, got \(raw.prefix(40).debugDescription)")
        }
        let capSeconds = Double(cap.components.seconds) + Double(cap.components.attoseconds) / 1e18
        return value >= capSeconds ? cap : .milliseconds(Int64((value * 1000).rounded()))
    }
}
