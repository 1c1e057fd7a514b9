import ArgumentParser

/// `mbrl bench`: JSON lines for the workloads of ../shared/peers/torch_bench.py.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Run the performance benchmarks (build with -c release).")
}
