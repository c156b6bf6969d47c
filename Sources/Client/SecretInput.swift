/// Secret flag values: `@path` reads a file, `-` reads standard input,
/// anything else is the literal value. File and stdin text is trimmed.
public enum SecretInput {
    public static func resolve(
        _ value: String,
        readFile: (String) throws -> String,
        readStdin: () throws -> String
    ) throws -> String {
        if value == "-" { return try readStdin().trimmingSpaces() }
        if value.hasPrefix("@"), value.count > 1 { return try readFile(String(value.dropFirst())).trimmingSpaces() }
        return value
    }
}
