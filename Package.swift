// swift-tools-version: 6.0
import PackageDescription

// The layers of the package, lowest first:
//   CAutoencoderKernels  the hot loops in C: SGEMM, elementwise passes, byte conversion
//   AutoencoderKernels   the low-level layer for people who write kernels and layers: borrowed
//                        matrix and vector views over raw memory, the C kernels' Swift faces
//                        (the only public module whose API takes pointers; not re-exported)
//   AutoencoderNumerics  matrices, matrix multiply (CBLAS or built-in), instruction sets
//   AutoencoderNetwork   layers, activations, losses, optimizers, initialisers, trainer
//   AutoencoderData      dataset readers (IDX, MNIST) and batch conversion
//   AutoencoderPictures  image grids, scatter plots, PNG
//   AutoencoderSerialization  safetensors and .npy files
//   Autoencoder          the umbrella: presets, experiments, saved models
//   AutoencoderCLI       the `autoencoder` command's subcommands
let package = Package(
    name: "swift-autoencoder",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Autoencoder", targets: ["Autoencoder"]),
        // For writing layers, kernels and matrix-multiply backends: `import AutoencoderKernels`.
        .library(name: "AutoencoderKernels", targets: ["AutoencoderKernels"]),
        .executable(name: "autoencoder", targets: ["autoencoder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
        // SHA-256 of downloaded data sets, computed over the file in chunks.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries, present on every machine of this kind (zlib1g, libpng16, libjpeg62-turbo).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        // libjpeg (Debian's libjpeg62-turbo-dev), for image folders of JPEG files.
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
        // The hot kernels (the built-in matrix multiply, the fused elementwise passes), in C
        // so that one function can be compiled for AVX-512 or AVX2 and chosen at run time:
        // Swift has no per-function target, and a portable build targets baseline x86-64.
        // No unsafe flags: a package others depend on may not use them.
        .target(name: "CAutoencoderKernels", path: "Sources/CAutoencoderKernels"),

        // The one error protocol every module's errors conform to.
        .target(name: "AutoencoderErrors"),
        // Pointer-level views and kernels; every other module keeps pointers out of its public API
        // (AutoencoderTests' PublicAPITests checks it).
        .target(name: "AutoencoderKernels", dependencies: ["CAutoencoderKernels"]),
        .target(name: "AutoencoderNumerics", dependencies: ["CAutoencoderKernels", "AutoencoderKernels", "AutoencoderErrors"]),
        .target(name: "AutoencoderNetwork", dependencies: ["AutoencoderNumerics", "AutoencoderKernels", "AutoencoderErrors"]),
        .target(name: "AutoencoderData", dependencies: [
            "CZlib", "CPNG", "CJPEG", "CAutoencoderKernels", "AutoencoderKernels", "AutoencoderSerialization",
            "AutoencoderErrors",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "AutoencoderPictures", dependencies: ["CPNG", "AutoencoderErrors"]),
        .target(name: "AutoencoderSerialization", dependencies: ["AutoencoderErrors"]),
        .target(name: "Autoencoder", dependencies: [
            "AutoencoderKernels", "AutoencoderNumerics", "AutoencoderNetwork", "AutoencoderData",
            "AutoencoderPictures", "AutoencoderSerialization",
        ]),
        .target(name: "AutoencoderCLI", dependencies: [
            "Autoencoder",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "autoencoder", dependencies: ["AutoencoderCLI"]),
        // The README's library example, compiled so that it cannot go stale.
        .executableTarget(name: "library-quick-start", dependencies: ["Autoencoder"],
                          path: "Examples/LibraryQuickStart"),
        // The benchmark: speed, throughput, memory and allocations per training step.
        // Its own executable so that only it links the malloc-counting interposer.
        .executableTarget(
            name: "autoencoder-benchmark",
            dependencies: [
                "Autoencoder",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ],
            path: "Benchmarks/AutoencoderBenchmark"),
        // Times one data file's reading (Benchmarks/csv/compare.py sets it against pandas).
        .executableTarget(name: "autoencoder-read-benchmark", dependencies: ["AutoencoderData"],
                          path: "Benchmarks/ReadBenchmark"),

        .testTarget(name: "AutoencoderKernelsTests", dependencies: ["AutoencoderKernels"]),
        .testTarget(name: "AutoencoderNumericsTests", dependencies: ["AutoencoderNumerics", "AutoencoderKernels", "CAutoencoderKernels"]),
        .testTarget(name: "AutoencoderNetworkTests", dependencies: ["AutoencoderNetwork", "AutoencoderKernels", "CAutoencoderKernels"]),
        .testTarget(name: "AutoencoderDataTests", dependencies: ["AutoencoderData", "CPNG", "CJPEG"]),
        .testTarget(name: "AutoencoderPicturesTests", dependencies: ["AutoencoderPictures", "CPNG"]),
        .testTarget(name: "AutoencoderSerializationTests", dependencies: ["AutoencoderSerialization"]),
        .testTarget(name: "AutoencoderTests", dependencies: ["Autoencoder", "AutoencoderKernels"]),
        .testTarget(name: "AutoencoderCLITests", dependencies: ["AutoencoderCLI", "autoencoder"]),
    ],
    swiftLanguageModes: [.v6]
)
