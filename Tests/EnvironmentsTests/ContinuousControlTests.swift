import Foundation
import SeededRandom
import XCTest
@testable import Environments

/// Sanity of the continuous-control environments: an obvious scripted policy
/// clearly beats a random one, through the registered (time-limited) environments.
final class ContinuousControlTests: XCTestCase {
    /// Mean undiscounted return of `policy` over `episodes` episodes (seeds 0...).
    static func meanReturn(_ id: String, episodes: Int, settings: [String: SettingValue] = [:],
                           policy: (inout SeededGenerator, [Float], Space) -> Action) throws -> (mean: Double, lengths: [Int]) {
        var env = try EnvironmentRegistry.builtin.make(id, settings: settings)
        var generator = SeededGenerator(seed: 99)
        var total = 0.0
        var lengths: [Int] = []
        for e in 0..<episodes {
            var observation = try env.reset(seed: UInt64(e)).observation
            var length = 0
            while true {
                let r = try env.step(policy(&generator, observation, env.actionSpace))
                total += r.reward
                length += 1
                observation = r.observation
                if r.done { break }
            }
            lengths.append(length)
        }
        return (total / Double(episodes), lengths)
    }

    static let random: (inout SeededGenerator, [Float], Space) -> Action = { g, _, space in space.sample(using: &g) }

    static func clip(_ x: Double, _ limit: Double = 1) -> Float { Float(min(max(x, -limit), limit)) }

    func testContinuousCartPolePDBalancesFor200Steps() throws {
        let pd = try Self.meanReturn("ContinuousCartPole-v0", episodes: 5) { _, o, _ in
            .continuous([Self.clip(0.1 * Double(o[0]) + 0.16 * Double(o[1]) + 1.8 * Double(o[2]) + 0.3 * Double(o[3]))])
        }
        XCTAssertEqual(pd.lengths, [200, 200, 200, 200, 200], "PD controller balances until the 200-step limit")
        XCTAssertEqual(pd.mean, 200)
        let random = try Self.meanReturn("ContinuousCartPole-v0", episodes: 20, policy: Self.random)
        XCTAssertLessThan(random.mean, 60, "random policy drops the pole quickly")
    }

    func testSwingUpEnergyPumpingBeatsRandom() throws {
        let scripted = try Self.meanReturn("CartPoleSwingUp-v0", episodes: 3) { _, o, _ in
            let x = Double(o[0]), c = Double(o[1]), s = Double(o[2]), xDot = Double(o[3]), thetaDot = Double(o[4])
            let theta = atan2(s, c)
            if c > 0.8 {
                // PD/LQR-like balance around upright (force 10·a).
                return .continuous([Self.clip(0.1 * x + 0.2 * xDot + 3.0 * theta + 0.5 * thetaDot)])
            }
            // Energy pumping: e = (2/3) l θ̇² + g (cos θ − 1), 0 upright at rest.
            let e = (2.0 / 3.0) * 0.5 * thetaDot * thetaDot + 9.8 * (c - 1)
            let pump = e < 0 ? -(thetaDot * c >= 0 ? 1.0 : -1.0) * min(1, -e / 5 + 0.3) : 0
            return .continuous([Self.clip(pump - 0.05 * x - 0.05 * xDot)])
        }
        let random = try Self.meanReturn("CartPoleSwingUp-v0", episodes: 3, policy: Self.random)
        XCTAssertGreaterThan(scripted.mean, 400, "swing-up then balance earns most of the 1000 steps")
        XCTAssertLessThan(random.mean, 100)
        XCTAssertGreaterThan(scripted.mean, 4 * random.mean)
    }

    func testReacherJacobianTransposeBeatsRandom() throws {
        let scripted = try Self.meanReturn("Reacher2D-v0", episodes: 10) { _, o, _ in
            let c1 = Double(o[0]), c2 = Double(o[1]), s1 = Double(o[2]), s2 = Double(o[3])
            let c12 = c1 * c2 - s1 * s2, s12 = s1 * c2 + c1 * s2
            let ex = -Double(o[8]), ey = -Double(o[9])  // target − tip
            // τ = Kp Jᵀ e − Kd q̇ with J of the two unit links.
            let t1 = 3 * ((-s1 - s12) * ex + (c1 + c12) * ey) - 0.8 * Double(o[6])
            let t2 = 3 * (-s12 * ex + c12 * ey) - 0.8 * Double(o[7])
            return .continuous([Self.clip(t1), Self.clip(t2)])
        }
        let random = try Self.meanReturn("Reacher2D-v0", episodes: 10, policy: Self.random)
        XCTAssertGreaterThan(scripted.mean, random.mean + 40, "scripted \(scripted.mean) vs random \(random.mean)")
    }

