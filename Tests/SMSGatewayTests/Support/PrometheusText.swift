import Foundation
import SMSKitTestSupport

/// A parsed Prometheus text exposition (format 0.0.4): every sample with its labels.
struct PrometheusText: Sendable {
    struct Sample: Sendable, Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// `# TYPE` lines: metric name → counter, gauge, histogram…
    private(set) var types: [String: String] = [:]
    private(set) var samples: [Sample] = []

    /// Parses `text`; throws on a line that is neither a comment nor a sample.
    init(_ text: String) throws {
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(raw)
            if line.hasPrefix("#") {
                let words = line.split(separator: " ")
                if words.count >= 4, words[1] == "TYPE" { types[String(words[2])] = String(words[3]) }
                continue
            }
            samples.append(try Self.sample(line))
        }
    }

    /// The sum of the samples named `name` whose labels include `labels`.
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
    }

    /// The samples named `name`.
    func named(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    private static func sample(_ line: String) throws -> Sample {
        var name = ""
        var labels: [String: String] = [:]
        var rest = Substring(line)
        if let brace = rest.firstIndex(of: "{") {
            name = String(rest[..<brace])
            rest = rest[rest.index(after: brace)...]
            // key="value" pairs; values may hold escaped quotes.
            while let eq = rest.firstIndex(of: "=") {
                let key = rest[..<eq].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
                rest = rest[rest.index(after: eq)...]
                guard rest.first == "\"" else { throw TestFailure("bad label in \(line)") }
                rest = rest.dropFirst()
                var value = ""
                var escaped = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if escaped { value.append(c == "n" ? "\n" : c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else {
                        value.append(c)
                    }
                }
                labels[key] = value
                if rest.first == "," { rest = rest.dropFirst() }
                if rest.first == "}" { rest = rest.dropFirst(); break }
            }
        } else {
            guard let space = rest.firstIndex(of: " ") else { throw TestFailure("bad sample \(line)") }
            name = String(rest[..<space])
            rest = rest[space...]
        }
        let fields = rest.split(separator: " ")
        guard let first = fields.first, let value = Double(first) ?? (first == "+Inf" ? .infinity : nil) else {
            throw TestFailure("bad value in \(line)")
        }
        return Sample(name: name, labels: labels, value: value)
    }
}
