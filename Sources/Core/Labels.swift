/// Label and annotation rules (api.md §1.2): keys ≤ 63 chars of `[A-Za-z0-9._/-]`, values ≤ 255
/// chars, ≤ 64 pairs. Annotations only have the pair and size limits.
public enum Labels {
    public static func validate(_ labels: [String: String], field: String = "labels") throws(APIError) {
        guard labels.count <= 64 else { throw .validation("\(field) may hold at most 64 pairs", field: field) }
        for (key, value) in labels {
            guard !key.isEmpty, key.utf8.count <= 63, key.utf8.allSatisfy(isKeyByte) else {
                throw .validation(
                    "\(field) key \"\(key.prefix(80))\" must be 1-63 characters of A-Z a-z 0-9 . _ / -", field: field)
            }
            guard value.count <= 255 else {
                throw .validation("\(field) value for \"\(key)\" is longer than 255 characters", field: field)
            }
        }
    }

    public static func validateAnnotations(_ annotations: [String: String]) throws(APIError) {
        guard annotations.count <= 64 else {
            throw .validation("annotations may hold at most 64 pairs", field: "annotations")
        }
        for (key, value) in annotations where key.isEmpty || key.count > 255 || value.utf8.count > 65_536 {
            throw .validation("annotation \"\(key.prefix(80))\" has an empty or oversized key or value", field: "annotations")
        }
    }

    private static func isKeyByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 46 || b == 95 || b == 47
            || b == 45
    }
}
