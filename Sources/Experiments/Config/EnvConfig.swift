import Environments

/// The environment: a registry id, its keyword settings, and an optional
/// episode step limit.
///
/// ```yaml
/// env:
///   id: ContinuousCartPole-v0
///   settings: {}            # passed to EnvironmentRegistry.make as SettingValues
///   max_episode_steps: 500  # optional; wraps the environment in a time limit
/// ```
///
/// Settings are scalars read with the YAML 1.2 core schema: `true` is a
/// boolean, `3` an integer, `0.5` a number, anything else (or anything quoted)
/// a string. Their keys and types are checked by the registry (which knows
/// each environment's `SettingSpec`s), not here.
public struct EnvConfig: ConfigSection {
    /// Registered environment id (see `mbrl env list`).
    public var id = "ContinuousCartPole-v0"
    /// Environment settings (keyword arguments), checked against the environment's spec.
    public var settings: [String: SettingValue] = [:]
    /// Truncate episodes after this many steps (nil: the environment's own limit).
    public var maxEpisodeSteps: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case id, settings
        case maxEpisodeSteps = "max_episode_steps"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&id, .id)
        if c.contains(.settings), try !c.decodeNil(forKey: .settings) {
            let nested = try c.nestedContainer(keyedBy: AnyConfigKey.self, forKey: .settings)
            for key in nested.allKeys {
                settings[key.stringValue] = try nested.decode(SettingScalar.self, forKey: key).value
            }
        }
        try c.update(&maxEpisodeSteps, .maxEpisodeSteps)
    }

    /// Writes settings in sorted key order, so the rendering is stable.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        var nested = c.nestedContainer(keyedBy: AnyConfigKey.self, forKey: .settings)
        for key in settings.keys.sorted() {
            let codingKey = AnyConfigKey(stringValue: key)!
            switch settings[key]! {
            case .int(let v): try nested.encode(v, forKey: codingKey)
            case .double(let v): try nested.encode(v, forKey: codingKey)
            case .bool(let v): try nested.encode(v, forKey: codingKey)
            case .string(let v): try nested.encode(v, forKey: codingKey)
            }
        }
        try c.encode(maxEpisodeSteps, forKey: .maxEpisodeSteps)
    }

    /// The environment `id` with `settings` from `registry`; `max_episode_steps`
    /// is passed as the environment's own `max_episode_steps` setting where it
    /// has one (replacing its default limit), or else wraps it in `TimeLimit`.
    public func makeEnvironment(in registry: EnvironmentRegistry) throws -> any Environment {
        var settings = self.settings
        let spec = try registry.spec(id)
        if let limit = maxEpisodeSteps {
            if spec.settings.contains(where: { $0.key == "max_episode_steps" }) {
                settings["max_episode_steps"] = .int(limit)
                return try registry.make(id, settings: settings)
            }
            return TimeLimit(AnyEnvironment(try registry.make(id, settings: settings)), maxEpisodeSteps: limit)
        }
        return try registry.make(id, settings: settings)
    }

    /// The config key an error from `makeEnvironment(in:)` is about: `env.id`,
    /// `env.settings.KEY`, `env.settings.command` for an external child, or `env`.
    public static func keyPath(of error: EnvironmentError) -> [String] {
        switch error {
        case .unknownID: return ["env", "id"]
        case .unknownSetting(_, let key, _), .invalidSetting(_, let key, _, _): return ["env", "settings", key]
        case .external: return ["env", "settings", "command"]
        default: return ["env"]
        }
    }

    public func validate() throws {
        try require(!id.isEmpty, "id", expected: "a registered environment id", found: "an empty string")
        if let maxEpisodeSteps { try requireAtLeast(maxEpisodeSteps, 1, "max_episode_steps") }
        for (key, value) in settings {
            if case .double(let v) = value, !v.isFinite {
                try require(false, "settings", expected: "finite numbers", found: "\(key): \(ConfigScalar.render(v))")
            }
        }
    }
}

/// One setting value: the first of boolean, integer, number, string that the scalar reads as.
private struct SettingScalar: Decodable {
    let value: SettingValue

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let v = try? container.decode(Bool.self) { value = .bool(v); return }
        if let v = try? container.decode(Int.self) { value = .int(v); return }
        if let v = try? container.decode(Double.self) { value = .double(v); return }
        do {
            value = .string(try container.decode(String.self))
        } catch var error as ConfigError {
            if case .typeMismatch(_, let found) = error.kind {
                error.kind = .typeMismatch(expected: "a boolean, integer, number or string", found: found)
            }
            throw error
        }
    }
}
