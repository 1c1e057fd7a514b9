import Foundation

/// A file of reference trajectories in the format of `shared/golden/*.json`
/// (written from Gymnasium 1.4): the environment id, its spaces and
/// `max_episode_steps`, and episodes that start from `initial_state` and record
/// per step the action, observation, simulator state, reward and both flags.
///
/// Parsed with JSON5 allowed, because Python's `json` writes `Infinity` for
/// unbounded spaces.
public struct GoldenTrajectories: Decodable, Sendable {
    public var envID: String
    public var maxEpisodeSteps: Int?
    public var observationSpace: SpaceDescription
    public var actionSpace: SpaceDescription
    public var episodes: [Episode]

    /// A space as written by the generator: `type` is `Box` or `Discrete`.
    public struct SpaceDescription: Decodable, Sendable {
        public var type: String
        public var shape: [Int]?
        public var low: [Double]?
        public var high: [Double]?
        public var n: Int?
        public var start: Int?

        /// The `Space` it describes, or an error for an unknown kind.
        public func space() throws -> Space {
            switch type {
            case "Box":
                guard let low, let high else { throw EnvironmentError.invalid("golden Box space without low/high") }
                return .box(Box(low: low.map { Float($0) }, high: high.map { Float($0) }, shape: shape))
            case "Discrete":
                guard let n else { throw EnvironmentError.invalid("golden Discrete space without n") }
                return .discrete(Discrete(n, start: start ?? 0))
            default:
                throw EnvironmentError.invalid("golden space of unknown type '\(type)'; expected Box or Discrete")
            }
        }
    }

    /// A recorded action: an integer (discrete) or a vector (continuous).
    public enum RecordedAction: Decodable, Sendable {
        case discrete(Int)
        case continuous([Double])

        public init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let i = try? container.decode(Int.self) { self = .discrete(i); return }
            self = .continuous(try container.decode([Double].self))
        }

        /// As an `Action` (continuous values are float32, written exactly).
        public var action: Action {
            switch self {
            case .discrete(let i): return .discrete(i)
            case .continuous(let v): return .continuous(v.map { Float($0) })
            }
        }
    }

    /// One recorded episode: reset `seed`, the state it was set to, and per step
    /// the action and what Gymnasium returned (`states[t]` is the state after step `t`).
    public struct Episode: Decodable, Sendable {
        public var seed: Int
        public var initialState: [Double]
        public var initialObservation: [Double]
        public var actions: [RecordedAction]
        public var observations: [[Double]]
        public var states: [[Double]]?
        public var rewards: [Double]
        public var terminated: [Bool]
        public var truncated: [Bool]

        enum CodingKeys: String, CodingKey {
            case seed, actions, observations, states, rewards, terminated, truncated
            case initialState = "initial_state", initialObservation = "initial_observation"
        }
    }

    enum CodingKeys: String, CodingKey {
        case envID = "env_id", maxEpisodeSteps = "max_episode_steps"
        case observationSpace = "observation_space", actionSpace = "action_space", episodes
    }

    /// Reads a golden file; a missing file or malformed JSON is an error naming the path.
    public static func load(contentsOf url: URL) throws -> GoldenTrajectories {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EnvironmentError.invalid("cannot read trajectory file '\(url.path)': no such file or not readable")
        }
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        do { return try decoder.decode(GoldenTrajectories.self, from: data) } catch {
            throw EnvironmentError.invalid("'\(url.path)' is not a golden trajectory file: \(error)")
        }
    }
}
