extension Dataset {
    /// What the run's seed is XORed with (on top of ``ValidationSplit/seedMask``) to draw a
    /// test split: "TESTPART" in ASCII, so that a test split and a validation split of the
    /// same seed hold out different samples.
    public static let testSplitSeedTweak: UInt64 = 0x5445_5354_5041_5254

    /// The data split into a training part and a held-out test part of `fraction` of the
    /// samples (at least one), drawn from `seed` like a ``ValidationSplit``; nothing is copied.
    public func split(testFraction fraction: Double, seed: UInt64) -> (training: Dataset, test: Dataset) {
        let split = ValidationSplit(sampleCount: count, fraction: fraction, seed: seed ^ Self.testSplitSeedTweak)
        return (subset(split.training), subset(split.validation))
    }

    /// The samples whose label is one of `labels` (for training on normal data only); all
    /// of them when the data has no labels is a caller's error, so this returns `nil` then.
    public func samples(labeled labels: Set<Int>) -> Dataset? {
        guard let own = self.labels else { return nil }
        return subset(own.indices.filter { labels.contains(own[$0]) })
    }
}
