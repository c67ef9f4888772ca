/// `body`'s result, or nil when it takes longer than `seconds` (then it is cancelled): a hang guard
/// only, so a test that would hang fails instead.
public func withTimeout<T: Sendable>(_ seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask { try await Task.sleep(for: .seconds(seconds)); return nil }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
