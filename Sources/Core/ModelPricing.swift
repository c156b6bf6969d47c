/// `pricing.models.<model>.{input_per_mtok, cached_input_per_mtok, output_per_mtok}`
/// (orchestration.md §4.4, §11): US dollars per million tokens, for agents whose CLI reports tokens
/// but no cost (Codex). A model without a price keeps its cost unknown, never $0.00.
public struct ModelPricing: Sendable, Equatable {
    public struct Price: Sendable, Equatable {
        public var inputPerMTok: Double?
        /// Input served from the provider's cache; the input price when not given.
        public var cachedInputPerMTok: Double?
        public var outputPerMTok: Double?

        public init(inputPerMTok: Double? = nil, cachedInputPerMTok: Double? = nil, outputPerMTok: Double? = nil) {
            self.inputPerMTok = inputPerMTok
            self.cachedInputPerMTok = cachedInputPerMTok
            self.outputPerMTok = outputPerMTok
        }
    }

    public var models: [String: Price] = [:]

    public init(models: [String: Price] = [:]) { self.models = models }

    static let prefix = "pricing.models."
    static let fields = ["input_per_mtok", "cached_input_per_mtok", "output_per_mtok"]

    /// Whether `key` names a price field (the model part may hold dots: `gpt-5.1-codex`).
    public static func isKey(_ key: String) -> Bool { split(key) != nil }

    static func split(_ key: String) -> (model: String, field: String)? {
        guard key.hasPrefix(prefix), let dot = key.lastIndex(of: ".") else { return nil }
        let modelStart = key.index(key.startIndex, offsetBy: prefix.count)
        guard dot > modelStart else { return nil }  // `pricing.models.<field>` names no model
        let field = String(key[key.index(after: dot)...])
        let model = String(key[modelStart..<dot])
        guard !model.isEmpty, fields.contains(field) else { return nil }
        return (model, field)
    }

    public mutating func apply(key: String, value: String) throws(ServerConfig.ConfigError) {
        guard let (model, field) = Self.split(key) else { throw .unknownKey(key) }
        guard let amount = Double(value), amount >= 0, amount.isFinite else {
            throw .invalid(key: key, message: "must be a price in US dollars per million tokens, got \"\(value)\"")
        }
        var price = models[model] ?? Price()
        switch field {
        case "input_per_mtok": price.inputPerMTok = amount
        case "cached_input_per_mtok": price.cachedInputPerMTok = amount
        default: price.outputPerMTok = amount
        }
        models[model] = price
    }

    /// The run's cost, or nil when the model has no input and output price.
    public func cost(model: String, input: Int64, cachedInput: Int64, output: Int64) -> Double? {
        guard let price = models[model], let inputPrice = price.inputPerMTok, let outputPrice = price.outputPerMTok
        else { return nil }
        let cached = min(max(cachedInput, 0), max(input, 0))
        let fresh = max(input, 0) - cached
        let dollars =
            Double(fresh) * inputPrice + Double(cached) * (price.cachedInputPerMTok ?? inputPrice)
            + Double(max(output, 0)) * outputPrice
        return dollars / 1_000_000
    }
}
