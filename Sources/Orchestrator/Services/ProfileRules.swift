import Core

/// The shapes of a profile's JSON fields (data-model.md §3.3). Known fields are type-checked and
/// unknown ones refused, so a typo such as `memory` for `memory_mb` is an error, not a silent default.
enum ProfileRules {
    static let networkLevels = ["none", "allow_list", "proxy", "air_gapped"]
    static let tunnelTypes = ["http", "tcp", "desktop", "android", "browser"]
    static let scriptLimit = 64 << 10

    /// `{cpus, memory_mb, disk_mb, gpus}`.
    static func resources(_ object: [String: JSONAnyValue]) throws(APIError) {
        try known(object, ["cpus", "memory_mb", "disk_mb", "gpus"], in: "resources")
        if let cpus = object["cpus"] {
            guard let value = number(cpus), value > 0, value <= 1024 else {
                throw .validation("resources.cpus must be a number of CPUs above 0 (fractions allowed)", field: "resources.cpus")
            }
        }
        for key in ["memory_mb", "disk_mb"] {
            guard let value = object[key] else { continue }
            guard case .int(let megabytes) = value, megabytes > 0 else {
                throw .validation("resources.\(key) must be a whole number of MiB above 0", field: "resources.\(key)")
            }
        }
        if let gpus = object["gpus"] {
            guard case .int(let count) = gpus, (0...64).contains(count) else {
                throw .validation("resources.gpus must be a whole number from 0 to 64", field: "resources.gpus")
            }
        }
    }

    /// `{level, allowed_hosts[], allowed_ports[]}`; wildcard hosts only with `proxy`
    /// (auth-security.md §8: packet filters cannot enforce them).
    static func network(_ object: [String: JSONAnyValue]) throws(APIError) {
        try known(object, ["level", "allowed_hosts", "allowed_ports"], in: "network")
        var level: String?
        if let value = object["level"] {
            guard case .string(let name) = value, networkLevels.contains(name) else {
                throw .validation("network.level must be one of \(networkLevels.joined(separator: ", "))", field: "network.level")
            }
            level = name
        }
        if let value = object["allowed_hosts"] {
            guard case .array(let hosts) = value, hosts.count <= 256 else {
                throw .validation("network.allowed_hosts must be a list of at most 256 host names", field: "network.allowed_hosts")
            }
            for host in hosts {
                guard case .string(let name) = host, !name.isEmpty, name.utf8.count <= 253, !name.contains(" "), !name.contains("/")
                else { throw .validation("network.allowed_hosts must hold host names", field: "network.allowed_hosts") }
                if name.contains("*") && level != "proxy" {
                    throw .validation(
                        "wildcard host \"\(name)\" needs network.level proxy; packet filters cannot enforce it",
                        field: "network.allowed_hosts")
                }
            }
        }
        if let value = object["allowed_ports"] {
            guard case .array(let ports) = value, ports.count <= 256,
                ports.allSatisfy({ if case .int(let port) = $0 { (1...65535).contains(port) } else { false } })
            else { throw .validation("network.allowed_ports must be a list of ports 1-65535", field: "network.allowed_ports") }
        }
    }

    /// Auto-created on attach: `{type: http|tcp, local_port, …}` become tunnels (the other fields
    /// as the tunnel create body takes them), `{type: desktop|android|browser}` streams.
    static func tunnels(_ list: [JSONAnyValue]) throws(APIError) {
        guard list.count <= 32 else { throw .validation("tunnels may list at most 32 entries", field: "tunnels") }
        for (index, entry) in list.enumerated() {
            let field = "tunnels[\(index)]"
            guard case .object(let object) = entry else { throw .validation("\(field) must be an object", field: field) }
            guard case .string(let type)? = object["type"], tunnelTypes.contains(type) else {
                throw .validation("\(field).type must be one of \(tunnelTypes.joined(separator: ", "))", field: field)
            }
            if type == "http" || type == "tcp" {
                guard case .int(let port)? = object["local_port"], (1...65535).contains(port) else {
                    throw .validation("\(field).local_port must be a port 1-65535 for a \(type) tunnel", field: field)
                }
            }
        }
    }

    /// `{os, arch, capabilities[]}`.
    static func selector(_ object: [String: JSONAnyValue]) throws(APIError) {
        try known(object, ["os", "arch", "capabilities"], in: "selector")
        for key in ["os", "arch"] {
            guard let value = object[key] else { continue }
            guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 64 else {
                throw .validation("selector.\(key) must be a short string such as linux or amd64", field: "selector.\(key)")
            }
        }
        if let value = object["capabilities"] {
            guard case .array(let names) = value, names.count <= 64,
                names.allSatisfy({ if case .string(let name) = $0 { !name.isEmpty && name.utf8.count <= 128 } else { false } })
            else { throw .validation("selector.capabilities must be a list of capability names", field: "selector.capabilities") }
        }
    }

    static func script(_ text: String?, field: String) throws(APIError) {
        guard let text else { return }
        guard text.utf8.count <= scriptLimit else { throw .validation("\(field) must be at most 64 KiB", field: field) }
    }

    private static func known(_ object: [String: JSONAnyValue], _ fields: [String], in name: String) throws(APIError) {
        for key in object.keys.sorted() where !fields.contains(key) {
            throw .validation("\(name) has no field \"\(key.prefix(64))\"; it takes \(fields.joined(separator: ", "))", field: name)
        }
    }

    private static func number(_ value: JSONAnyValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number.isFinite ? number : nil
        default: nil
        }
    }
}
