import Yams

extension GatewayConfigFile {
    /// The keys the file format knows, by section (`""` is the top level, `modems[]` each modem
    /// entry), taken from the decoders' own coding keys so the two cannot drift apart.
    static var knownKeys: [String: Set<String>] {
        [
            "": Set(CodingKeys.allCases.map(\.rawValue)),
            "retry": Set(Retry.CodingKeys.allCases.map(\.rawValue)),
            "modems[]": Set(ModemEntry.CodingKeys.allCases.map(\.rawValue)),
            "webhooks": Set(WebhookSettingsFile.CodingKeys.allCases.map(\.rawValue)),
            "kannel": Set(KannelSettings.CodingKeys.allCases.map(\.rawValue)),
            "kannel.users[]": Set(KannelSettings.User.CodingKeys.allCases.map(\.rawValue)),
            "kannel.services[]": Set(KannelSettings.Service.CodingKeys.allCases.map(\.rawValue)),
        ]
    }

    /// Keys in a config file's YAML that no setting reads (a typo such as `tls_certificate:`
    /// would otherwise be ignored silently), as dotted paths: `webhooks.timout`, `modems[1].rate`.
    /// `smskit gateway check-config` refuses them; the gateway warns about them at start.
    /// - Returns: Empty when every key is known, or when the text is not YAML (``load(path:)`` reports that).
    public static func unknownKeys(inYAML text: String) -> [String] {
        guard let root = try? Yams.compose(yaml: text) else { return [] }
        var unknown: [String] = []
        func visit(_ node: Node, section: String, path: String) {
            guard let mapping = node.mapping else { return }
            let known = knownKeys[section] ?? []
            for (keyNode, value) in mapping {
                guard let key = keyNode.string else { continue }
                let here = path.isEmpty ? key : path + "." + key
                guard known.contains(key) else { unknown.append(here); continue }
                let child = section.isEmpty ? key : section + "." + key
                if let items = value.sequence {
                    for (i, item) in items.enumerated() { visit(item, section: child + "[]", path: here + "[\(i)]") }
                } else if knownKeys[child] != nil {
                    visit(value, section: child, path: here)
                }
            }
        }
        visit(root, section: "", path: "")
        return unknown
    }
}
