import ArgumentParser
import BenchmarkSuite
import Foundation

/// `mbrl bench`: JSON lines for the workloads of ../shared/peers/torch_bench.py
/// (a `machine` line, then one line per case). Build with `-c release`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the performance benchmarks (build with -c release).",
        discussion: "Cases: \(BenchmarkSuite.caseNames.joined(separator: ", ")).")

    @Option(help: "Comma-separated cases to run (default: all).")
    var cases: String = BenchmarkSuite.caseNames.joined(separator: ",")

    @Option(help: "Worker threads (Swift workers for the ensemble, OpenBLAS threads for sgemm).")
    var threads: Int = 2

    @Option(help: "Untimed warm-up training steps.")
    var warmup: Int = 10

    @Option(help: "Timed training steps (the median is reported).")
    var steps: Int = 50

    @Option(help: "Seed for weights and inputs.")
    var seed: UInt64 = 0

    var options: BenchmarkSuite.Options {
        BenchmarkSuite.Options(cases: cases.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                               threads: threads, warmup: warmup, steps: steps, seed: seed)
    }

    func validate() throws {
        do { try options.validate() } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        try BenchmarkSuite(options: options).run { print($0) }
    }
}
