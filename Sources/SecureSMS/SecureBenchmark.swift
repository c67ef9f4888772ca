/// Benchmark figures for issue 6 item 5: bytes and SMS per message for SecureSMS and the alternatives,
/// and seal/open throughput. `smskit bench secure` prints these.
///
/// Example: `for row in SecureBenchmark.overheadTable() { print(row.scheme, row.payloadBytes, row.segments) }`.
package enum SecureBenchmark {
    /// One (scheme, payload size) measurement.
    package struct OverheadRow: Sendable, Equatable, Codable {
        /// Scheme name (`plain-sms`, `sealed-box`, `textsecure-2014`, `securesms-data`, …).
        package var scheme: String
        /// Application payload bytes.
        package var payloadBytes: Int
        /// SMS needed.
        package var segments: Int
        /// Bytes added by the scheme (headers, keys, tags, fragment headers), excluding the SMS UDH.
        package var overheadBytes: Int
        /// Protocol bytes on the air (payload + overhead), excluding the SMS UDH.
        package var wireBytes: Int
        /// What the scheme provides, in a few words.
        package var notes: String
    }

    /// The payload sizes issue 6 asks for.
    package static let standardPayloads = [20, 100, 113, 140, 500]

    /// Rows for every scheme and payload size. SecureSMS rows come from the real frame builder and fragmenter.
    package static func overheadTable(payloads: [Int] = standardPayloads) -> [OverheadRow] {
        var rows: [OverheadRow] = []
        for size in payloads {
            rows.append(binarySMS("plain-sms", size, overhead: 0, notes: "no protection; SMS concatenation (12-byte UDH/segment)"))
            rows.append(binarySMS("sealed-box", size, overhead: Sodium.sealedBoxOverhead,
                                  notes: "crypto_box_seal: anonymous sender, no forward secrecy, no replay protection"))
            rows.append(textSecure(size))
            rows.append(secure("securesms-data", size, frame: Frame(header: FrameHeader(type: .data), counter: 1),
                               transport: .binary, notes: "steady state: AEAD, per-message forward secrecy, replay window"))
            rows.append(secure("securesms-hello", size,
                               frame: Frame(header: FrameHeader(type: .hello), keyID: [0, 0, 0], ephemeral: zeros32),
                               transport: .binary, notes: "0-RTT first contact, peer knows our key (KK)"))
            rows.append(secure("securesms-intro", size,
                               frame: Frame(header: FrameHeader(type: .intro), staticKey: zeros32),
                               transport: .binary, notes: "0-RTT first contact from a key the peer does not know (static key in clear)"))
            rows.append(secure("securesms-data-text", size, frame: Frame(header: FrameHeader(type: .data), counter: 1),
                               transport: .text, notes: "text fallback (GSM-7 base64, 119 frame bytes per SMS)"))
        }
        return rows
    }

    private static let zeros32 = [UInt8](repeating: 0, count: 32)

    private static func binarySMS(_ scheme: String, _ size: Int, overhead: Int, notes: String) -> OverheadRow {
        let total = size + overhead
        let single = SecureTransportKind.binary.capacity
        let perConcatenated = SecureTransportKind.concatenatedBinaryCapacity
        let segments = total <= single ? 1 : (total + perConcatenated - 1) / perConcatenated
        return OverheadRow(scheme: scheme, payloadBytes: size, segments: segments, overheadBytes: overhead, wireBytes: total,
                           notes: notes)
    }

    /// TextSecure's 2014 SMS transport (from its SmsTransportDetails/MultipartSmsTransportMessage layout):
    /// 160-char SMS = 4-char prefix + base64 → 117 bytes; message overhead 53 bytes (version, ratchet key,
    /// counters, 8-byte truncated MAC); multipart header 1 byte (single), 2 (first) and 3 (others) per SMS.
    /// 63 bytes of payload fit in one SMS; key exchange needed 4 SMS before the first message (not counted).
    static func textSecure(_ size: Int) -> OverheadRow {
        let perSMS = (160 - 4) * 6 / 8
        let message = size + 53
        let segments: Int
        let multipart: Int
        if message + 1 <= perSMS {
            segments = 1
            multipart = 1
        } else {
            let rest = max(0, message - (perSMS - 2))
            segments = 1 + (rest + (perSMS - 3) - 1) / (perSMS - 3)
            multipart = 2 + 3 * (segments - 1)
        }
        return OverheadRow(scheme: "textsecure-2014", payloadBytes: size, segments: segments, overheadBytes: 53 + multipart,
                           wireBytes: message + multipart, notes: "text SMS; 8-byte MAC; 4 SMS of key exchange first")
    }

    private static func secure(_ scheme: String, _ size: Int, frame: Frame, transport: SecureTransportKind, notes: String) -> OverheadRow {
        var whole = frame
        whole.body = [UInt8](repeating: 0, count: size + SIV.tagBytes)
        let parts = (try? Fragmenter.split(whole, capacity: transport.capacity)) ?? []
        let wire = parts.reduce(0) { $0 + $1.bytes.count }
        return OverheadRow(scheme: scheme, payloadBytes: size, segments: parts.count, overheadBytes: wire - size,
                           wireBytes: wire, notes: notes)
    }

    /// Measured throughput of the steady-state data path (frame build + KDF step + AEAD, and back), with
    /// the bare AEADs beside it in the same run: v2's SIV and libsodium's ChaCha20-Poly1305 IETF (v1's).
    package struct Throughput: Sendable, Equatable, Codable {
        /// Payload size used.
        package var payloadBytes: Int
        /// v2 data frames sealed per second (chain step + SIV + frame).
        package var sealPerSecond: Double
        /// v2 data frames parsed and opened per second.
        package var openPerSecond: Double
        /// v1's data path (chain step + ChaCha20-Poly1305 + frame), sealed per second.
        package var v1SealPerSecond: Double
        /// v1's data path, opened per second.
        package var v1OpenPerSecond: Double
        /// Bare `SIV.seal` per second (fixed key).
        package var sivSealPerSecond: Double
        /// Bare `SIV.open` per second.
        package var sivOpenPerSecond: Double
        /// Bare `crypto_aead_chacha20poly1305_ietf_encrypt` per second (fixed key).
        package var chachaPolySealPerSecond: Double
        /// Bare `crypto_aead_chacha20poly1305_ietf_decrypt` per second.
        package var chachaPolyOpenPerSecond: Double
    }

    /// Seals `iterations` messages of `payloadBytes` with a real session chain, then opens them all; the
    /// same for v1's path and the bare AEADs. Each figure is the best of `rounds` alternating rounds.
    package static func throughput(payloadBytes: Int = 100, iterations: Int = 20_000, rounds: Int = 3) throws(SecureSMSError) -> Throughput {
        var best = Throughput(payloadBytes: payloadBytes, sealPerSecond: 0, openPerSecond: 0, v1SealPerSecond: 0,
                              v1OpenPerSecond: 0, sivSealPerSecond: 0, sivOpenPerSecond: 0, chachaPolySealPerSecond: 0,
                              chachaPolyOpenPerSecond: 0)
        for _ in 0..<max(1, rounds) {
            let v2 = try dataPath(payloadBytes: payloadBytes, iterations: iterations, v1: false)
            let v1 = try dataPath(payloadBytes: payloadBytes, iterations: iterations, v1: true)
            let siv = try bare(payloadBytes: payloadBytes, iterations: iterations, siv: true)
            let cp = try bare(payloadBytes: payloadBytes, iterations: iterations, siv: false)
            best.sealPerSecond = max(best.sealPerSecond, v2.seal)
            best.openPerSecond = max(best.openPerSecond, v2.open)
            best.v1SealPerSecond = max(best.v1SealPerSecond, v1.seal)
            best.v1OpenPerSecond = max(best.v1OpenPerSecond, v1.open)
            best.sivSealPerSecond = max(best.sivSealPerSecond, siv.seal)
            best.sivOpenPerSecond = max(best.sivOpenPerSecond, siv.open)
            best.chachaPolySealPerSecond = max(best.chachaPolySealPerSecond, cp.seal)
            best.chachaPolyOpenPerSecond = max(best.chachaPolyOpenPerSecond, cp.open)
        }
        return best
    }

    private static func v1Nonce(_ counter: UInt32) -> [UInt8] {
        [FrameType.data.rawValue, 0, 0, 0, 0, 0, 0, 0, UInt8(truncatingIfNeeded: counter >> 24),
         UInt8(truncatingIfNeeded: counter >> 16), UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter)]
    }

    private static func dataPath(payloadBytes: Int, iterations: Int, v1: Bool) throws(SecureSMSError) -> (seal: Double, open: Double) {
        let root = Sodium.blake2b(Array("benchmark root".utf8))
        let sid = Sodium.blake2b(Array("benchmark sid".utf8))
        var send = SendChain(root: root)
        var receive = ReceiveChain(root: root)
        let payload = [UInt8](repeating: 0x42, count: payloadBytes)
        var frames: [[UInt8]] = []
        frames.reserveCapacity(iterations)
        let clock = ContinuousClock()
        let sealStart = clock.now
        for _ in 0..<iterations {
            let (counter, key) = try send.nextMessageKey()
            var frame = Frame(header: FrameHeader(type: .data), counter: counter)
            let ad = frame.associatedHeader + sid
            frame.body = v1 ? try Sodium.seal(payload, key: key, nonce: v1Nonce(counter), ad: ad) : try SIV.seal(payload, key: key, ad: ad)
            frames.append(frame.bytes)
        }
        let sealTime = clock.now - sealStart
        let openStart = clock.now
        for bytes in frames {
            let frame = try Frame(bytes: bytes)
            let key = try receive.messageKey(for: frame.counter)
            let ad = frame.associatedHeader + sid
            _ = v1 ? try Sodium.open(frame.body, key: key, nonce: v1Nonce(frame.counter), ad: ad) : try SIV.open(frame.body, key: key, ad: ad)
        }
        let openTime = clock.now - openStart
        return (Double(iterations) / seconds(sealTime), Double(iterations) / seconds(openTime))
    }

    private static func bare(payloadBytes: Int, iterations: Int, siv: Bool) throws(SecureSMSError) -> (seal: Double, open: Double) {
        let key = Sodium.blake2b(Array("benchmark key".utf8))
        let ad = [UInt8](repeating: 0x07, count: 36)
        let payload = [UInt8](repeating: 0x42, count: payloadBytes)
        let nonce = v1Nonce(1)
        let clock = ContinuousClock()
        var box: [UInt8] = []
        let sealStart = clock.now
        for _ in 0..<iterations {
            box = siv ? try SIV.seal(payload, key: key, ad: ad) : try Sodium.seal(payload, key: key, nonce: nonce, ad: ad)
        }
        let sealTime = clock.now - sealStart
        let openStart = clock.now
        for _ in 0..<iterations {
            _ = siv ? try SIV.open(box, key: key, ad: ad) : try Sodium.open(box, key: key, nonce: nonce, ad: ad)
        }
        let openTime = clock.now - openStart
        return (Double(iterations) / seconds(sealTime), Double(iterations) / seconds(openTime))
    }

    private static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return max(Double(c.seconds) + Double(c.attoseconds) / 1e18, 1e-9)
    }
}