    /// `PointMazeWaypointController`'s action as a test policy.
    static func mazePolicy(_ maze: PointMaze) -> (inout SeededGenerator, [Float], Space) -> Action {
        let controller = PointMazeWaypointController(maze: maze)
        return { _, o, _ in .continuous(controller.action(for: o)) }
    }

    func testPointMazeGreedyToGoalBeatsRandom() throws {
        for layout in ["umaze", "medium"] {
            let maze = try PointMaze(layout: layout)
            let scripted = try Self.meanReturn("PointMaze-v0", episodes: 3, settings: ["layout": .string(layout)],
                                               policy: Self.mazePolicy(maze))
            XCTAssertTrue(scripted.lengths.allSatisfy { $0 < 300 }, "\(layout): reaches the goal, lengths \(scripted.lengths)")
            let random = try Self.meanReturn("PointMaze-v0", episodes: 3, settings: ["layout": .string(layout)], policy: Self.random)
            XCTAssertGreaterThan(scripted.mean, random.mean / 3, "\(layout): scripted \(scripted.mean) vs random \(random.mean)")
        }
        let sparse = try Self.meanReturn("PointMaze-v0", episodes: 2, settings: ["reward": .string("sparse")],
                                         policy: Self.mazePolicy(try PointMaze()))
        XCTAssertEqual(sparse.mean, 1, "sparse reward: 1 on reaching the goal, 0 otherwise")
    }

    func testPointMazeWallsHold() throws {
        var maze = try PointMaze(layout: "umaze")
        _ = try maze.reset(seed: 0)
        // Push straight up from the start: the wall between the corridors must stop the ball.
        for _ in 0..<100 {
            let r = try maze.step(.continuous([0, -1]))
            XCTAssertFalse(maze.collides(Double(r.observation[0]), Double(r.observation[1])))
            XCTAssertGreaterThan(r.observation[1], 3.0, "ball stays in the bottom corridor")
        }
        XCTAssertThrowsError(try PointMaze(layout: "#####\n#S..#\n#####")) { error in
            XCTAssertTrue("\(error)".contains("one 'S' and one 'G'"), "\(error)")
        }
        XCTAssertThrowsError(try PointMaze(layout: "nope")) { error in
            XCTAssertTrue("\(error)".contains("umaze"), "\(error)")
        }
    }

    func testSwingUpRewardMatchesDmControlFormula() {
        // Upright, centred, no control, at rest: every factor is 1.
        XCTAssertEqual(CartPoleSwingUp.reward(x: 0, theta: 0, thetaDot: 0, action: 0), 1, accuracy: 1e-12)
        // Hanging down: upright = 0.
        XCTAssertEqual(CartPoleSwingUp.reward(x: 0, theta: .pi, thetaDot: 0, action: 0), 0, accuracy: 1e-12)
        // At the margins: centered = (1 + 0.1)/2, small_control = 4/5, small_velocity = (1 + 0.1)/2.
        XCTAssertEqual(CartPoleSwingUp.reward(x: 2, theta: 0, thetaDot: 5, action: 1), 0.55 * 0.8 * 0.55, accuracy: 1e-12)
    }

    func testContinuousCartPoleMatchesCartPoleDynamicsAtFullForce() throws {
        var a = ContinuousCartPole(), b = CartPole()
        try a.setSimulatorState([0.01, -0.02, 0.03, 0.04])
        try b.setSimulatorState([0.01, -0.02, 0.03, 0.04])
        for t in 0..<10 {
            let ra = try a.step(.continuous([t % 2 == 0 ? 1 : -1]))
            let rb = try b.step(.discrete(t % 2 == 0 ? 1 : 0))
            XCTAssertEqual(ra.observation, rb.observation, "force ±10 equals CartPole's pushes")
        }
    }
}
