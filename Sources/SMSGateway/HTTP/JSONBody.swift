import Foundation
import HTTPTypes
import Hummingbird

/// Reads a JSON request body: checks the media type (415), the size (413, from `Content-Length`
/// before reading and while reading), then decodes, turning `DecodingError`s into problems that
/// name the field: a wrong type, a `null` or bad JSON is 400 `malformed-body`, a missing required
/// field or a value the type cannot hold (an unknown enum case, a bad date) is 422 `invalid-field`.
/// Unknown fields are ignored.
enum JSONBody {
    /// Decodes the body of `request` as `type`.
    /// - Throws: ``HTTPProblem`` (415, 413, 400, 422).
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, maxBytes: Int) async throws -> T {
        try checkMediaType(request.headers[.contentType])
        let bytes = try await read(request, maxBytes: maxBytes)
        guard !bytes.isEmpty else { throw HTTPProblem(.malformedBody("the body is empty; send a JSON object")) }
        return try decode(type, from: bytes)
    }

    /// Accepts `application/json` and `application/…+json`, with any parameters (`charset=utf-8`).
    static func checkMediaType(_ contentType: String?) throws(HTTPProblem) {
        guard let contentType else { throw .unsupportedMediaType(nil) }
        let essence = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        guard essence == "application/json" || (essence.hasPrefix("application/") && essence.hasSuffix("+json")) else {
            throw .unsupportedMediaType(contentType)
        }
    }

    /// The body's bytes, refusing (413) as soon as more than `maxBytes` are declared or have arrived.
    static func read(_ request: Request, maxBytes: Int) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > maxBytes {
            throw HTTPProblem.bodyTooLarge(limit: maxBytes)
        }
        var bytes: [UInt8] = []
        do {
            for try await chunk in request.body {
                guard bytes.count + chunk.readableBytes <= maxBytes else { throw HTTPProblem.bodyTooLarge(limit: maxBytes) }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch let problem as HTTPProblem {
            throw problem
        } catch {
            throw HTTPProblem(.malformedBody("the body could not be read to its end"))
        }
        return bytes
    }

    /// Decodes `bytes` as `type` with the API's decoder.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(HTTPProblem) -> T {
        do {
            return try APIJSON.decoder().decode(type, from: Data(bytes))
        } catch let DecodingError.typeMismatch(expected, context) {
            let field = path(context.codingPath)
            guard !field.isEmpty else { throw HTTPProblem(.malformedBody("the body must be a JSON object")) }
            throw HTTPProblem(.malformedBody("\(field) must be \(describe(expected))"), field: field)
        } catch let DecodingError.valueNotFound(expected, context) {
            let field = path(context.codingPath)
            throw HTTPProblem(.malformedBody("\(field) must be \(describe(expected)), not null"), field: field.isEmpty ? nil : field)
        } catch let DecodingError.keyNotFound(key, context) {
            throw HTTPProblem(.invalidField(field: path(context.codingPath + [key]), detail: "is required"))
        } catch let DecodingError.dataCorrupted(context) {
            let field = path(context.codingPath)
            guard !field.isEmpty else { throw HTTPProblem(.malformedBody("the body is not valid JSON")) }
            throw HTTPProblem(.invalidField(field: field, detail: context.debugDescription))
        } catch {
            throw HTTPProblem(.malformedBody("the body could not be decoded"))
        }
    }

    /// `ports.dst`-style path of a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Double.Type: return "a number"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Dictionary") ? "a JSON object" : name.hasPrefix("Array") ? "a JSON array" : "a \(name)"
        }
    }
}
