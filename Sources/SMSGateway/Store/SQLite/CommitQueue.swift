import Foundation
import GRDB

/// Group commit for SQLite: concurrent writes wait in a queue and the next commit takes all of
/// them in one transaction (one fsync), each inside its own savepoint, so one failing write rolls
/// back alone. Each caller resumes only after the commit that holds its write.
actor CommitQueue {
    private let writer: DatabasePool
    private var jobs: [any CommitJob] = []
    private var draining = false
    /// Largest batch committed so far (for benchmarks and logs).
    private(set) var largestBatch = 0

    init(writer: DatabasePool) { self.writer = writer }

    /// Runs `body` in the next group commit and returns its result once committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            jobs.append(Job(body: body, continuation: continuation))
            if !draining {
                draining = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !jobs.isEmpty {
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            largestBatch = max(largestBatch, batch.count)
            let box = UncheckedBox(batch)
            do {
                try await writer.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        for job in box.value { job.run(db) }
                        return .commit
                    }
                }
                for job in batch { job.complete() }
            } catch {
                for job in batch { job.fail(error) }
            }
        }
        draining = false
    }
}

/// Moves non-Sendable values into GRDB's writer closure; they are used there only.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

private protocol CommitJob: AnyObject, Sendable {
    func run(_ db: Database)
    func complete()
    func fail(_ error: any Error)
}

/// One queued write: runs in a savepoint, resumes its caller after the commit.
private final class Job<T: Sendable>: CommitJob, @unchecked Sendable {
    // Accessed by the writer queue during `run`, then by the drain loop after it: never concurrently.
    private let body: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    private var result: Result<T, any Error>?

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func run(_ db: Database) {
        do {
            var value: T?
            try db.inSavepoint {
                value = try body(db)
                return .commit
            }
            if let value { result = .success(value) }
        } catch {
            result = .failure(error)
        }
    }

    func complete() {
        continuation.resume(with: result ?? .failure(GatewayError.storeUnavailable("write produced no result")))
    }

    func fail(_ error: any Error) { continuation.resume(throwing: error) }
}
