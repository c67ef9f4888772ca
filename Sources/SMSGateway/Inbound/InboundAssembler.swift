import Foundation
import SMSPDU

/// Joins stored parts (TPDU hex, in sequence order) into text or bytes with SMSPDU's joins, which
/// restore a character another sender split across two UCS-2 parts. Pure; both backends use it.
enum InboundAssembler {
    struct Assembled: Equatable {
        var text: String?
        var dataHex: String?
        var ports: Ports?
    }

    /// `parts` are (sequence, TPDU hex without the SMSC field).
    static func assemble(_ parts: [(seq: Int, tpdu: String)]) -> Assembled {
        var userData: [UserData] = []
        var ports: Ports?
        for part in parts.sorted(by: { $0.seq < $1.seq }) {
            guard let pdu = try? PDU(hex: "00" + part.tpdu), case .deliver(let d) = pdu.tpdu else { continue }
            if ports == nil, let p = d.userData.header?.ports { ports = Ports(dst: Int(p.destination), src: Int(p.source)) }
            userData.append(d.userData)
        }
        if let bytes = UserData.joinedBytes(userData), !userData.isEmpty {
            return Assembled(text: nil, dataHex: Hex.encode(bytes), ports: ports)
        }
        if let text = UserData.joinedText(userData) { return Assembled(text: text, dataHex: nil, ports: ports) }
        // Mixed text and data parts: show the text of each, data as hex.
        let mixed = userData.map { $0.text ?? Hex.encode($0.bytes ?? []) }.joined()
        return Assembled(text: mixed, dataHex: nil, ports: ports)
    }
}
