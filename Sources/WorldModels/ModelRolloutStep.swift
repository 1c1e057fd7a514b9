/// One imagined step of a `ModelEnvironment` rollout, for every row: the
/// transition `(s, a, r, s', terminated)` and, when the environment reports
/// members, every ensemble member's prediction (the offline penalties read
/// them). Row-major flat arrays; buffers are reused from step to step.
///
/// | field                        | shape                           |
/// |------------------------------|---------------------------------|
/// | `observations`               | `[rows, observationSize]` (s)   |
/// | `actions`                    | `[rows, actionSize]`            |
/// | `nextObservations`           | `[rows, observationSize]` (s')  |
/// | `rewards`                    | `[rows]`                        |
/// | `terminated`                 | `[rows]`                        |
/// | `active`                     | `[rows]`: the row had not terminated before this step |
/// | `memberNextObservationMeans` | `[members, rows, observationSize]` |
/// | `memberNextObservationStds`  | `[members, rows, observationSize]` (empty for deterministic members) |
/// | `memberRewards`              | `[members, rows]` (empty if the model predicts no reward) |
///
/// Only active rows are imagined transitions; an inactive row's values are
/// what the model computed from a state past its termination (ignore them).
public struct ModelRolloutStep: Sendable {
    public private(set) var rows = 0
    public private(set) var observationSize = 0
    public private(set) var actionSize = 0
    public var observations: [Float] = []
    public var actions: [Float] = []
    public var nextObservations: [Float] = []
    public var rewards: [Float] = []
    public var terminated: [Bool] = []
    public var active: [Bool] = []
    /// Members in the `member…` arrays (0 when the environment does not report them).
    public private(set) var members = 0
    public var memberNextObservationMeans: [Float] = []
    public var memberNextObservationStds: [Float] = []
    public var memberRewards: [Float] = []

    public init() {}

    /// The number of active rows.
    public var activeCount: Int { active.reduce(0) { $0 + ($1 ? 1 : 0) } }

    mutating func resize(rows: Int, observationSize: Int, actionSize: Int) {
        (self.rows, self.observationSize, self.actionSize) = (rows, observationSize, actionSize)
        func fit<T>(_ array: inout [T], _ count: Int, _ zero: T) {
            if array.count != count { array = [T](repeating: zero, count: count) }
        }
        fit(&nextObservations, rows * observationSize, 0)
        fit(&rewards, rows, 0)
        fit(&terminated, rows, false)
        fit(&active, rows, false)
    }

    mutating func resizeMembers(_ members: Int, rows: Int, observationSize: Int) {
        self.members = members
        func fit(_ array: inout [Float], _ count: Int) {
            if array.count != count { array = [Float](repeating: 0, count: count) }
        }
        fit(&memberNextObservationMeans, members * rows * observationSize)
        fit(&memberRewards, members * rows)
        fit(&memberNextObservationStds, members * rows * observationSize)
    }

    /// Copies a group's member predictions (its rows `rows` in order) into the step's rows.
    mutating func scatterMembers(from prediction: WorldModelPrediction, rows groupRows: [Int]) {
        let o = observationSize, n = rows, k = groupRows.count
        if prediction.memberNextObservationStds.isEmpty { memberNextObservationStds = [] }
        if prediction.memberRewards.isEmpty { memberRewards = [] }
        for m in 0..<min(members, prediction.members) {
            for (i, r) in groupRows.enumerated() {
                for j in 0..<o {
                    memberNextObservationMeans[(m * n + r) * o + j] = prediction.memberNextObservationMeans[(m * k + i) * o + j]
                    if !memberNextObservationStds.isEmpty {
                        memberNextObservationStds[(m * n + r) * o + j] = prediction.memberNextObservationStds[(m * k + i) * o + j]
                    }
                }
                if !memberRewards.isEmpty { memberRewards[m * n + r] = prediction.memberRewards[m * k + i] }
            }
        }
    }
}
