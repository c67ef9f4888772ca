/// Entry point for a libFuzzer target (`LLVMFuzzerTestOneInput`): drives arbitrary bytes through the frame
/// parser, the reassembler and a responder endpoint. Must never crash, hang or trap.
///
/// Example (in a fuzz executable): `FrameFuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))`.
package enum FrameFuzzing {
    /// The responder is the test-vector bank (seed B0×32, docs/protocol.md §7), so the vector frames in
    /// `Benchmarks/frame-corpus/` authenticate and the fuzzer reaches the accept, trust and replay paths.
    private static let responder: SecureEndpoint? = {
        guard let identity = try? Identity.generate(seed: [UInt8](repeating: 0xB0, count: 32)) else { return nil }
        var configuration = EndpointConfiguration(role: .bank, commitOnDelivery: true)
        configuration.enrolment.open = true
        return SecureEndpoint(identity: identity, configuration: configuration)
    }()

    /// Parses `bytes` as one frame and as a sequence of length-prefixed frames fed to an endpoint.
    package static func run(_ bytes: [UInt8]) {
        if let frame = try? Frame(bytes: bytes) { _ = try? Fragmenter.split(frame, capacity: 133) }
        _ = try? TextFrameCodec.decode(String(decoding: bytes, as: UTF8.self))
        _ = PackedText.unpack(bytes)
        guard var endpoint = responder else { return }
        var offset = 0
        var now = 0.0
        while offset < bytes.count {
            let length = Int(bytes[offset])
            let end = min(bytes.count, offset + 1 + length)
            _ = endpoint.receive(Array(bytes[(offset + 1)..<end]), from: "+1", now: now)
            now += 1
            offset = end
        }
        _ = endpoint.tick(now: now + 1000)
    }
}
