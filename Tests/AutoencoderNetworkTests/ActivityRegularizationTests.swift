import AutoencoderKernels
import AutoencoderNetwork
import AutoencoderNumerics
import Foundation
import Testing

@Suite struct ActivityRegularizationTests {
    /// Identity forward; `l1·Σ|y| + l2·Σy²` per sample, averaged over the batch, added to
    /// the context's loss.
    @Test func copiesAndAddsThePenalty() {
        let layer = ActivityRegularization(width: 3, l1: 0.5, l2: 0.25)
        let input = Matrix([[1, -2, 0], [0.5, 3, -1]])
        var output = Matrix(rows: 2, columns: 3, repeating: .nan)
        var context = LayerContext()
        context.addedLoss = 1
        input.withView { x in
            output.withMutableView { layer.forward(x, parameters: UnsafePointer(bitPattern: 8)!, into: $0, context: &context) }
        }
        #expect(output == input)
        // Σ|y| = 7.5, Σy² = 15.25: (0.5·7.5 + 0.25·15.25) / 2, on top of the 1 already there.
        #expect(abs(context.addedLoss - (1 + (0.5 * 7.5 + 0.25 * 15.25) / 2)) < 1e-12)
    }

    @Test func backwardAddsThePenaltysGradient() {
        let layer = ActivityRegularization(width: 2, l1: 0.5, l2: 0.25)
        let y = Matrix([[1, -2], [0, 4]])
        var outputGradient = Matrix([[1, 1], [1, 1]])
        var inputGradient = Matrix(rows: 2, columns: 2, repeating: .nan)
        var context = LayerContext()
        y.withView { y in
            outputGradient.withMutableView { g in
                inputGradient.withMutableView { gx in
                    layer.backward(input: y, output: y, outputGradient: g, parameters: UnsafePointer(bitPattern: 8)!,
                                   parameterGradients: UnsafeMutablePointer(bitPattern: 8)!, inputGradient: gx, context: &context)
                }
            }
        }
        // 1 + (l1·sign(y) + 2·l2·y) / 2 = 1 + (0.5·sign(y) + 0.5·y) / 2.
        #expect(inputGradient.storage == [1.5, 0.25, 1, 2.25])
    }

    @Test func specification() throws {
        let spec = try descriptionDecoder().decode(ActivityRegularization.Specification.self,
                                                   from: Data(#"{"kind": "ActivityRegularization", "l1": 0.001}"#.utf8))
        #expect(spec == ActivityRegularization.Specification(l1: 0.001, l2: 0))
        #expect(spec.moduleCount == 1)
        #expect(spec.activation == nil)
        #expect(try spec.outputShape(for: .vector(32)) == .vector(32))
        #expect(spec.makeLayer(for: .vector(32)) as? ActivityRegularization == ActivityRegularization(width: 32, l1: 0.001))
    }

    @Test func specificationRefusesUnknownAndNegativeFields() {
        #expect(throws: LayerFieldError(field: "l3", reason: "is not a field of ActivityRegularization")) {
            try descriptionDecoder().decode(ActivityRegularization.Specification.self, from: Data(#"{"l3": 1}"#.utf8))
        }
        #expect(throws: LayerFieldError.self) {
            try descriptionDecoder().decode(ActivityRegularization.Specification.self, from: Data(#"{"l2": -0.5}"#.utf8))
        }
    }
}
