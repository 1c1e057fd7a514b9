import CBLAS
import CKernels
import Foundation
import SeededRandom

/// A PETS probabilistic ensemble (Chua et al. 2018, "Deep Reinforcement
/// Learning in a Handful of Trials using Probabilistic Dynamics Models"),
/// following mbrl-lib's `GaussianMLP` and `peers/torch_bench.py`'s
/// `GaussianEnsemble`, with a hand-written, fused and parallel training step.
///
/// **Model.** E members, each an MLP over row vectors (`x·W + b`, weights
/// `[E, in, out]`, all members batched): `hiddenLayers` layers
/// `h ← act(h·W + b)` of width `hiddenSize`, then a head with `2D` outputs
/// `(mean, raw)`. The log-variance is soft-bounded by learned `[1, D]`
/// parameters (init `min_logvar = -10`, `max_logvar = 0.5`):
///
///     logvar = max − softplus(max − raw);  logvar = min + softplus(logvar − min)
///
/// **Loss** (mbrl-lib `_nll_loss`), per member the mean over batch B and D:
///
///     L = Σ_e mean_{b,d}[(μ − y)²·exp(−logvar) + logvar] + 0.01·(Σ max − Σ min)
///
/// or, for a `deterministic` ensemble, `L = Σ_e mean_{b,d}(μ − y)²`.
///
/// **Layouts.** Inputs `[E, B, inputSize]`, targets / means / log-variances
/// `[E, B, outputSize]`, all row-major: member e sees its own rows, so
/// bootstrapped training batches and TS-∞ particle propagation (particle p
/// tied to member p mod E, rows regrouped per member) are the same call.
///
/// **Parameters** live in one flat buffer in PyTorch's `named_parameters()`
/// order and naming (`min_logvar`, `max_logvar`, `hidden.0.weight`,
/// `hidden.0.bias` `[E, 1, out]`, …, `head.weight`, `head.bias`), which is also
/// the order of gradients and Adam moments.
///
/// **Cost.** A training step is ≈ 3 × forward GEMM FLOPs
/// (2·B·E·Σ in·out each); it runs in three phases on `threads` workers with
/// OpenBLAS at one thread (this initialiser calls `openblas_set_num_threads(1)`,
/// a process-wide setting): (1) per (member, row block) the forward, loss and
/// the back-propagated chain `dZ·Wᵀ ⊙ act'`; (2) per (member, layer, input
/// block), largest first, the weight and bias gradients followed at once by
/// Adam on that slice; (3) the log-variance bounds. Buffers are allocated once
/// per batch size (training) or row count (``predict(inputs:rows:means:logvars:)``).
/// Measured (`mbrl bench`, 2-core AVX2 Zen 3, release, quietest window): a
/// torch_bench `ensemble_mlp` step 7.6–7.8 ms against a GEMM floor of
/// ≈ 5.6 ms (946 MFLOP at the ~84 GFLOP/s per core OpenBLAS reaches on these
/// shapes); the 10k-row forward ≈ 19.5 ms. The rest is Adam (memory-bound,
/// ~10% of CPU time), activations and OpenBLAS packing.
///
/// Initialisation: ``EnsembleInitialization/truncatedNormal`` (mbrl-lib) by
/// default, ``EnsembleInitialization/uniform`` to match torch_bench exactly;
/// biases zero, `min_logvar = −10`, `max_logvar = 0.5`; draws come from the
/// given ``SeededGenerator`` layer by layer, member by member, row-major.
///
/// Not thread-safe: one caller at a time (it parallelises internally).
public final class GaussianEnsembleMLP {
    /// The network's shape and conventions.
    public let configuration: GaussianEnsembleMLPConfiguration
    /// Number of scalar parameters (622 072 for torch_bench's `ensemble_mlp`).
    public let parameterCount: Int
    /// Names, shapes and flat offsets of the parameters, in PyTorch order.
    public let parameterSpecs: [EnsembleParameterSpec]

    let ensembleSize: Int
    let inputSize: Int
    let outputSize: Int
    let hiddenSize: Int
    let headSize: Int
    let activationCode: Int32
    /// Hidden layers then the head.
    let layers: [EnsembleLayerLayout]
    /// Offsets of min_logvar / max_logvar (−1 when deterministic).
    let minLogvarOffset: Int
    let maxLogvarOffset: Int

    let parameters: UnsafeMutablePointer<Float>
    let gradients: UnsafeMutablePointer<Float>
    var adamFirstMoment: UnsafeMutablePointer<Float>?
    var adamSecondMoment: UnsafeMutablePointer<Float>?
    /// Adam steps taken so far (t of the bias corrections).
    public internal(set) var optimizerStep: Int = 0

