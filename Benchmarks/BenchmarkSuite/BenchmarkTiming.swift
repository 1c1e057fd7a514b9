import Dispatch
import Foundation

/// Wall-clock timings of repeated runs, in milliseconds.
public struct BenchmarkTiming {
    /// Every timed repetition (after warm-up), in run order.
    public let milliseconds: [Double]
    /// Process CPU time (user + system, all threads) per timed repetition, in
    /// milliseconds: a load-independent view of the work done (≈ threads × wall
    /// time when the workers are busy; excludes time other processes steal).
    public let cpuMillisecondsPerRepetition: Double

    /// Runs `body` `warmup` times untimed, then `repetitions` times timed one by one
    /// (monotonic clock), as peers/torch_bench.py's `median_ms`.
    public init(warmup: Int, repetitions: Int, _ body: () -> Void) {
        for _ in 0..<warmup { body() }
        var ms: [Double] = []
        ms.reserveCapacity(repetitions)
        let cpu0 = BenchmarkTiming.processCPUSeconds()
        for _ in 0..<repetitions {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            ms.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        milliseconds = ms
        cpuMillisecondsPerRepetition = (BenchmarkTiming.processCPUSeconds() - cpu0) * 1e3 / Double(max(repetitions, 1))
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The median (mean of the middle two for an even count, as Python's statistics.median).
    public var median: Double {
        let s = milliseconds.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The fastest repetition.
    public var best: Double { milliseconds.min() ?? .nan }
}
