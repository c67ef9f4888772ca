/// Runs a call into the store (or the runtime): a ``GatewayError`` passes through as it is (a 404,
/// a 409…); any other error becomes ``GatewayError/storeUnavailable(_:)`` (503), whose cause
/// ``ProblemMiddleware`` logs and never answers.
func storeCall<T: Sendable>(_ body: () async throws -> T) async throws(GatewayError) -> T {
    do {
        return try await body()
    } catch let error as GatewayError {
        throw error
    } catch {
        throw .storeUnavailable(String(describing: error))
    }
}
