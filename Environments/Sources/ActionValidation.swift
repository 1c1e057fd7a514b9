/// Action checks shared by the built-in environments: an action outside the
/// space is an `EnvironmentError.actionOutOfSpace`, never a trap.

/// The index of a discrete action in `0 ..< n`, or an error naming the action and the space.
@inline(__always)
func discreteIndex(_ action: Action, n: Int, environment: String) throws -> Int {
    if case .discrete(let i) = action, i >= 0, i < n { return i }
    throw EnvironmentError.actionOutOfSpace(environment: environment, action: action.description,
                                            space: Discrete(n).description)
}

/// The vector of a continuous action inside `box`, or an error naming the action and the box.
@inline(__always)
func boxVector(_ action: Action, box: Box, environment: String) throws -> [Float] {
    if case .continuous(let v) = action, box.contains(v) { return v }
    throw EnvironmentError.actionOutOfSpace(environment: environment, action: action.description,
                                            space: box.description)
}

/// The single component of a one-dimensional continuous action in `[low, high]`.
@inline(__always)
func scalarAction(_ action: Action, low: Float, high: Float, environment: String) throws -> Float {
    if case .continuous(let v) = action, v.count == 1, v[0] >= low, v[0] <= high { return v[0] }
    throw EnvironmentError.actionOutOfSpace(environment: environment, action: action.description,
                                            space: Box(low: low, high: high, shape: [1]).description)
}

/// Where an environment is in its episode: steps are only valid while `running`.
enum EpisodePhase: Hashable, Sendable {
    case needsReset
    case running
}
