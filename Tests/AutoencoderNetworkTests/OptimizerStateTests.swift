import AutoencoderNetwork
import Foundation
import Testing

@Suite struct OptimizerStateTests {
    static let optimizers: [any Optimizer] = [
        Adam(learningRate: 0.01),
        Adam(learningRate: 0.003, beta1: 0.8, beta2: 0.99, epsilon: 1e-6),
        AdamW(learningRate: 0.01, weightDecay: 0.05),
        SGD(learningRate: 0.2),
        SGD(learningRate: 0.1, momentum: 0.9),
        SGD(learningRate: 0.1, momentum: 0.8, nesterov: true, weightDecay: 0.01),
        RMSProp(learningRate: 0.01),
        RMSProp(learningRate: 0.01, alpha: 0.9, epsilon: 1e-6, momentum: 0.5, weightDecay: 0.01),
    ]

    /// The i-th of five gradients for 7 parameters, different at every step.
    static func gradient(_ step: Int) -> [Float] {
        (0..<7).map { Float(($0 * 5 + step * 3) % 11) * 0.07 - 0.3 }
    }

    static func update(_ optimizer: inout any Optimizer, _ theta: inout [Float], step: Int) {
        let g = gradient(step)
        let ok = theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { optimizer.update(p, along: $0) } }
        #expect(ok)
    }

    /// Five updates straight, against two, a snapshot through JSON, a fresh optimizer from
    /// `init(state:)` and three more: the same bits.
    @Test(arguments: 0..<optimizers.count)
    func restoringContinuesBitForBit(_ index: Int) throws {
        let start: [Float] = (0..<7).map { Float($0) * 0.25 - 0.8 }
        var straight = Self.optimizers[index]
        var straightTheta = start
        for step in 0..<5 { Self.update(&straight, &straightTheta, step: step) }

        var first = Self.optimizers[index]
        var theta = start
        for step in 0..<2 { Self.update(&first, &theta, step: step) }
        let data = try JSONEncoder().encode(first.state)
        let snapshot = try JSONDecoder().decode(OptimizerState.self, from: data)
        #expect(snapshot == first.state)
        var resumed: any Optimizer = try type(of: first).init(state: snapshot)
        #expect(resumed.state == first.state)
        for step in 2..<5 { Self.update(&resumed, &theta, step: step) }

        #expect(theta.map(\.bitPattern) == straightTheta.map(\.bitPattern))
        #expect(resumed.state == straight.state)
    }

    /// `OptimizerState.makeOptimizer()` picks the type from the kind.
    @Test func stateMakesItsOwnOptimizer() throws {
        for optimizer in Self.optimizers {
            let restored = try optimizer.state.makeOptimizer()
            #expect(type(of: restored) == type(of: optimizer))
            #expect(restored.state == optimizer.state)
        }
        #expect(throws: OptimizerStateError.unknownKind("adagrad")) {
            try OptimizerState(kind: "adagrad", settings: [:]).makeOptimizer()
        }
        #expect(OptimizerStateError.unknownKind("adagrad").description
                == "The optimizer state's kind \"adagrad\" is none of adam, adamw, sgd, rmsprop.")
    }

    @Test func freshStateHasNoTensorsAndRestores() throws {
        for optimizer in Self.optimizers {
            #expect(optimizer.state.tensors.isEmpty)
            #expect(optimizer.state.counters["step"] == 0)
            let restored = try type(of: optimizer).init(state: optimizer.state)
            #expect(restored.state == optimizer.state)
        }
    }

    @Test func stateKindsAndKeys() {
        var adam: any Optimizer = Adam(learningRate: 0.1)
        var theta: [Float] = [1, 2]
        let g: [Float] = [0.5, -0.5]
        _ = theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adam.update(p, along: $0) } }
        let state = adam.state
        #expect(state.kind == "adam")
        #expect(Set(state.settings.keys) == ["learningRate", "beta1", "beta2", "epsilon"])
        #expect(Set(state.counters.keys) == ["step", "beta1PowerBits", "beta2PowerBits"])
        #expect(state.counters["beta1PowerBits"] == UInt64(Float(0.9).bitPattern))
        #expect(Set(state.tensors.keys) == ["firstMoments", "secondMoments"])
        #expect(AdamW(learningRate: 0.1).state.kind == "adamw")
        #expect(Set(SGD(learningRate: 0.1, nesterov: false).state.settings.keys)
                == ["learningRate", "momentum", "nesterov", "weightDecay"])
        #expect(Set(RMSProp(learningRate: 0.1).state.settings.keys)
                == ["learningRate", "alpha", "epsilon", "momentum", "weightDecay"])
    }

    /// The learning rate is settable through the protocol, as a schedule needs.
    @Test func learningRateIsSettableThroughTheProtocol() {
        for var optimizer in Self.optimizers {
            optimizer.learningRate = 0.125
            #expect(optimizer.learningRate == 0.125)
            #expect(optimizer.state.settings["learningRate"] == 0.125)
        }
    }

    static func adamState() -> OptimizerState {
        var adam: any Optimizer = Adam(learningRate: 0.1)
        var theta: [Float] = [1, 2, 3]
        let g: [Float] = [0.5, -0.5, 0.25]
        _ = theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adam.update(p, along: $0) } }
        return adam.state
    }

    static func expectError(_ state: OptimizerState, as type: any Optimizer.Type = Adam.self,
                            _ expected: OptimizerStateError, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try type.init(state: state)
            Issue.record("restored \(state)", sourceLocation: sourceLocation)
        } catch let error as OptimizerStateError {
            #expect(error == expected, sourceLocation: sourceLocation)
            #expect(error.description.hasSuffix("."), sourceLocation: sourceLocation)
            #expect(!error.description.dropLast().contains(". "), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func restoringRefusesBadStates() {
        let good = Self.adamState()
        Self.expectError(good, as: SGD.self, .wrongKind(expected: "sgd", found: "adam"))
        Self.expectError(good, as: AdamW.self, .wrongKind(expected: "adamw", found: "adam"))

        var state = good
        state.settings["beta1"] = nil
        Self.expectError(state, .missingEntry("setting 'beta1'"))
        state = good
        state.counters["step"] = nil
        Self.expectError(state, .missingEntry("counter 'step'"))
        state = good
        state.tensors["secondMoments"] = nil
        Self.expectError(state, .missingEntry("tensor 'secondMoments'"))
        state = good
        state.settings["momentum"] = 0.9
        Self.expectError(state, .unknownEntry("setting 'momentum'"))
        state = good
        state.tensors["extra"] = [1, 2, 3]
        Self.expectError(state, .unknownEntry("tensor 'extra'"))

        state = good
        state.tensors["secondMoments"] = [1, 2]
        Self.expectError(state, .unequalTensorLengths(first: "firstMoments", firstCount: 3,
                                                      second: "secondMoments", secondCount: 2))
        state = good
        state.tensors["secondMoments"] = [1, -2, 3]
        Self.expectError(state, .invalidTensor(name: "secondMoments", requirement: "finite values of at least 0"))
        state = good
        state.tensors["firstMoments"] = [1, .nan, 3]
        Self.expectError(state, .invalidTensor(name: "firstMoments", requirement: "finite values"))

        state = good
        state.settings["beta2"] = 1
        Self.expectError(state, .outOfRange(name: "beta2", value: "1.0", requirement: "at least 0 and below 1"))
        state = good
        state.settings["epsilon"] = 0
        Self.expectError(state, .outOfRange(name: "epsilon", value: "0.0", requirement: "a finite number above 0"))
        state = good
        state.settings["learningRate"] = -0.1
        Self.expectError(state, .outOfRange(name: "learningRate", value: "-0.1",
                                            requirement: "a finite number of at least 0"))
        state = good
        state.counters["beta1PowerBits"] = UInt64(Float(1).bitPattern)
        Self.expectError(state, .outOfRange(name: "beta1PowerBits", value: "1.0",
                                            requirement: "at least 0 and below 1 after an update"))
        state = good
        state.counters["beta2PowerBits"] = 1 << 40
        Self.expectError(state, .outOfRange(name: "beta2PowerBits", value: "\(1 << 40)", requirement: "at most 4294967295"))

        var sgd = SGD(learningRate: 0.1, momentum: 0.5).state
        sgd.settings["nesterov"] = 0.5
        Self.expectError(sgd, as: SGD.self, .outOfRange(name: "nesterov", value: "0.5", requirement: "0 or 1"))
        sgd = SGD(learningRate: 0.1).state
        sgd.settings["nesterov"] = 1
        Self.expectError(sgd, as: SGD.self, .outOfRange(name: "momentum", value: "0", requirement: "above 0 for Nesterov momentum"))
        sgd.settings["nesterov"] = 0
        sgd.tensors["momentumBuffer"] = [1]
        Self.expectError(sgd, as: SGD.self, .unknownEntry("tensor 'momentumBuffer'"))

        var rmsProp = RMSProp(learningRate: 0.1).state
        rmsProp.settings["alpha"] = -0.5
        Self.expectError(rmsProp, as: RMSProp.self, .outOfRange(name: "alpha", value: "-0.5", requirement: "at least 0 and below 1"))
        rmsProp = RMSProp(learningRate: 0.1, momentum: 0.5).state
        rmsProp.tensors = ["squareAverages": [1, 2], "momentumBuffer": [1, 2, 3]]
        Self.expectError(rmsProp, as: RMSProp.self, .unequalTensorLengths(first: "squareAverages", firstCount: 2,
                                                                          second: "momentumBuffer", secondCount: 3))
    }
}
