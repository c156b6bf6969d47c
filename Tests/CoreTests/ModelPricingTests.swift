import Core
import Testing

/// `pricing.models.*`: parsed from config keys (model names with dots included), cached input at
/// its own price, unknown models unpriced.
struct ModelPricingTests {
    @Test func configKeysAndCost() throws {
        var config = ServerConfig()
        try config.apply(key: "pricing.models.gpt-5.1-codex.input_per_mtok", value: "1.25")
        try config.apply(key: "pricing.models.gpt-5.1-codex.cached_input_per_mtok", value: "0.125")
        try config.apply(key: "pricing.models.gpt-5.1-codex.output_per_mtok", value: "10")
        try config.apply(key: "pricing.models.mini.input_per_mtok", value: "0.25")
        let price = try #require(config.pricing.models["gpt-5.1-codex"])
        #expect(price == ModelPricing.Price(inputPerMTok: 1.25, cachedInputPerMTok: 0.125, outputPerMTok: 10))
        // 24,763 input of which 24,448 cached, 122 output.
        let cost = try #require(config.pricing.cost(model: "gpt-5.1-codex", input: 24_763, cachedInput: 24_448, output: 122))
        #expect(abs(cost - (315 * 1.25 + 24_448 * 0.125 + 122 * 10) / 1_000_000) < 1e-12)
        // No output price: unknown, never $0.00. Unknown model: unknown.
        #expect(config.pricing.cost(model: "mini", input: 100, cachedInput: 0, output: 1) == nil)
        #expect(config.pricing.cost(model: "other", input: 100, cachedInput: 0, output: 1) == nil)
        // Without a cached price, cached input costs the input price.
        var plain = ModelPricing()
        try plain.apply(key: "pricing.models.m.input_per_mtok", value: "2")
        try plain.apply(key: "pricing.models.m.output_per_mtok", value: "4")
        #expect(plain.cost(model: "m", input: 1_000_000, cachedInput: 500_000, output: 1_000_000) == 6)
    }

    @Test func badKeysAndValuesAreRefused() {
        var config = ServerConfig()
        #expect(throws: ServerConfig.ConfigError.self) { try config.apply(key: "pricing.models.m.input_per_mtok", value: "cheap") }
        #expect(throws: ServerConfig.ConfigError.self) { try config.apply(key: "pricing.models.m.input_per_mtok", value: "-1") }
        #expect(throws: ServerConfig.ConfigError.self) { try config.apply(key: "pricing.models.m.per_token", value: "1") }
        #expect(!ModelPricing.isKey("pricing.models.input_per_mtok"))
        #expect(ModelPricing.isKey("pricing.models.a.b.output_per_mtok"))
    }
}
