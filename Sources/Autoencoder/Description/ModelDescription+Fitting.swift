extension ModelDescription {
    /// The description made to take samples of `shape` (`[features]` or `[channels, height,
    /// width]`) and give them back: how a preset written for MNIST trains on a table of 64
    /// columns or on colour images.
    ///
    /// The input shape becomes `shape` (its number of values, for a model of vectors); the decoder's last layer with a size of its own (a
    /// `Dense` layer's `units`, a convolution's `filters`) and a last `Reshape` are made to give
    /// the new shape. When the decoder still does not arrive at the input's height and width,
    /// its `valid`-padded convolutions (the conv preset's, which crops 16 to 14 on the way to
    /// 28) are made `same`. A description that fits already is returned unchanged.
    ///
    /// - Throws: ``DescriptionError`` when no such change fits, naming both shapes: write a
    ///   description of your own then.
    public func fitted(to shape: [Int]) throws -> ModelDescription {
        // Samples are stored flat: a model of vectors takes images as vectors of their values,
        // and one of the same number of values needs no change.
        let shape = inputShape.dimensions.count == 1 ? [shape.reduce(1, *)] : shape
        let target = SampleShape(shape)
        if inputShape == target || inputShape.width == target.width { return self }
        var fitted = self
        fitted.inputShape = target
        let width = target.width
        let channels = target.image?.channels
        // The decoder's last layer with a size: it must give the input's values or channels.
        if let last = fitted.decoder.lastIndex(where: { $0 is Dense.Specification || $0 is Conv2D.Specification
                                                        || $0 is Conv2DTranspose.Specification }) {
            switch fitted.decoder[last] {
            case var dense as Dense.Specification:
                dense.units = width
                fitted.decoder[last] = dense
            case var convolution as Conv2D.Specification:
                if let channels { convolution.filters = channels }
                fitted.decoder[last] = convolution
            case var convolution as Conv2DTranspose.Specification:
                if let channels { convolution.filters = channels }
                fitted.decoder[last] = convolution
            default: break
            }
        }
        if let last = fitted.decoder.lastIndex(where: { $0 is Reshape.Specification }),
           var reshape = fitted.decoder[last] as? Reshape.Specification, reshape.targetShape == inputShape.dimensions {
            reshape.targetShape = shape
            fitted.decoder[last] = reshape
        }
        if (try? fitted.build()) != nil { return fitted }
        var padded = fitted
        for index in padded.decoder.indices {
            if var convolution = padded.decoder[index] as? Conv2D.Specification, convolution.padding == .valid {
                convolution.padding = .same
                padded.decoder[index] = convolution
            }
        }
        if (try? padded.build()) != nil { return padded }
        do {
            _ = try fitted.build()
        } catch {
            throw DescriptionError("The model made for samples of shape \(inputShape) cannot take samples of shape \(target) "
                                   + "(\(error.description.prefix(1).lowercased() + error.description.dropFirst().dropLast(error.description.hasSuffix(".") ? 1 : 0))); "
                                   + "write a description for them (`autoencoder model show` prints one to edit) and give it with --model.")
        }
        return fitted
    }
}
