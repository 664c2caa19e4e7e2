// swift-tools-version:6.0
import PackageDescription

// Egret: a Cranelift-compatible backend (CLIF in, x86-64 out) and the harness that
// tests it. Dependency direction (docs/ARCHITECTURE.md):
//   egret -> EgretFuzz -> EgretHarness -> (EgretCodegen, EgretInterpreter) -> EgretIR
//   egret -> EgretSMT -> EgretCodegen
// EgretInterpreter never imports the backend: the oracle stays independent of what it
// judges. The package uses the Swift 5 language mode throughout: Egret runs in
// parallel across processes, and strict concurrency checking only adds noise around
// its global tables and C interop.
let package = Package(
    name: "Egret",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "egret", targets: ["egret"]),
        .executable(name: "EgretFuzzTarget", targets: ["EgretFuzzTarget"]),
        .library(name: "EgretIR", targets: ["EgretIR"]),
        .library(name: "EgretInterpreter", targets: ["EgretInterpreter"]),
        .library(name: "EgretCodegen", targets: ["EgretCodegen"]),
        .library(name: "EgretSMT", targets: ["EgretSMT"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "EgretIR"),
        .target(name: "EgretInterpreter", dependencies: ["EgretIR"]),
        .systemLibrary(name: "CCapstone", pkgConfig: "capstone",
                       providers: [.apt(["libcapstone-dev"])]),
        .target(name: "EgretRuntime"),
        .systemLibrary(name: "CZ3", pkgConfig: "z3", providers: [.apt(["libz3-dev"])]),
        .target(name: "EgretCodegen", dependencies: ["EgretIR", "CCapstone", "EgretRuntime"]),
        // Running and judging run directives on every executor: egret run, the
        // oracle, the culprit locator and the corpus replay share it.
        .target(name: "EgretHarness", dependencies: ["EgretIR", "EgretInterpreter", "EgretCodegen"]),
        .target(name: "EgretFuzz", dependencies: ["EgretIR", "EgretInterpreter", "EgretCodegen", "EgretHarness"]),
        .target(name: "EgretSMT", dependencies: ["EgretIR", "EgretCodegen", "CZ3"]),
        .executableTarget(
            name: "egret",
            dependencies: [
                "EgretIR", "EgretInterpreter", "EgretHarness", "EgretFuzz", "EgretSMT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // libFuzzer target (Sources/EgretFuzzTarget/FuzzTarget.swift says how to build it
        // instrumented); in the default build it is a small replay driver.
        .executableTarget(name: "EgretFuzzTarget", dependencies: ["EgretFuzz"]),
        // What every test target shares: the package's paths, the misallocation hook.
        .target(name: "EgretTestSupport", dependencies: ["EgretIR", "EgretCodegen", "EgretHarness"],
                path: "Tests/EgretTestSupport"),
        .testTarget(name: "EgretIRTests", dependencies: ["EgretIR", "EgretTestSupport"]),
        .testTarget(name: "EgretInterpreterTests", dependencies: ["EgretIR", "EgretInterpreter", "EgretTestSupport"]),
        .testTarget(name: "EgretCodegenTests",
                    dependencies: ["EgretIR", "EgretCodegen", "CCapstone", "EgretRuntime", "EgretTestSupport"]),
        .testTarget(name: "EgretRuntimeTests", dependencies: ["EgretRuntime"]),
        .testTarget(name: "EgretHarnessTests",
                    dependencies: ["EgretIR", "EgretInterpreter", "EgretCodegen", "EgretHarness", "EgretTestSupport"]),
        .testTarget(name: "EgretSMTTests",
                    dependencies: ["EgretIR", "EgretInterpreter", "EgretCodegen", "EgretSMT", "EgretHarness",
                                   "EgretTestSupport"]),
        .testTarget(name: "EgretFuzzTests",
                    dependencies: ["EgretIR", "EgretInterpreter", "EgretCodegen", "EgretHarness", "EgretFuzz",
                                   "EgretTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
