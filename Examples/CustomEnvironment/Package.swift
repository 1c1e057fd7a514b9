// swift-tools-version:6.0
// A user's package with their own environments and the whole `mbrl` command
// line over them. It depends on the framework by path here; in your own
// package use `.package(url: "https://github.com/…/mbrl", branch: "main")`.
import PackageDescription

let package = Package(
    name: "CustomEnvironment",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "mbrl", path: "../.."),
    ],
    targets: [
        // The environments, as a library of their own (so tests and other tools can use them).
        .target(name: "UserEnvironments", dependencies: [.product(name: "MBRL", package: "mbrl")]),
        // `my-mbrl`: every mbrl command (run, eval-model, env, report, bench) over the built-ins and these.
        .executableTarget(name: "my-mbrl", dependencies: ["UserEnvironments", .product(name: "MBRL", package: "mbrl")]),
    ]
)
