import NN
import SeededRandom
import WorldModels

extension BenchmarkSuite {
    /// torch_bench's `gru_seq`: `GRUModel` = nn.GRU(10 → 256, batch_first) + Linear(256 → 8),
    /// inputs `[32, 64, 10]`, targets `[32, 64, 8]` ~ N(0, 1), MSE, Adam lr 1e-3
    /// (207,880 parameters); one step = forward, backward, Adam. The GRU is what
    /// `model.backbone: gru` with `gru: {hidden_size: 256, layers: 1, update_gate_bias: 0}`
    /// builds (``WorldModels/GRUBackbone``, fused layer op) on `threads` workers, OpenBLAS at 1 thread.
    func gruSequence() throws -> BenchmarkRecord {
        var settings = WorldModelSettings()
        settings.backbone = .gru
        settings.gru.hiddenSize = 256
        settings.gru.layers = 1
        settings.gru.updateGateBias = 0  // PyTorch's init, as torch_bench
        var r = try sequenceTraining(settings, name: "gru_seq")
        r.set("hidden", .integer(256))
        return r
    }
}
