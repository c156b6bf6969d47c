import NIOHPACK

/// The parts of a data-connection request's header block the server acts on.
public struct FabricDataRequestHead: Sendable, Hashable {
    public var method: String
    public var path: String
    public var runnerID: String
    public var token: String

    public init(method: String, path: String, runnerID: String, token: String) {
        self.method = method
        self.path = path
        self.runnerID = runnerID
        self.token = token
    }

    /// Why a header block was refused, and the status it is answered with.
    public enum Failure: Error, Sendable, Hashable {
        /// `:method` or `:path` missing or repeated: 400.
        case malformed
        /// `x-runner-id` / `x-runner-token` missing, empty, repeated or over-long: 401.
        case missingCredentials

        public var status: Int {
            switch self {
            case .malformed: return 400
            case .missingCredentials: return 401
            }
        }
    }

    /// Longest accepted runner ID or token, in bytes.
    public static let maxCredentialLength = 512

    /// Validates a request header block: exactly one non-empty `:method`, `:path`, `x-runner-id` and
    /// `x-runner-token` each.
    public static func parse(_ headers: HPACKHeaders) -> Result<FabricDataRequestHead, Failure> {
        guard let method = single(headers, ":method"), let path = single(headers, ":path") else {
            return .failure(.malformed)
        }
        guard let runnerID = single(headers, FabricDataSettings.runnerIDHeader),
            let token = single(headers, FabricDataSettings.runnerTokenHeader),
            runnerID.utf8.count <= maxCredentialLength, token.utf8.count <= maxCredentialLength
        else {
            return .failure(.missingCredentials)
        }
        return .success(FabricDataRequestHead(method: method, path: path, runnerID: runnerID, token: token))
    }

    private static func single(_ headers: HPACKHeaders, _ name: String) -> String? {
        let values = headers[name]
        guard values.count == 1, let value = values.first, !value.isEmpty else { return nil }
        return value
    }
}