extension SecureBenchmark {
    /// Per-message cost on the bank side through a `SecureStateStore`, with `peers` enrolled peers of
    /// which `active` have an established session.
    package struct StoreLatency: Sendable, Equatable, Codable {
        /// Enrolled peers in the store.
        package var peers: Int
        /// Peers with an established session (the messages come from these, at random).
        package var active: Int
        /// Messages timed.
        package var messages: Int
        /// Seconds the set-up took (enrolment in batches into the store, the active peers' handshakes in
        /// memory, then one write of them into the store).
        package var setupSeconds: Double
        /// Per message: the receive step (read the peer by number, open, write), the application's commit
        /// step and the ack step, each its own transaction — median, 99th percentile and worst, microseconds.
        package var p50Micros: Double
        package var p99Micros: Double
        package var maxMicros: Double
        /// Messages per second, one after another (1 / mean).
        package var perSecond: Double
    }

    /// Builds a bank over `store` and times `messages` data frames from random active peers. Each bank step
    /// runs as `SecureChannel` runs it: read the step's working set, run the engine, write the changes.
    package static func storeLatency(store: any SecureStateStore, bank: Identity, peers: Int, active: Int,
                                    messages: Int = 1_000) async throws -> StoreLatency {
        let configuration = EndpointConfiguration(role: .bank)
        var endpoint = SecureEndpoint(identity: bank, configuration: configuration)
        func step(_ store: any SecureStateStore, _ query: StateQuery,
                  _ body: (inout SecureEndpoint) throws -> EndpointStep) async throws -> EndpointStep {
            endpoint.load(try await store.read(query))
            let result = try body(&endpoint)
            try await store.write(endpoint.changes())
            return result
        }
        func receive(_ store: any SecureStateStore, _ bytes: [UInt8], from number: String, now: Double) async throws -> EndpointStep {
            guard case .frame(let frame) = endpoint.reassemble(bytes, from: number, now: now) else { return EndpointStep() }
            return try await step(store, SecureEndpoint.query(for: frame, from: number)) { $0.accept(frame, from: number, now: now) }
        }
        let clock = ContinuousClock()
        let setupStart = clock.now
        let active = min(active, peers)
        var rng = SystemRandomNumberGenerator()
        // Set-up, the same for every store: the enrolled-only peers go straight into the store in batches
        // of 10,000; the active peers' handshakes run in memory and are copied over in one write.
        var enrolled = 0
        while enrolled < peers - active {
            let batch = min(10_000, peers - active - enrolled)
            _ = try await step(store, StateQuery()) { e in
                for n in enrolled..<(enrolled + batch) {
                    let key = try PublicKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
                    e.enrol(key, number: "+2\(n)", customerID: "customer-\(n)")
                }
                return EndpointStep()
            }
            enrolled += batch
        }
        let memory = MemoryStateStore()
        var clients: [SecureEndpoint] = []
        for i in 0..<active {
            let id = try Identity.generate()
            _ = try await step(memory, StateQuery(keys: [id.publicKey])) {
                $0.enrol(id.publicKey, number: "+1\(i)", customerID: "active-\(i)")
                return EndpointStep()
            }
            var client = SecureEndpoint(identity: id, configuration: EndpointConfiguration(commitOnDelivery: true))
            client.markIntroducedIfPinned(bank.publicKey, number: "+bank")
            let hello = try client.send([1], to: bank.publicKey, number: "+bank", now: 0)
            let got = try await receive(memory, hello.step.outbound[0].bytes, from: "+1\(i)", now: 0)
            for m in got.messages { _ = try await step(memory, StateQuery(keys: [id.publicKey])) { try $0.commit(m.receipt, now: 0) } }
            let reply = try await step(memory, StateQuery(keys: [id.publicKey])) { $0.flush(now: 0) }
            for sms in reply.outbound { _ = client.receive(sms.bytes, from: "+bank", now: 0) }
            for sms in client.flush(now: 0).outbound { _ = try await receive(memory, sms.bytes, from: "+1\(i)", now: 0) }
            clients.append(client)
        }
        let handshaken = try memory.read(StateQuery(keys: Set(clients.map(\.identity.publicKey))))
        try await store.write(StateChanges(counters: handshaken.counters, peers: handshaken.peers))
        let setup = seconds(clock.now - setupStart)
        var times: [Double] = []
        times.reserveCapacity(messages)
        for n in 0..<messages {
            let i = Int.random(in: 0..<active, using: &rng)
            let now = Double(n + 1)
            let data = try clients[i].send(Array("balance? \(n)".utf8), to: bank.publicKey, number: "+bank", now: now)
            let start = clock.now
            let got = try await receive(store, data.step.outbound[0].bytes, from: "+1\(i)", now: now)
            guard let message = got.messages.first else { throw SecureSMSError.io("benchmark: message \(n) was not delivered") }
            _ = try await step(store, StateQuery(keys: [message.peer])) { try $0.commit(message.receipt, now: now) }
            let ack = try await step(store, StateQuery(keys: [message.peer])) { $0.flush(now: now) }
            times.append(seconds(clock.now - start) * 1e6)
            for sms in ack.outbound { _ = clients[i].receive(sms.bytes, from: "+bank", now: now) }
        }
        let sorted = times.sorted()
        func pct(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))] }
        let mean = times.reduce(0, +) / Double(max(times.count, 1))
        return StoreLatency(peers: peers, active: active, messages: messages, setupSeconds: setup, p50Micros: pct(0.5),
                            p99Micros: pct(0.99), maxMicros: sorted.last ?? 0, perSecond: 1e6 / max(mean, 1e-9))
    }
}

extension SecureEndpoint {
    /// Benchmark set-up: pin `peer` and mark it as holding our key (a hello, not an intro).
    mutating func markIntroducedIfPinned(_ peer: PublicKey, number: String) {
        pin(peer, number: number)
        markIntroduced(peer)
    }
}
