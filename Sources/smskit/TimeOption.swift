import ArgumentParser
import ATModem

/// The one parser of every time option of the CLI (`--timeout`, `--report-timeout`, `--linger`, ...):
/// seconds (`90`, `0.5`) or a unit (`500ms`, `2m`, `1h`, `1d`), positive and at most 366 days, through
/// ``SafeDuration/parse(_:option:)``; `inf`, `nan`, `1e17` or `-1` are refused with a message, never a trap.
///
/// ```swift
/// @Option(transform: TimeOption.parser("--timeout")) var timeout: Duration?
/// ```
enum TimeOption {
    /// A transform for `@Option(transform:)`.
    static func parser(_ option: String) -> @Sendable (String) throws -> Duration {
        { text in
            do throws(SafeDuration.ParseError) { return try SafeDuration.parse(text, option: option) } catch {
                throw ValidationError(error.description)
            }
        }
    }

    /// Seconds as a `Double`, for APIs that count in seconds.
    static func seconds(_ duration: Duration) -> Double { SafeDuration.secondsValue(duration) }

    /// `90 s`, `1.5 s`: how a duration is shown in messages.
    static func describe(_ duration: Duration) -> String {
        let s = seconds(duration)
        return s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }
}
