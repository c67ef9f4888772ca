/// One SecureSMS frame as it travels in one SMS: header byte, fixed fields of its type, body.
///
/// `Frame(bytes:)` is total: any byte string gives a frame or a typed `SecureSMSError`, never a trap.
/// Layouts (v2; all multi-byte integers big-endian):
/// - hello: `hdr | keyID(3) | ephemeral(32) | [count(1)] | body`
/// - intro: `hdr | static(32) | counter(3) | [count(1)] | body` (initiator's static key in clear)
/// - reply: `hdr | ephemeral(32) | [count(1)] | body`
/// - data:  `hdr | counter(3) | [count(1)] | [key(32)] | body` (key: the upgrade `E_c` or a ratchet step's new
///   public key, recognised by trial: the frame does not open without it)
/// - ack:   `hdr | counter(3) | [key(32)] | body` (an intro client's upgrade ephemeral `E_c`, or a ratchet step's
///   key with its start counter inside the body; recognised by length)
/// - cont:  `hdr | ref(1) | index(1) | body`
/// `count` is present only with the `fragmented` flag; a complete frame's body ends with the 16-byte tag.
public struct Frame: Equatable, Sendable {
    /// Header byte (type and flags).
    public var header: FrameHeader
    /// hello: the initiator's 3-byte key id.
    public var keyID: [UInt8] = []
    /// hello/intro/reply: the sender's ephemeral public key; ack: the client's upgrade ephemeral, if carried.
    public var ephemeral: [UInt8] = []
    /// intro: the initiator's static public key (in clear: the responder does not know it yet).
    public var staticKey: [UInt8] = []
    /// data/ack: the 24-bit message counter; intro: the initiator's 24-bit first-contact counter.
    public var counter: UInt32 = 0
    /// First fragment: total number of fragments (2…255).
    public var fragmentCount: UInt8 = 0
    /// cont: the message reference (low counter byte, or first ephemeral byte for handshakes).
    public var ref: UInt8 = 0
    /// cont: fragment index (1…count-1).
    public var index: UInt8 = 0
    /// Ciphertext (and tag, for a complete frame), or a slice of it for fragments.
    public var body: [UInt8] = []

    /// Largest counter value (24 bits).
    public static let maxCounter: UInt32 = 0xFF_FFFF
    /// Bytes after the counter of an ack that carries an upgrade ephemeral: E_c(32) + tag(16) + ack body(5).
    static let upgradeAckBody = 32 + SIV.tagBytes + AckBody.size
    /// Bytes after the counter of an ack that carries a ratchet step: key(32) + tag(16) + ack body(5) + start counter(3).
    static let ratchetAckBody = 32 + SIV.tagBytes + AckBody.size + 3

    /// Creates a frame from its fields (see the type's layouts).
    public init(header: FrameHeader, keyID: [UInt8] = [], ephemeral: [UInt8] = [], staticKey: [UInt8] = [],
                counter: UInt32 = 0, fragmentCount: UInt8 = 0, ref: UInt8 = 0, index: UInt8 = 0, body: [UInt8] = []) {
        self.header = header
        self.keyID = keyID
        self.ephemeral = ephemeral
        self.staticKey = staticKey
        self.counter = counter
        self.fragmentCount = fragmentCount
        self.ref = ref
        self.index = index
        self.body = body
    }

    /// Parses one frame. Errors: `.emptyFrame`, `.wrongVersion`, `.unknownFrameType`, `.truncated`, `.badFragment`.
    public init(bytes: [UInt8]) throws(SecureSMSError) {
        guard let first = bytes.first else { throw .emptyFrame }
        var reader = ByteReader(bytes, offset: 1)
        self.header = try FrameHeader(byte: first)
        let fragmented = header.type != .cont && header.flags.contains(.fragmented)
        switch header.type {
        case .hello:
            keyID = try reader.take(3, field: "keyID")
            ephemeral = try reader.take(32, field: "ephemeral")
        case .intro:
            staticKey = try reader.take(32, field: "staticKey")
            counter = try reader.uint24(field: "counter")
        case .reply:
            ephemeral = try reader.take(32, field: "ephemeral")
        case .data, .ack:
            counter = try reader.uint24(field: "counter")
            if header.type == .ack, fragmented { throw .badFragment("ack frames are never fragmented") }
            if header.type == .ack, [Frame.upgradeAckBody, Frame.ratchetAckBody].contains(bytes.count - reader.offset) {
                ephemeral = try reader.take(32, field: "ephemeral")
            }
        case .cont:
            ref = try reader.take(1, field: "ref")[0]
            index = try reader.take(1, field: "index")[0]
            guard index >= 1 else { throw .badFragment("continuation index 0") }
        }
        if fragmented {
            fragmentCount = try reader.take(1, field: "fragmentCount")[0]
            guard fragmentCount >= 2 else { throw .badFragment("fragment count \(fragmentCount) < 2") }
        }
        body = reader.rest()
        let minimumBody = (header.type == .cont || fragmented) ? 1 : SIV.tagBytes
        guard body.count >= minimumBody else { throw .truncated(field: "body", offset: bytes.count) }
    }

    /// The encoded frame.
    public var bytes: [UInt8] { fixedPart + body }

    /// Whether this is the first fragment of a longer message.
    public var isFirstFragment: Bool { header.type != .cont && header.flags.contains(.fragmented) }

    /// Header and fixed fields (including the count byte of a first fragment), without the body.
    var fixedPart: [UInt8] {
        var out: [UInt8] = [header.byte]
        switch header.type {
        case .hello: out += keyID + ephemeral
        case .intro: out += staticKey + Frame.uint24(counter)
        case .reply: out += ephemeral
        case .data: out += Frame.uint24(counter)
        case .ack: out += Frame.uint24(counter) + ephemeral
        case .cont: out += [ref, index]
        }
        if isFirstFragment { out.append(fragmentCount) }
        return out
    }

    /// The authenticated "logical header": fixed fields with the fragmentation flag and count removed,
    /// so the same message authenticates identically whether or not it was fragmented.
    var associatedHeader: [UInt8] {
        var logical = self
        logical.header.flags.remove(.fragmented)
        return logical.fixedPart
    }

    /// The reassembly reference that continuation fragments of this message carry.
    var fragmentRef: UInt8 {
        switch header.type {
        case .data, .ack, .intro: return UInt8(truncatingIfNeeded: counter)
        default: return ephemeral.first ?? 0
        }
    }

    /// What identifies one first-contact message (replay cache, duplicate detection): the hello's
    /// ephemeral key, or the intro's static key and counter.
    var firstContactID: [UInt8] {
        header.type == .intro ? staticKey + Frame.uint24(counter) : ephemeral
    }

    /// Big-endian 24-bit encoding (the value is masked to 24 bits).
    static func uint24(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}

/// A bounds-checked cursor over bytes: every read either succeeds or throws `.truncated`.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    mutating func take(_ count: Int, field: String) throws(SecureSMSError) -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else { throw .truncated(field: field, offset: offset) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func uint24(field: String) throws(SecureSMSError) -> UInt32 {
        let b = try take(3, field: field)
        return UInt32(b[0]) << 16 | UInt32(b[1]) << 8 | UInt32(b[2])
    }

    mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }
}
