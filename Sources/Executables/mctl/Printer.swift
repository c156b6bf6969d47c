import Client

/// Prints API values in the selected format. Prose lines (confirmations,
/// empty-list notes, paging hints) appear only in table mode.
struct Printer {
    let format: OutputFormat

    var isTable: Bool { format == .table }

    /// A value as JSON or YAML exactly as received.
    func raw(_ value: JSONValue) {
        switch format {
        case .json, .table: Console.line(JSONWriter.pretty(value))
        case .yaml: Console.out(YAMLWriter.yamlOrJSON(value))
        }
    }

    /// One resource: `Field: value` lines in table mode.
    func object(_ value: JSONValue, view: ResourceView) {
        guard isTable else { return raw(value) }
        Console.out(TableRenderer.fields(view.fields(value)))
    }

    /// A list envelope: a table (or `empty`) plus the paging hint in table mode.
    func list(_ envelope: JSONValue, view: ResourceView) {
        guard isTable else { return raw(envelope) }
        let items = ListEnvelope.items(envelope)
        if items.isEmpty {
            Console.line("No \(view.plural) found.")
        } else {
            Console.out(TableRenderer.render(headers: view.columns.map(\.header), rows: items.map { item in
                view.columns.map { $0.value(item) }
            }))
        }
        if ListEnvelope.hasMore(envelope), let cursor = ListEnvelope.nextCursor(envelope) {
            Console.line("More results available. Use --cursor \(cursor) to see the next page.")
        }
    }

    /// A prose line (table mode only).
    func message(_ text: String) {
        if isTable { Console.line(text) }
    }

    /// One record of a stream: NDJSON in json mode, a YAML document in yaml mode.
    func record(_ value: JSONValue) {
        switch format {
        case .json, .table: Console.line(JSONWriter.compact(value))
        case .yaml: Console.out("---\n" + YAMLWriter.yamlOrJSON(value))
        }
    }
}
