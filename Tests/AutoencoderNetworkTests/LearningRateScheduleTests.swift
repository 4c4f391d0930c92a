import AutoencoderNetwork
import Foundation
import Testing

@Suite struct LearningRateScheduleTests {
    static func decode(_ json: String) throws -> LearningRateSchedule {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(LearningRateSchedule.self, from: Data(json.utf8))
    }

    static func rates(_ schedule: LearningRateSchedule, base: Float, epochs: Int) -> [Float] {
        (0..<epochs).map { schedule.learningRate(base: base, epoch: $0) }
    }

    @Test func constantKeepsTheBaseRate() throws {
        #expect(Self.rates(.constant, base: 0.01, epochs: 4) == [0.01, 0.01, 0.01, 0.01])
        #expect(try Self.decode(#"{"kind": "constant"}"#) == .constant)
    }

    /// 0.1·0.5^⌊e/3⌋.
    @Test func stepHalvesEveryThreeEpochs() throws {
        let schedule = try LearningRateSchedule(.step(size: 3, gamma: 0.5))
        #expect(Self.rates(schedule, base: 0.1, epochs: 8) == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
        #expect(try Self.decode(#"{"kind": "step", "step_size": 3, "gamma": 0.5}"#) == schedule)
        #expect(try Self.decode(#"{"kind": "step", "step_size": 3}"#) == LearningRateSchedule(.step(size: 3, gamma: 0.1)))
    }

    /// min + (base − min)(1 + cos(πe/T))/2 with base 1, min 0.1, T 4: 1, 0.1 + 0.9·(1 + √½)/2
    /// = 0.868198…, 0.55, 0.1 + 0.9·(1 − √½)/2 = 0.231801…, then 0.1.
    @Test func cosineAnnealsToTheMinimumAndStays() throws {
        let schedule = try LearningRateSchedule(.cosine(totalEpochs: 4, minimum: 0.1))
        let expected: [Float] = [1, 0.8681980515339464, 0.55, 0.2318019484660536, 0.1, 0.1, 0.1]
        let actual = Self.rates(schedule, base: 1, epochs: 7)
        for (a, b) in zip(actual, expected) { #expect(abs(a - b) <= 1e-7, "\(actual)") }
        #expect(try Self.decode(#"{"kind": "cosine", "total_epochs": 4, "minimum": 0.1}"#) == schedule)
        #expect(try Self.decode(#"{"kind": "cosine", "total_epochs": 4}"#) == LearningRateSchedule(.cosine(totalEpochs: 4, minimum: 0)))
    }

    /// Warm-up of 4 at base 0.2: 0.05, 0.1, 0.15, 0.2; then the decay from its own epoch 0.
    @Test func warmupRisesLinearlyThenTheDecayStarts() throws {
        let schedule = try LearningRateSchedule(.step(size: 2, gamma: 0.5), warmupEpochs: 4)
        let expected: [Float] = [0.05, 0.1, 0.15, 0.2, 0.2, 0.2, 0.1, 0.1, 0.05]
        let actual = Self.rates(schedule, base: 0.2, epochs: 9)
        for (a, b) in zip(actual, expected) { #expect(abs(a - b) <= 1e-8, "\(actual)") }
        let cosine = try Self.decode(#"{"kind": "cosine", "total_epochs": 2, "warmup_epochs": 2}"#)
        let cosineRates = Self.rates(cosine, base: 1, epochs: 5)
        for (a, b) in zip(cosineRates, [0.5, 1, 1, 0.5, 0] as [Float]) { #expect(abs(a - b) <= 1e-7, "\(cosineRates)") }
    }

    @Test func encodingRoundTrips() throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        let schedule = try LearningRateSchedule(.cosine(totalEpochs: 10, minimum: 0.5), warmupEpochs: 3)
        let json = String(decoding: try encoder.encode(schedule), as: UTF8.self)
        #expect(json == #"{"kind":"cosine","minimum":0.5,"total_epochs":10,"warmup_epochs":3}"#)
        #expect(try Self.decode(json) == schedule)
    }

    static func expectRefusal(_ json: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let schedule = try decode(json)
            Issue.record("decoded \(schedule)", sourceLocation: sourceLocation)
        } catch let error as TrainingFieldError {
            #expect(error.description == expected, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func refusesBadFieldsAndValues() throws {
        Self.expectRefusal(#"{"kind": "step", "step_size": 2, "minimum": 0}"#, "'minimum' is not a field of the step schedule")
        Self.expectRefusal(#"{"kind": "constant", "gamma": 0.5}"#, "'gamma' is not a field of the constant schedule")
        Self.expectRefusal(#"{"kind": "cosine", "total_epochs": 3, "eta_min": 0}"#, "'eta_min' is not a field of the cosine schedule")
        Self.expectRefusal(#"{"kind": "linear"}"#, "'kind' must be one of constant, step, cosine, not \"linear\"")
        Self.expectRefusal(#"{"step_size": 2}"#, "'kind' is missing from the learning-rate schedule")
        Self.expectRefusal(#"{"kind": "step"}"#, "'step_size' is missing from the step schedule")
        // Without total_epochs a cosine spans the run's epochs after the warm-up.
        let spanning = try Self.decode(#"{"kind": "cosine", "warmup_epochs": 2}"#)
        #expect(spanning.learningRate(base: 1, epoch: 2, epochs: 6) == 1)
        #expect(spanning.learningRate(base: 1, epoch: 4, epochs: 6) == 0.5)
        #expect(spanning.learningRate(base: 1, epoch: 5, epochs: 6) == Float(0.5 + 0.5 * cos(Double.pi * 3 / 4)))
        #expect(spanning.learningRate(base: 1, epoch: 4, epochs: 10) == Float(0.5 + 0.5 * cos(Double.pi * 2 / 8)))
        Self.expectRefusal(#"{"kind": "step", "step_size": 0}"#, "'step_size' must be at least 1, not 0")
        Self.expectRefusal(#"{"kind": "step", "step_size": 1, "gamma": -1}"#, "'gamma' must be a finite number above 0, not -1.0")
        Self.expectRefusal(#"{"kind": "cosine", "total_epochs": 0}"#, "'total_epochs' must be at least 1, not 0")
        Self.expectRefusal(#"{"kind": "cosine", "total_epochs": 5, "minimum": -0.1}"#,
                           "'minimum' must be a finite number of at least 0, not -0.1")
        Self.expectRefusal(#"{"kind": "constant", "warmup_epochs": -1}"#, "'warmup_epochs' must be at least 0, not -1")
    }
}
