import Yams

/// Serialises `JSONValue` as YAML, keeping key order. Strings that would read
/// back as another type (`"true"`, `"123"`, timestamps, empty) are quoted;
/// multi-line strings use literal block style.
public enum YAMLWriter {
    public static func yaml(_ value: JSONValue) throws -> String {
        try Yams.serialize(
            node: node(for: value),
            indent: 2,
            width: -1,
            allowUnicode: true
        )
    }

    /// YAML for `value`, with a trailing newline; falls back to JSON text if
    /// the emitter fails (JSON is valid YAML).
    public static func yamlOrJSON(_ value: JSONValue) -> String {
        if let text = try? yaml(value) { return text.hasSuffix("\n") ? text : text + "\n" }
        return JSONWriter.pretty(value) + "\n"
    }

    static func node(for value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let bool): return Node(bool ? "true" : "false", Tag(.bool))
        case .number(let literal): return Node(literal, Tag(literal.contains(where: { ".eE".contains($0) }) ? .float : .int))
        case .string(let string):
            // Multi-line text reads best as a literal block (libyaml falls back
            // to a quoted style when a literal block cannot represent it).
            if string.contains("\n") { return .scalar(Node.Scalar(string, Tag(.str), .literal)) }
            return .scalar(string.represented())
        case .array(let values): return Node(values.map(node(for:)))
        case .object(let object):
            return Node(object.map { (key, element) in (Node.scalar(key.represented()), node(for: element)) })
        }
    }
}
