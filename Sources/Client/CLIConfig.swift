import Foundation
import Yams

/// One named context of the CLI config file.
public struct ContextConfig: Sendable, Equatable {
    public var server: String?
    public var apiKey: String?
    public var adminServer: String?
    public var adminUsername: String?
    public var adminPassword: String?
    public var insecureSkipTLSVerify: Bool?
    public var certificateAuthority: String?

    public init(
        server: String? = nil,
        apiKey: String? = nil,
        adminServer: String? = nil,
        adminUsername: String? = nil,
        adminPassword: String? = nil,
        insecureSkipTLSVerify: Bool? = nil,
        certificateAuthority: String? = nil
    ) {
        self.server = server
        self.apiKey = apiKey
        self.adminServer = adminServer
        self.adminUsername = adminUsername
        self.adminPassword = adminPassword
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.certificateAuthority = certificateAuthority
    }
}

/// A context with its name.
public struct NamedContext: Sendable, Equatable {
    public var name: String
    public var context: ContextConfig

    public init(name: String, context: ContextConfig) {
        self.name = name
        self.context = context
    }
}

/// The CLI config file:
///
/// ```yaml
/// current-context: local
/// contexts:
///   local:
///     server: http://127.0.0.1:8080
///     api-key: mk_...
///     admin-server: http://127.0.0.1:8081
///     admin-username: admin
///     admin-password: ...
/// ```
public struct CLIConfig: Sendable, Equatable {
    public var currentContext: String?
    /// Contexts in file order.
    public private(set) var contexts: [NamedContext]

    public init(currentContext: String? = nil, contexts: [(String, ContextConfig)] = []) {
        self.currentContext = currentContext
        self.contexts = contexts.map { NamedContext(name: $0.0, context: $0.1) }
    }

    public var contextNames: [String] { contexts.map(\.name) }

    public func context(named name: String) -> ContextConfig? {
        contexts.first { $0.name == name }?.context
    }

    /// Inserts or replaces a context (an existing one keeps its position).
    public mutating func setContext(_ name: String, _ context: ContextConfig) {
        if let index = contexts.firstIndex(where: { $0.name == name }) {
            contexts[index].context = context
        } else {
            contexts.append(NamedContext(name: name, context: context))
        }
    }

    /// Removes a context; clears `current-context` when it pointed at it. Returns whether it existed.
    @discardableResult
    public mutating func removeContext(_ name: String) -> Bool {
        guard let index = contexts.firstIndex(where: { $0.name == name }) else { return false }
        contexts.remove(at: index)
        if currentContext == name { currentContext = nil }
        return true
    }

    // MARK: YAML

    public static let redacted = "[redacted]"

    /// Parses the YAML text of a config file. An empty document is an empty config.
    public static func parse(yaml: String) throws -> CLIConfig {
        guard let root = try Yams.compose(yaml: yaml) else { return CLIConfig() }
        guard let mapping = root.mapping else { throw ConfigError.invalidFile("the top level must be a mapping") }
        var config = CLIConfig()
        if let current = mapping["current-context"], current.scalar != nil, current.null == nil {
            let name = current.string ?? ""
            config.currentContext = name.isEmpty ? nil : name
        }
        if let contextsNode = mapping["contexts"], contextsNode.null == nil {
            guard let contexts = contextsNode.mapping else {
                throw ConfigError.invalidFile("contexts must be a mapping of name to settings")
            }
            for (key, value) in contexts {
                guard let name = key.string else { continue }
                var context = ContextConfig()
                if let fields = value.mapping {
                    func string(_ field: String) -> String? {
                        guard let node = fields[field], node.null == nil, let text = node.string else { return nil }
                        return text
                    }
                    context.server = string("server")
                    context.apiKey = string("api-key")
                    context.adminServer = string("admin-server")
                    context.adminUsername = string("admin-username")
                    context.adminPassword = string("admin-password")
                    context.insecureSkipTLSVerify = fields["insecure-skip-tls-verify"]?.bool
                    context.certificateAuthority = string("certificate-authority")
                } else if value.null == nil {
                    throw ConfigError.invalidFile("context \"\(name)\" must be a mapping")
                }
                config.setContext(name, context)
            }
        }
        return config
    }

    /// The config as a JSON-like value (for YAML output); secrets replaced
    /// by `[redacted]` unless `redactSecrets` is false.
    public func value(redactSecrets: Bool) -> JSONValue {
        var contextsObject = JSONObject()
        for entry in contexts {
            let context = entry.context
            var object = JSONObject()
            func secret(_ text: String?) -> JSONValue? {
                guard let text else { return nil }
                return .string(redactSecrets && !text.isEmpty ? Self.redacted : text)
            }
            object["server"] = context.server.map(JSONValue.string)
            object["api-key"] = secret(context.apiKey)
            object["admin-server"] = context.adminServer.map(JSONValue.string)
            object["admin-username"] = context.adminUsername.map(JSONValue.string)
            object["admin-password"] = secret(context.adminPassword)
            object["insecure-skip-tls-verify"] = context.insecureSkipTLSVerify.map(JSONValue.bool)
            object["certificate-authority"] = context.certificateAuthority.map(JSONValue.string)
            contextsObject[entry.name] = .object(object)
        }
        var root = JSONObject()
        root["current-context"] = .string(currentContext ?? "")
        root["contexts"] = .object(contextsObject)
        return .object(root)
    }

    /// YAML text of the file.
    public func yaml(redactSecrets: Bool = false) throws -> String {
        try YAMLWriter.yaml(value(redactSecrets: redactSecrets))
    }

    // MARK: Files

    /// Loads the file at `path`; a missing file is an empty config.
    public static func load(path: String) throws -> CLIConfig {
        guard FileManager.default.fileExists(atPath: path) else { return CLIConfig() }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError.unreadable(path: path, reason: error.localizedDescription)
        }
        do {
            return try parse(yaml: String(decoding: data, as: UTF8.self))
        } catch let error as ConfigError {
            throw ConfigError.invalid(path: path, reason: error.reason)
        } catch {
            throw ConfigError.invalid(path: path, reason: String(describing: error))
        }
    }

    /// Writes the file: its directory is created with mode 0700, the file is
    /// written to a temporary name with mode 0600 and renamed into place.
    public func save(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        }
        let text = try yaml(redactSecrets: false)
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw ConfigError.unwritable(path: path, reason: String(cString: strerror(errno))) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw ConfigError.unwritable(path: path, reason: reason)
            }
            written += result
        }
        fchmod(fd, 0o600)
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ConfigError.unwritable(path: path, reason: reason)
        }
    }
}

public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidFile(String)
    case invalid(path: String, reason: String)
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case contextNotFound(String)
    case noClientConfigured
    case noAdminCredentials

    var reason: String {
        if case .invalidFile(let reason) = self { return reason }
        return description
    }

    public var description: String {
        switch self {
        case .invalidFile(let reason): return "invalid config file: \(reason)"
        case .invalid(let path, let reason): return "invalid config file \(path): \(reason)"
        case .unreadable(let path, let reason): return "cannot read config file \(path): \(reason)"
        case .unwritable(let path, let reason): return "cannot write config file \(path): \(reason)"
        case .contextNotFound(let name): return "context \"\(name)\" not found"
        case .noClientConfigured:
            return "no API client configured. Use --server and --api-key or configure a context"
        case .noAdminCredentials:
            return "no admin credentials configured. Use --admin-username and --admin-password, --master-key, or configure a context"
        }
    }
}
