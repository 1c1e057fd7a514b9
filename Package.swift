// swift-tools-version:6.0
// A model-based reinforcement learning framework in Swift.
//
// Target graph (lowest first; each depends only on targets above it). Every
// arrow is a declared dependency and an `import` in the target's sources:
//
//   CBLAS, CKernels              C shims: OpenBLAS headers; vectorised kernels (element-wise, fused layers, SSM, attention)
//   SystemZlib                   system-library shim over zlib.h (CRC-32 for .npz entries)
//   SeededRandom                 splittable seeded generator (no dependencies)
//   AtomicFiles                  temporary file + fsync + rename writes (Foundation only)
//   TensorCore → CBLAS, CKernels, SeededRandom   Tensor, kernels, autodiff
//   NN → TensorCore, CBLAS, CKernels, SeededRandom, AtomicFiles   layers, fused ops, parallel-for, losses, optimizers,
//                                checkpoints, sequence kernels
//   Environments → SeededRandom  environments, spaces, wrappers, registry (Foundation only)
//   Replay → Environments, SeededRandom, AtomicFiles, SystemZlib, ZIPFoundation   replay buffer, sequences, datasets on
//                                disk (.npz)
//   WorldModels → NN, TensorCore, CBLAS, CKernels, SeededRandom, Replay, Environments, AtomicFiles
//                                world-model protocol, ensembles, backbones, trainer, uncertainty penalties
//   Planning → WorldModels, SeededRandom   MPC planners, agents
//   Learners → NN, CKernels, SeededRandom, Replay   model-free learners: tabular Q / Dyna-Q, DQN, SAC (-N, EDAC), BC,
//                                TD3+BC
//   Reports → SeededRandom       run records → tables and plots, bootstrap statistics (Foundation only)
//   Experiments → WorldModels, Planning, Learners, Reports, NN, SeededRandom, Environments, Replay, AtomicFiles, Yams
//                                configs, runner, loops, datasets
//   BenchmarkSuite → NN, TensorCore, CBLAS, CKernels, SeededRandom, Replay, WorldModels, Planning, Learners
//                                `mbrl bench` workloads
//   MBRLCommandLine → Experiments, Reports, BenchmarkSuite, SeededRandom, Environments, Replay, ArgumentParser
//                                every `mbrl` command, over any registry
//   mbrl → MBRLCommandLine        the command-line tool (MBRLCommandLine.main() over the built-ins)
import PackageDescription

let package = Package(
    name: "mbrl",
    platforms: [.macOS(.v14)],
    // MARK: - Public API
    products: [
        .executable(name: "mbrl", targets: ["mbrl"]),
        .library(name: "MBRL", targets: [
            "SeededRandom", "TensorCore", "NN", "Environments", "Replay", "WorldModels", "Planning", "Learners", "Reports",
            "Experiments", "MBRLCommandLine",
        ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // MARK: - C shims
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "CKernels", path: "Sources/CKernels"),
        .systemLibrary(name: "SystemZlib", path: "Sources/SystemZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // MARK: - Numerics
        .target(name: "SeededRandom"),
        .target(name: "AtomicFiles"),
        .target(name: "TensorCore", dependencies: ["CBLAS", "CKernels", "SeededRandom"]),
        .target(name: "NN", dependencies: ["TensorCore", "CBLAS", "CKernels", "SeededRandom", "AtomicFiles"]),

        // MARK: - Reinforcement learning
        .target(name: "Environments", dependencies: ["SeededRandom"], path: "Environments/Sources"),
        .target(name: "Replay", dependencies: [
            "Environments", "SeededRandom", "AtomicFiles", "SystemZlib", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .target(name: "WorldModels", dependencies: [
            "NN", "TensorCore", "CBLAS", "CKernels", "SeededRandom", "Replay", "Environments", "AtomicFiles",
        ]),
        .target(name: "Planning", dependencies: ["WorldModels", "SeededRandom"]),
        .target(name: "Learners", dependencies: ["NN", "CKernels", "SeededRandom", "Replay"]),
        .target(name: "Reports", dependencies: ["SeededRandom"]),
        .target(name: "Experiments", dependencies: [
            "WorldModels", "Planning", "Learners", "Reports", "NN", "SeededRandom", "Environments", "Replay", "AtomicFiles",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "BenchmarkSuite", dependencies: [
            "NN", "TensorCore", "CBLAS", "CKernels", "SeededRandom", "Replay", "WorldModels", "Planning", "Learners",
        ], path: "Benchmarks/BenchmarkSuite"),
        .target(name: "MBRLCommandLine", dependencies: [
            "Experiments", "Reports", "BenchmarkSuite", "SeededRandom", "Environments", "Replay",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "mbrl", dependencies: ["MBRLCommandLine"]),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["TensorCore", "NN", "Environments", "SeededRandom"], path: "Sources/TestSupport"),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"]),
        .testTarget(name: "AtomicFilesTests", dependencies: ["AtomicFiles"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TensorCore", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EnvironmentsTests", dependencies: ["Environments", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Environments", "TestSupport"]),
        .testTarget(name: "WorldModelsTests", dependencies: ["WorldModels", "NN", "TensorCore", "TestSupport"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "TestSupport"]),
        .testTarget(name: "LearnersTests", dependencies: ["Learners", "Environments", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "SeededRandom"], exclude: ["Fixtures"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "TestSupport"]),
        .testTarget(name: "mbrlTests", dependencies: ["mbrl", "SeededRandom"]),
    ],
    swiftLanguageModes: [.v5]
)
