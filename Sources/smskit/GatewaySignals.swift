import Dispatch
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// What `smskit gateway` does on SIGHUP: nothing but a log line. SIGHUP is **not** a reload
/// (docs/gateway.md, "Operations"): settings live in running workers, the dispatcher and the HTTP
/// server, and changing them under way cleanly (a modem's limits mid-message, webhook timeouts of
/// attempts in flight, Kannel users of requests being answered) is not done yet; restart to apply
/// a new config (SIGTERM drains first). Nor does a hang-up end the gateway (the default action of
/// SIGHUP, which would skip the graceful drain that SIGTERM and SIGINT get): a terminal closing or
/// a stray `kill -HUP` leaves it running and says so. Other commands end on SIGHUP (``Termination``).
final class SIGHUPNotice {
    private let source: any DispatchSourceSignal

    init(logger: Logger) {
        signal(SIGHUP, SIG_IGN)  // delivered to the dispatch source instead of ending the process
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            logger.notice("SIGHUP ignored: it does not reload the config; restart the gateway (SIGTERM drains first) to apply changes")
        }
        source.resume()
        self.source = source
    }

    /// Stops listening (SIGHUP stays ignored until the process exits).
    func cancel() { source.cancel() }
}
