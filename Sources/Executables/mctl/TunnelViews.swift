import Client

extension Views {
    /// `ID TYPE PORT PUBLIC URL STATUS EXPIRES` (cli.md §7).
    static let tunnel = ResourceView(
        plural: "tunnels",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "TYPE") { cell($0, "type") },
            .init(header: "PORT") { cell($0, "local_port") },
            .init(header: "PUBLIC URL") { cell($0, "public_url") },
            .init(header: "STATUS") { cell($0, "status") },
            .init(header: "EXPIRES") { timeCell($0, "expires_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Session", "session_id")
            f.text("Runner", "runner_id")
            f.text("Type", "type")
            f.text("Local Port", "local_port")
            f.text("Status", "status")
            f.text("Close Reason", "close_reason")
            f.text("URL", "public_url")
            f.text("Path URL", "path_url")
            f.text("Subdomain URL", "subdomain_url")
            f.text("Public Host", "public_host")
            f.text("Public Port", "public_port")
            f.bool("Public", "is_public")
            f.text("Host Header", "host_header")
            if let cidrs = item["allow_cidrs"]?.arrayValue, !cidrs.isEmpty {
                f.add("Allow CIDRs", cidrs.compactMap(\.stringValue).joined(separator: ", "))
            }
            f.map("Labels", "labels")
            f.time("Expires", "expires_at")
            f.time("Created", "created_at")
            f.time("Closed", "closed_at")
            return f.pairs
        }
    )
}