    let queue: EnsembleWorkQueue
    /// Row blocks per member in the training phase 1 (nil: balanced policy,
    /// see ``EnsembleTrainingWorkspace``).
    let trainingRowSplits: Int?
    /// Target rows per work item of ``predict(inputs:rows:means:logvars:)``.
    let predictionChunkRows: Int
    var trainingWorkspace: EnsembleTrainingWorkspace?
    var predictionWorkspace: EnsemblePredictionWorkspace?

    /// Creates the ensemble with seeded weights.
    /// - Parameters:
    ///   - threads: workers for the parallel phases (default: active cores).
    ///   - trainingRowSplits: row blocks per member in training; nil (default):
    ///     whole members while they divide evenly over the workers, the rest
    ///     split into one block per worker.
    ///   - predictionChunkRows: rows per work item when predicting (default 256).
    /// - Throws: ``GaussianEnsembleMLPError/invalidConfiguration(_:)``.
    public init(_ configuration: GaussianEnsembleMLPConfiguration, generator: inout SeededGenerator,
                threads: Int? = nil, trainingRowSplits: Int? = nil, predictionChunkRows: Int = 256) throws {
        try configuration.validate()
        guard (trainingRowSplits ?? 1) >= 1, predictionChunkRows >= 1 else {
            throw GaussianEnsembleMLPError.invalidConfiguration(
                "trainingRowSplits and predictionChunkRows must be at least 1, got \(trainingRowSplits ?? 1), \(predictionChunkRows)")
        }
        if let t = threads, t < 1 {
            throw GaussianEnsembleMLPError.invalidConfiguration("threads must be at least 1, got \(t)")
        }
        self.configuration = configuration
        ensembleSize = configuration.ensembleSize
        inputSize = configuration.inputSize
        outputSize = configuration.outputSize
        hiddenSize = configuration.hiddenSize
        headSize = configuration.headSize
        activationCode = configuration.activation.kernelCode
        self.trainingRowSplits = trainingRowSplits
        self.predictionChunkRows = predictionChunkRows

        // Flat layout in PyTorch order: bounds, hidden layers, head.
        var specs: [EnsembleParameterSpec] = []
        var offset = 0
        func add(_ name: String, _ shape: [Int]) -> Int {
            let count = shape.reduce(1, *)
            specs.append(EnsembleParameterSpec(name: name, shape: shape, offset: offset, count: count))
            offset += count
            return offset - count
        }
        let d = configuration.outputSize, e = configuration.ensembleSize
        if configuration.deterministic {
            minLogvarOffset = -1
            maxLogvarOffset = -1
        } else {
            minLogvarOffset = add("min_logvar", [1, d])
            maxLogvarOffset = add("max_logvar", [1, d])
        }
        var layers: [EnsembleLayerLayout] = []
        for l in 0...configuration.hiddenLayers {
            let isHead = l == configuration.hiddenLayers
            let fanIn = l == 0 ? configuration.inputSize : configuration.hiddenSize
            let fanOut = isHead ? configuration.headSize : configuration.hiddenSize
            let prefix = isHead ? "head" : "hidden.\(l)"
            let w = add("\(prefix).weight", [e, fanIn, fanOut])
            let b = add("\(prefix).bias", [e, 1, fanOut])
            layers.append(EnsembleLayerLayout(inputSize: fanIn, outputSize: fanOut, weightOffset: w, biasOffset: b))
        }
        self.layers = layers
        parameterSpecs = specs
        parameterCount = offset

        parameters = .allocate(capacity: offset)
        parameters.initialize(repeating: 0, count: offset)
        gradients = .allocate(capacity: offset)
        gradients.initialize(repeating: 0, count: offset)
        queue = EnsembleWorkQueue(workers: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        openblas_set_num_threads(1)

        // Seeded initialisation: layer by layer, member by member, row-major.
        if !configuration.deterministic {
            for j in 0..<d {
                parameters[minLogvarOffset + j] = -10
                parameters[maxLogvarOffset + j] = 0.5
            }
        }
        for layer in layers {
            let n = e * layer.inputSize * layer.outputSize
            let w = parameters + layer.weightOffset
            switch configuration.initialization {
            case .uniform:
                let bound = 1 / Float(layer.inputSize).squareRoot()
                for i in 0..<n { w[i] = generator.uniform(-bound, bound) }
            case .truncatedNormal:
                let std = 1 / (2 * Float(layer.inputSize).squareRoot())
                for i in 0..<n {
                    var value = generator.normal(mean: 0, std: std)
                    while abs(value) > 2 * std { value = generator.normal(mean: 0, std: std) }
                    w[i] = value
                }
            }
        }
    }

    deinit {
        parameters.deallocate()
        gradients.deallocate()
        adamFirstMoment?.deallocate()
        adamSecondMoment?.deallocate()
    }

    /// Worker threads of the parallel phases.
    public var threads: Int { queue.workers }

    // MARK: - Named parameters (checkpoints, fixtures)

    /// Parameter names in PyTorch order.
    public var parameterNames: [String] { parameterSpecs.map(\.name) }

    /// Every parameter with its PyTorch name, shape and values (copies).
    public func namedParameters() -> [(name: String, shape: [Int], values: [Float])] {
        parameterSpecs.map { ($0.name, $0.shape, Array(UnsafeBufferPointer(start: parameters + $0.offset, count: $0.count))) }
    }

    /// The values of one parameter (row-major, shape in ``parameterSpecs``).
    public func parameter(named name: String) throws -> [Float] {
        let spec = try self.spec(named: name)
        return Array(UnsafeBufferPointer(start: parameters + spec.offset, count: spec.count))
    }

    /// Overwrites one parameter; Adam's moments are kept.
    public func setParameter(named name: String, values: [Float]) throws {
        let spec = try self.spec(named: name)
        guard values.count == spec.count else {
            throw GaussianEnsembleMLPError.parameterSizeMismatch(name: name, expected: spec.count, got: values.count)
        }
        values.withUnsafeBufferPointer { (parameters + spec.offset).update(from: $0.baseAddress!, count: spec.count) }
    }

    /// All parameters as one flat array in ``parameterSpecs`` order (get / set).
    public var flatParameters: [Float] {
        get { Array(UnsafeBufferPointer(start: parameters, count: parameterCount)) }
        set {
            precondition(newValue.count == parameterCount, "flatParameters: expected \(parameterCount) values, got \(newValue.count)")
            newValue.withUnsafeBufferPointer { parameters.update(from: $0.baseAddress!, count: parameterCount) }
        }
    }

    /// Adam's state: the step count and the first and second moments in
    /// ``parameterSpecs`` order (zeros before the first step), for checkpoints
    /// that continue training exactly.
    public var optimizerState: (step: Int, firstMoment: [Float], secondMoment: [Float]) {
        get {
            func copy(_ p: UnsafeMutablePointer<Float>?) -> [Float] {
                p.map { Array(UnsafeBufferPointer(start: $0, count: parameterCount)) } ?? [Float](repeating: 0, count: parameterCount)
            }
            return (optimizerStep, copy(adamFirstMoment), copy(adamSecondMoment))
        }
        set {
            precondition(newValue.firstMoment.count == parameterCount && newValue.secondMoment.count == parameterCount && newValue.step >= 0,
                         "optimizerState: expected \(parameterCount) moments and a step >= 0")
            if adamFirstMoment == nil {
                adamFirstMoment = .allocate(capacity: parameterCount)
                adamSecondMoment = .allocate(capacity: parameterCount)
            }
            newValue.firstMoment.withUnsafeBufferPointer { adamFirstMoment!.initialize(from: $0.baseAddress!, count: parameterCount) }
            newValue.secondMoment.withUnsafeBufferPointer { adamSecondMoment!.initialize(from: $0.baseAddress!, count: parameterCount) }
            optimizerStep = newValue.step
        }
    }

    /// Forgets Adam's moments and step count.
    public func resetOptimizer() {
        optimizerStep = 0
        adamFirstMoment?.update(repeating: 0, count: parameterCount)
        adamSecondMoment?.update(repeating: 0, count: parameterCount)
    }

    private func spec(named name: String) throws -> EnsembleParameterSpec {
        guard let spec = parameterSpecs.first(where: { $0.name == name }) else {
            throw GaussianEnsembleMLPError.unknownParameter(name: name, known: parameterNames)
        }
        return spec
    }
}

/// Name, shape and place in the flat buffer of one ``GaussianEnsembleMLP`` parameter.
public struct EnsembleParameterSpec: Equatable, Sendable {
    /// PyTorch-style name, e.g. `hidden.0.weight`.
    public let name: String
    /// Row-major shape, e.g. `[E, in, out]`.
    public let shape: [Int]
    /// Offset in the flat parameter / gradient buffers.
    public let offset: Int
    /// Number of values.
    public let count: Int
}

/// One batched linear layer inside the flat buffer: weight `[E, in, out]` at
/// `weightOffset`, bias `[E, out]` at `biasOffset`.
struct EnsembleLayerLayout {
    let inputSize: Int
    let outputSize: Int
    let weightOffset: Int
    let biasOffset: Int
}

/// Row-major single-precision GEMM `C = op(A)·op(B)` on one thread, or
/// `C += op(A)·op(B)` with `accumulate` (C pre-filled, e.g. with the bias).
/// `C` must be contiguous (`ldc == n`). OpenBLAS's own β = 0 pass is slower
/// than clearing C here and accumulating (≈ 10% of a 128×200×200 sgemm).
@inline(__always)
func ensembleGEMM(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                  _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                  _ c: UnsafeMutablePointer<Float>, _ ldc: Int, accumulate: Bool = false) {
    if !accumulate { c.update(repeating: 0, count: m * ldc) }
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 1, c, Int32(ldc))
}
