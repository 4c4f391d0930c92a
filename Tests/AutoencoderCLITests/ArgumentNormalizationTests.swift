@testable import AutoencoderCLI
import Testing

/// `joiningNegativeListValues`: negative numbers after a list option reach the command's
/// own check instead of being read as options.
@Suite struct ArgumentNormalizationTests {
    @Test(arguments: [
        (["reconstruct", "--indices", "-1"], ["reconstruct", "--indices=-1"]),
        (["reconstruct", "--indices", "2", "-3", "4", "--colormap", "gray"],
         ["reconstruct", "--indices=2,-3,4", "--colormap", "gray"]),
        (["reconstruct", "--indices", "0", "1", "--output", "-1.png"],
         ["reconstruct", "--indices", "0", "1", "--output", "-1.png"]),
        (["reconstruct", "--indices", "0,-1"], ["reconstruct", "--indices", "0,-1"]),
        (["reconstruct", "--indices"], ["reconstruct", "--indices"]),
        (["reconstruct", "--indices", "-x"], ["reconstruct", "--indices", "-x"]),
        (["reconstruct", "--", "--indices", "-1"], ["reconstruct", "--", "--indices", "-1"]),
        (["decode", "--range", "-3,3"], ["decode", "--range", "-3,3"]),
    ])
    func rewrites(_ arguments: [String], _ expected: [String]) {
        #expect(joiningNegativeListValues(arguments) == expected)
    }
}
