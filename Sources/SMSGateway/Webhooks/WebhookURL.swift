import Foundation

/// Checks a receiver URL: absolute `http` or `https`, with a host, no credentials, no fragment,
/// at most 2048 bytes. Everything else is a 422 naming the field.
public enum WebhookURL {
    public static func validate(_ raw: String, field: String) throws(GatewayError) -> String {
        guard !raw.isEmpty, raw.utf8.count <= 2048 else {
            throw .invalidField(field: field, detail: "must be an http(s) URL of at most 2048 bytes")
        }
        guard let components = URLComponents(string: raw), let scheme = components.scheme?.lowercased() else {
            throw .invalidField(field: field, detail: "is not a URL: \(String(raw.prefix(80)).debugDescription)")
        }
        guard scheme == "http" || scheme == "https" else {
            throw .invalidField(field: field, detail: "must use http or https, not \(scheme)")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidField(field: field, detail: "has no host") }
        guard components.user == nil, components.password == nil else {
            throw .invalidField(field: field, detail: "must not carry credentials; sign deliveries with the secret instead")
        }
        guard components.fragment == nil else { throw .invalidField(field: field, detail: "must not have a #fragment") }
        if let port = components.port, !(1...65535).contains(port) { throw .invalidField(field: field, detail: "has a bad port") }
        return raw
    }

    /// `scheme://host:port` of a URL: the receiver key of per-message callbacks, so one dead host
    /// holds up only its own deliveries.
    public static func origin(_ raw: String) -> String {
        guard let c = URLComponents(string: raw), let scheme = c.scheme?.lowercased(), let host = c.host?.lowercased() else {
            return raw
        }
        let port = c.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }
}
