import NN
import SeededRandom
import WorldModels

extension BenchmarkSuite {
    /// torch_bench's `gru_seq`: `GRUModel` = nn.GRU(10 → 256, batch_first) + Linear(256 → 8),
    /// inputs `[32, 64, 10]`, targets `[32, 64, 8]` ~ N(0, 1), MSE, Adam lr 1e-3
    /// (207,880 parameters); one step = forward, backward, Adam. The GRU is
    /// ``WorldModels/GRUBackbone`` (fused layer op) on `threads` workers, OpenBLAS at 1 thread.
    func gruSequence() -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let gru = GRUBackbone(inputSize: 10, hiddenSize: 256, layers: 1, threads: options.threads, generator: &g)
        var r = sequenceTraining(gru, name: "gru_seq", generator: &g)
        r.set("hidden", .integer(256))
        return r
    }
}
