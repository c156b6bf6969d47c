/// The error responses an operation lists, as `$ref`s to the shared `components/responses`
/// (`'401': $ref: '#/components/responses/Unauthorized'`, …), written once instead of per
/// operation in every OpenAPI fragment.
enum OpenAPIErrorResponses {
    static let names: [Int: String] = [
        400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 410: "Gone",
        413: "PayloadTooLarge", 429: "TooManyRequests", 500: "InternalError", 501: "NotImplemented",
        503: "ServiceUnavailable",
    ]

    /// The YAML lines of `codes` under an operation's `responses:` (8 spaces in), without a
    /// trailing newline.
    static func refs(_ codes: Int...) -> String {
        codes.map { code in
            guard let name = names[code] else { preconditionFailure("no shared response for \(code)") }
            return "        '\(code)':\n          $ref: '#/components/responses/\(name)'"
        }.joined(separator: "\n")
    }
}
