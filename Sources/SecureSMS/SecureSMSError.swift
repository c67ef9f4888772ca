/// Everything that can go wrong in SecureSMS, as one typed error with a message that says what to do.
///
/// Frame and session errors are expected on a hostile network (tampered, replayed, truncated frames);
/// callers drop the frame and carry on. Example: `catch SecureSMSError.replayed(let n) { … }`.
public enum SecureSMSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libsodium could not be initialised (no entropy source).
    case cryptoUnavailable
    /// A key or seed has the wrong size or form.
    case invalidKey(String)
    /// A peer offered a low-order X25519 key (all-zero shared secret).
    case weakPublicKey
    /// The frame is empty.
    case emptyFrame
    /// The frame's version bits are not this implementation's (no negotiation, no fallback).
    case wrongVersion(UInt8)
    /// The frame type is unknown or not valid in this position.
    case unknownFrameType(UInt8)
    /// The frame ends inside `field` at byte `offset`.
    case truncated(field: String, offset: Int)
    /// A fragment is inconsistent (index ≥ count, count < 2, conflicting duplicate).
    case badFragment(String)
    /// The AEAD tag did not verify: tampered frame, wrong key, or frame for another session.
    case authenticationFailed
    /// The message counter was already used: a replay or duplicate (the endpoint re-acknowledges).
    case replayed(counter: UInt32)
    /// The counter is older than the replay window or further ahead than the skipped-key bound.
    case outsideWindow(counter: UInt32)
    /// No session matches this frame (for example data from a number we never shook hands with).
    case noSession(from: String)
    /// A first-contact frame names a key id we do not know; the sender must introduce its key.
    case unknownPeer(keyID: String)
    /// The peer's key was revoked locally; its frames are rejected.
    case revoked(fingerprint: String)
    /// The session's 24-bit counter space is used up; start a new handshake.
    case counterExhausted
    /// Too many unacknowledged messages are in flight to this peer; wait for acknowledgements.
    case windowFull
    /// The payload is larger than the protocol allows in one message.
    case payloadTooLarge(Int, limit: Int)
    /// The key file cannot be decrypted with this passphrase.
    case wrongPassphrase
    /// The key or state file is not in the expected format.
    case corruptKeyFile(String)
    /// Argon2id failed (usually not enough memory for the cost parameters).
    case passwordHashingFailed
    /// A file could not be read or written.
    case io(String)
    /// A text-transport SMS is not a valid SecureSMS text frame.
    case notATextFrame
    /// A client endpoint received a first contact (hello/intro): clients never accept one.
    case firstContactRefused
    /// A bank endpoint received a first contact from a key nobody enrolled, and enrolment is closed.
    case notEnrolled(fingerprint: String)
    /// Open enrolment is at its cap of unverified peers.
    case enrolmentFull
    /// Too many first contacts from one key or number within the rate-limit window.
    case rateLimited(String)
    /// This key made more first contacts than its record allows; re-enrol it.
    case firstContactLimit(fingerprint: String)
    /// The passphrase is empty or too weak for a long-term key (see `PassphrasePolicy`).
    case weakPassphrase(String)
    /// The message was never committed because the session it belongs to is unknown (stale receipt).
    case unknownReceipt

    public var description: String {
        switch self {
        case .cryptoUnavailable: return "libsodium could not be initialised; check that the system has an entropy source"
        case .invalidKey(let why): return "invalid key: \(why)"
        case .weakPublicKey: return "peer sent a low-order public key; the frame is rejected (possible attack)"
        case .emptyFrame: return "empty frame"
        case .wrongVersion(let v): return "frame has protocol version \(v), this build speaks only version 2; upgrade the older side"
        case .unknownFrameType(let t): return "unknown or unexpected frame type \(t)"
        case .truncated(let field, let offset): return "frame truncated in \(field) at byte \(offset)"
        case .badFragment(let why): return "bad fragment: \(why)"
        case .authenticationFailed: return "authentication failed: the frame was tampered with, or is for another key or session"
        case .replayed(let n): return "message counter \(n) was already received (replay or duplicate); ignored"
        case .outsideWindow(let n): return "message counter \(n) is outside the receive window; ignored"
        case .noSession(let from): return "no secure session with \(from); the sender must start with a first-contact message"
        case .unknownPeer(let id): return "first contact names unknown key id \(id); the sender must introduce its full key"
        case .revoked(let fp): return "peer \(fp) is revoked; its messages are rejected"
        case .counterExhausted: return "session counter exhausted; start a new session (rekey)"
        case .windowFull: return "too many unacknowledged messages in flight; wait for acknowledgements"
        case .payloadTooLarge(let n, let limit): return "payload of \(n) bytes exceeds the limit of \(limit) bytes"
        case .wrongPassphrase: return "wrong passphrase for this key file (or the file was modified)"
        case .corruptKeyFile(let why): return "key/state file is corrupt: \(why)"
        case .passwordHashingFailed: return "Argon2id failed: the cost parameters are below libsodium's minimum or the machine lacks the memory they need"
        case .io(let why): return "I/O error: \(why)"
        case .notATextFrame: return "not a SecureSMS text frame"
        case .firstContactRefused: return "a client endpoint never accepts a first contact (hello/intro); the frame is rejected"
        case .notEnrolled(let fp): return "key \(fp) is not enrolled; enrol it (smskit secure enrol) or enable open enrolment"
        case .enrolmentFull: return "open enrolment is full (too many unverified peers); enrol keys out of band or wait for idle ones to expire"
        case .rateLimited(let what): return "too many first contacts from \(what); try again later"
        case .firstContactLimit(let fp): return "key \(fp) used up its first contacts; re-enrol it"
        case .weakPassphrase(let why): return "passphrase refused: \(why); use at least \(PassphrasePolicy.minimumLength) characters with some variety (a few random words)"
        case .unknownReceipt: return "no delivered message matches this receipt (already committed, or its session is gone)"
        }
    }
}
