import Core
import Foundation

/// Admin API credentials (auth-security.md §5): HTTP Basic with the UI user, or Bearer master key,
/// both compared in constant time. API keys are refused here.
public struct AdminAuthenticator: Sendable {
    public let username: String
    private let password: String
    private let masterKey: String?
    public let disabled: Bool

    public init(username: String, password: String, masterKey: String?, disabled: Bool = false) {
        self.username = username
        self.password = password
        self.masterKey = masterKey
        self.disabled = disabled
    }

    /// Returns the actor name (`admin` user or `master-key`) or throws `unauthorized`.
    public func authenticate(authorization: String?) throws(APIError) -> String {
        if disabled { return "insecure-admin" }
        guard let header = authorization, !header.isEmpty else {
            throw APIError(status: 401, code: "unauthorized", message: "authentication required")
        }
        let invalid = APIError(status: 401, code: "unauthorized", message: "invalid credentials")
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { throw invalid }
        let scheme = parts[0].lowercased()
        let value = String(parts[1]).trimmingCharacters(in: .whitespaces)
        switch scheme {
        case "basic":
            guard let data = Data(base64Encoded: value), let text = String(data: data, encoding: .utf8),
                let colon = text.firstIndex(of: ":")
            else { throw invalid }
            let user = String(text[..<colon])
            let pass = String(text[text.index(after: colon)...])
            // Evaluate both comparisons so timing does not tell which field was wrong.
            let userOK = Tokens.constantTimeEquals(user, username)
            let passOK = Tokens.constantTimeEquals(pass, password)
            guard userOK && passOK else { throw invalid }
            return user
        case "bearer":
            guard let master = masterKey, Tokens.constantTimeEquals(value, master) else { throw invalid }
            return "master-key"
        default:
            throw invalid
        }
    }
}
