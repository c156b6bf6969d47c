import Foundation

/// A scalar in a free-form `metadata` object (stream details such as `xvfb: true` or a device
/// model), so mixed value types survive the JSON column and the API unchanged.
public enum MetadataValue: Sendable, Codable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }

    /// The JSON text of a metadata object, keys sorted so equal maps store equal text.
    static func encode(_ map: [String: MetadataValue]) -> String {
        if map.isEmpty { return "{}" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? String(decoding: encoder.encode(map), as: UTF8.self)) ?? "{}"
    }
}
