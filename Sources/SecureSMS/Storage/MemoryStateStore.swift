import Synchronization

/// A `SecureStateStore` in memory: nothing survives the process. For tests, demos and the fuzzer; it
/// answers queries exactly like the indexed stores, so the engine sees the same working sets.
public final class MemoryStateStore: SecureStateStore {
    private let stored = Mutex(StoredState())

    /// An empty store.
    public init() {}

    /// A store holding a whole `state` (tests).
    public init(_ state: EndpointState, configuration: EndpointConfiguration = .init()) {
        stored.withLock { $0 = StoredState(state, configuration: configuration) }
    }

    /// Everything as one `EndpointState` (tests).
    public var state: EndpointState { stored.withLock { $0.endpointState } }

    public func read(_ query: StateQuery) throws(SecureSMSError) -> StateSnapshot { stored.withLock { $0.read(query) } }

    public func write(_ changes: StateChanges) throws(SecureSMSError) { stored.withLock { $0.apply(changes) } }

    public func nextDeadline() throws(SecureSMSError) -> Double? { stored.withLock { $0.summary.earliestDeadline } }

    public func summary() throws(SecureSMSError) -> StateSummary { stored.withLock { $0.summary } }

    public func expire(unverifiedIdleBefore: Double, firstContactsBefore: Double) throws(SecureSMSError) {
        stored.withLock { $0.expire(unverifiedIdleBefore: unverifiedIdleBefore, firstContactsBefore: firstContactsBefore) }
    }
}
