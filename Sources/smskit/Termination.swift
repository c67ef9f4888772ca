import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM, SIGINT and SIGHUP end a command through its normal clean-up (closing the modem removes
/// its UUCP lock file), then exit with 128 + the signal number, as a shell expects.
/// (`smskit gateway` does not use this: SIGTERM and SIGINT are its graceful shutdown through the
/// service group, and SIGHUP is ignored with a notice, ``SIGHUPNotice``.)
///
/// ```swift
/// let modem = try await Modem(port: port)
/// Termination.onSignal { await modem.close() }
/// ```
enum Termination {
    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var sources: [any DispatchSourceSignal] = []
        var cleanups: [@Sendable () async -> Void] = []
        var installed = false
        var signalled: Int32 = 0
    }

    private static let registry = Registry()

    private static func exitIfSignalled() {
        let signo = registry.lock.withLock { registry.signalled }
        if signo != 0 { _exit(128 + signo) }
    }

    /// Adds `cleanup` to what runs on a terminating signal (installs the handlers once).
    static func onSignal(_ cleanup: @escaping @Sendable () async -> Void) {
        let r = registry
        r.lock.lock()
        defer { r.lock.unlock() }
        r.cleanups.append(cleanup)
        guard !r.installed else { return }
        r.installed = true
        // The cleanups close the modem, which can end the command's own loop and return from main
        // (exit 0) before the task below calls exit: whichever exit comes first, the status is 128+signal.
        atexit { Termination.exitIfSignalled() }
        for signo in [SIGTERM, SIGINT, SIGHUP] {
            signal(signo, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                let cleanups = r.lock.withLock { () -> [@Sendable () async -> Void] in
                    r.signalled = signo
                    return r.cleanups
                }
                Task {
                    for c in cleanups.reversed() { await c() }
                    exit(128 + signo)
                }
            }
            source.resume()
            r.sources.append(source)
        }
    }
}
