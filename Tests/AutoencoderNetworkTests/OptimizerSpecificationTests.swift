import AutoencoderNetwork
import Foundation
import Testing

@Suite struct OptimizerSpecificationTests {
    static func decode(_ json: String) throws -> OptimizerSpecification {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(OptimizerSpecification.self, from: Data(json.utf8))
    }

    static func expectRefusal(_ json: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let specification = try decode(json)
            Issue.record("decoded \(specification)", sourceLocation: sourceLocation)
        } catch let error as TrainingFieldError {
            #expect(error.description == expected, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func adamBuildsTheTensorFlowFormAdam() throws {
        let optimizer = try Self.decode(#"{"kind": "adam", "learning_rate": 0.01}"#).makeOptimizer(defaultLearningRate: 1)
        #expect(optimizer as? Adam == Adam(learningRate: 0.01))
        let tuned = try Self.decode(#"{"kind": "adam", "learning_rate": 0.002, "beta1": 0.5, "beta2": 0.9, "epsilon": 1e-6}"#)
        #expect(tuned.makeOptimizer(defaultLearningRate: 1) as? Adam == Adam(learningRate: 0.002, beta1: 0.5, beta2: 0.9, epsilon: 1e-6))
    }

    @Test func eachKindBuildsItsOptimizer() throws {
        let adamW = try Self.decode(#"{"kind": "adamw", "learning_rate": 0.001, "weight_decay": 0.05, "beta2": 0.98}"#)
        #expect(adamW.makeOptimizer(defaultLearningRate: 1) as? AdamW == AdamW(learningRate: 0.001, beta2: 0.98, weightDecay: 0.05))
        #expect(try Self.decode(#"{"kind": "adamw", "learning_rate": 0.001}"#).makeOptimizer(defaultLearningRate: 1) as? AdamW
                == AdamW(learningRate: 0.001, weightDecay: 0.01))
        let sgd = try Self.decode(#"{"kind": "sgd", "learning_rate": 0.1, "momentum": 0.9, "nesterov": true, "weight_decay": 1e-4}"#)
        #expect(sgd.makeOptimizer(defaultLearningRate: 1) as? SGD == SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4))
        #expect(try Self.decode(#"{"kind": "sgd", "learning_rate": 0.1}"#).makeOptimizer(defaultLearningRate: 1) as? SGD == SGD(learningRate: 0.1))
        let rmsProp = try Self.decode(#"{"kind": "rmsprop", "learning_rate": 0.01, "rho": 0.9, "epsilon": 1e-7, "momentum": 0.5}"#)
        #expect(rmsProp.makeOptimizer(defaultLearningRate: 1) as? RMSProp == RMSProp(learningRate: 0.01, alpha: 0.9, epsilon: 1e-7, momentum: 0.5))
    }

    @Test func encodingRoundTrips() throws {
        let specification = try OptimizerSpecification(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(specification), as: UTF8.self)
        #expect(json == #"{"kind":"sgd","learning_rate":0.1,"momentum":0.9,"nesterov":true}"#)
        #expect(try Self.decode(json) == specification)
    }

    @Test func refusesFieldsOfOtherKindsAndUnknownFields() {
        Self.expectRefusal(#"{"kind": "adam", "learning_rate": 0.01, "nesterov": true}"#,
                           "'nesterov' is not a field of the adam optimizer")
        Self.expectRefusal(#"{"kind": "adam", "learning_rate": 0.01, "weight_decay": 0.1}"#,
                           "'weight_decay' is not a field of the adam optimizer")
        Self.expectRefusal(#"{"kind": "sgd", "learning_rate": 0.01, "beta1": 0.9}"#,
                           "'beta1' is not a field of the sgd optimizer")
        Self.expectRefusal(#"{"kind": "rmsprop", "learning_rate": 0.01, "alpha": 0.9}"#,
                           "'alpha' is not a field of the rmsprop optimizer")
        Self.expectRefusal(#"{"kind": "adamw", "learning_rate": 0.01, "amsgrad": true}"#,
                           "'amsgrad' is not a field of the adamw optimizer")
        Self.expectRefusal(#"{"kind": "adagrad", "learning_rate": 0.01}"#,
                           "'kind' must be one of adam, adamw, sgd, rmsprop, not \"adagrad\"")
        Self.expectRefusal(#"{"learning_rate": 0.01}"#, "'kind' is missing from the optimizer")
        #expect((try? Self.decode(#"{"kind": "sgd"}"#))?.makeOptimizer(defaultLearningRate: 0.5) as? SGD == SGD(learningRate: 0.5))
    }

    @Test func refusesValuesOutOfRange() {
        Self.expectRefusal(#"{"kind": "adam", "learning_rate": -0.01}"#,
                           "'learning_rate' must be a finite number above 0, not -0.01")
        Self.expectRefusal(#"{"kind": "adam", "learning_rate": 0.01, "beta1": 1}"#,
                           "'beta1' must be at least 0 and below 1, not 1.0")
        Self.expectRefusal(#"{"kind": "adamw", "learning_rate": 0.01, "epsilon": 0}"#,
                           "'epsilon' must be a finite number above 0, not 0.0")
        Self.expectRefusal(#"{"kind": "rmsprop", "learning_rate": 0.01, "rho": 1.5}"#,
                           "'rho' must be at least 0 and below 1, not 1.5")
        Self.expectRefusal(#"{"kind": "sgd", "learning_rate": 0.01, "nesterov": true}"#,
                           "'nesterov' needs a 'momentum' above 0")
        Self.expectRefusal(#"{"kind": "sgd", "learning_rate": 0.01, "momentum": 0, "nesterov": true}"#,
                           "'nesterov' needs a 'momentum' above 0")
        #expect(throws: TrainingFieldError(field: "nesterov", reason: "is not a field of the adamw optimizer")) {
            try OptimizerSpecification(kind: .adamw, learningRate: 0.1, nesterov: false)
        }
    }
}
