import Foundation
import HTTPTypes
import Hummingbird

/// The API's JSON: snake_case keys from the models' `CodingKeys`, sorted keys, and dates as ISO 8601
/// in UTC with milliseconds (`2026-12-02T04:30:00.123Z`). Dates are read with or without
/// fractional seconds, with `Z` or an offset.
enum APIJSON {
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let whole = Date.ISO8601FormatStyle()

    /// `date` as the API writes it.
    static func format(_ date: Date) -> String {
        date.formatted(fractional)
    }

    /// An ISO 8601 date-time with or without fractional seconds; nil for anything else.
    static func parseDate(_ string: String) -> Date? {
        if let date = try? fractional.parse(string) { return date }
        return try? whole.parse(string)
    }

    /// The encoder of every response body; its sorted keys also make the canonical form of a request.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        return encoder
    }

    /// The decoder of every request body.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let string = try container.decode(String.self)
            guard let date = parseDate(string) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be an ISO 8601 date-time such as 2026-12-02T04:30:00Z")
            }
            return date
        }
        return decoder
    }

    /// A JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:],
                         contentType: String = "application/json") throws -> Response {
        let data = try encoder().encode(value)
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
