import Foundation
import ModemEmulator

/// `smskit gateway --emulate N`: N virtual modems (`+15550001`…) on PTYs in this process, driven by
/// the gateway through the real driver like USB modems, and virtual phones on the same network:
/// any number starting with `+1999` is a phone that receives, reports delivery, and can reply.
public final class EmulatedModems: PhoneNetwork {
    public let network: VirtualNetwork
    /// The modems' PTY paths and numbers, in order.
    public let modems: [(number: String, port: String)]

    /// Starts the network and its modems.
    /// - Parameters:
    ///   - count: how many virtual modems (numbers `+1555000<first>`, …).
    ///   - first: the index of the first modem (`+15550001` is 1): gateways sharing one database give
    ///     theirs different ranges, so the modems (ids and numbers) are distinct.
    ///   - faults: the network's seeded faults.
    ///   - seed: the seed of every fault decision.
    ///   - phonePrefixes: numbers starting with these are virtual phones, created on first use.
    ///   - rejectPrefixes: numbers starting with these refuse messages (status report TP-ST 0x41).
    public static func start(count: Int, first: Int = 1, faults: Faults = Faults(), seed: UInt64 = 0,
                             phonePrefixes: [String] = ["+1999"], rejectPrefixes: [String] = ["+1998"]) async throws -> EmulatedModems {
        var config = NetworkConfiguration()
        config.logLimit = 64
        let network = VirtualNetwork(seed: seed, faults: faults, configuration: config)
        try await network.setPhonePrefixes(phonePrefixes)
        try await network.setRejectPrefixes(rejectPrefixes)
        var modems: [(String, String)] = []
        for i in max(1, first)..<(max(1, first) + max(1, count)) {
            let number = "+1555" + String(format: "%04d", i)
            var mc = ModemConfiguration(number: number)
            mc.logLimit = 16
            let modem = try await network.addModem(mc)
            modems.append((number, await modem.portPath ?? ""))
        }
        return EmulatedModems(network: network, modems: modems)
    }

    init(network: VirtualNetwork, modems: [(number: String, port: String)]) {
        self.network = network
        self.modems = modems
    }

    public func phoneSend(from: String, to: String, text: String) async throws {
        guard modems.contains(where: { $0.number == to }) else { throw GatewayError.notFound(kind: "modem number", id: to) }
        do { _ = try await network.phoneSend(from: from, to: to, text: text) } catch {
            throw GatewayError.invalidField(field: "from", detail: "\(error)")
        }
    }

    public func shutdown() async { await network.shutdown() }
}
