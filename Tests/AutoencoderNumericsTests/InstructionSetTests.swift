import AutoencoderNumerics
import Testing

/// `AUTOENCODER_ISA`'s names and the process-wide choice. (Running whole programs under
/// each instruction set is tested through the `autoencoder` executable, in the CLI tests:
/// the choice is made once per process.)
@Suite struct InstructionSetTests {
    @Test func namesRoundTrip() {
        for isa in InstructionSet.allCases {
            #expect(InstructionSet(environmentName: isa.environmentName) == isa)
        }
        #expect(InstructionSet.allCases.map(\.environmentName) == ["baseline", "avx2", "avx512"])
        #expect(InstructionSet.avx512.description == "AVX-512")
        // Whatever the case, as the tools' named options.
        #expect(InstructionSet(environmentName: "AVX2") == .avx2FMA)
        #expect(InstructionSet(environmentName: "Baseline") == .baseline)
        #expect(InstructionSet.environmentProblem("AVX512") == nil)
    }

    @Test(arguments: ["sse", "avx2 ", "portable", "1"])
    func unknownNamesAreAProblem(value: String) {
        #expect(InstructionSet(environmentName: value) == nil)
        #expect(InstructionSet.environmentProblem(value)
                == "AUTOENCODER_ISA must be avx512, avx2 or baseline, not '\(value)'.")
    }

    @Test func unsetEmptyAndKnownValuesAreFine() {
        for value in [nil, "", "avx512", "avx2", "baseline"] {
            #expect(InstructionSet.environmentProblem(value) == nil)
        }
    }

    /// The matrix multiply's best kernel follows the same choice as the other kernels.
    @Test func activeFollowsTheCPU() {
        let kernel: BuiltInMatrixMultiplier.Kernel = switch InstructionSet.active {
        case .avx512: .avx512
        case .avx2FMA: .avx2FMA
        case .baseline: .portable
        }
        #expect(BuiltInMatrixMultiplier.Kernel.best == kernel)
    }
}

/// The kernels use as many threads as the process may run on: its CPU affinity (`taskset`,
/// a container's CPU set), not every processor online.
@Suite struct CoreCountTests {
    @Test func followsTheAffinity() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let allowed = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
        let count = allowed.split(separator: ",").reduce(0) { total, range in
            let ends = range.split(separator: "-").compactMap { Int($0) }
            return total + (ends.count == 2 ? ends[1] - ends[0] + 1 : 1)
        }
        #expect(BuiltInMatrixMultiplier.coreCount == count)
    }
}
