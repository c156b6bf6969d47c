import Foundation

/// Any JSON value, for free-form objects the API passes through unchanged (an agent config's
/// `extra`: strings, numbers, booleans, lists such as `allowed_tools`).
public indirect enum JSONAnyValue: Sendable, Codable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONAnyValue])
    case object([String: JSONAnyValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONAnyValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONAnyValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The JSON text of an object, keys sorted so equal objects store equal text.
    static func encode(_ object: [String: JSONAnyValue]) -> String {
        (try? String(decoding: JSONEncoder.sortedKeys.encode(object), as: UTF8.self)) ?? "{}"
    }

    /// The JSON text of a list.
    static func encode(array: [JSONAnyValue]) -> String {
        (try? String(decoding: JSONEncoder.sortedKeys.encode(array), as: UTF8.self)) ?? "[]"
    }

    static func decodeObject(_ text: String?) -> [String: JSONAnyValue] {
        guard let text else { return [:] }
        return (try? JSONDecoder().decode([String: JSONAnyValue].self, from: Data(text.utf8))) ?? [:]
    }

    static func decodeArray(_ text: String?) -> [JSONAnyValue] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([JSONAnyValue].self, from: Data(text.utf8))) ?? []
    }
}
