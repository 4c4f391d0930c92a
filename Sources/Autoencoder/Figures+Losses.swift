import Foundation

extension Figures {
    /// The factor between the largest and the smallest loss beyond which ``losses(_:)`` draws
    /// a logarithmic loss axis.
    public static let logScaleLossRatio = 20.0

    /// The training picture `losses.png`: the mean training loss of each epoch (the mean over
    /// its batches) and, when the run measured one, the validation loss, against the epoch.
    /// The loss axis is logarithmic when the losses span more than a factor of
    /// ``logScaleLossRatio`` (a first epoch far above the rest would otherwise flatten every
    /// later one), linear otherwise.
    public static func losses(_ reports: [EpochReport]) throws -> RGBImage {
        let epochs = reports.map { Double($0.epoch) }
        var series = [LinePlot.Series(name: "training", x: epochs, y: reports.map(\.meanCost))]
        if reports.contains(where: { $0.validationLoss != nil }) {
            series.append(LinePlot.Series(name: "validation", x: epochs, y: reports.map { $0.validationLoss ?? .nan }))
        }
        let logScale = LinePlot.spansMoreThan(logScaleLossRatio, series.flatMap(\.y))
        return try LinePlot(series: series, title: "Loss per epoch", xAxisTitle: "epoch",
                            yAxisTitle: logScale ? "loss (log scale)" : "loss", logScaleY: logScale).render()
    }
}
