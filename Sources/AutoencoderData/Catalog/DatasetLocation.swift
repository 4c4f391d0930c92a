import Foundation

/// Where a data set was found without downloading it.
public enum DatasetLocation: Sendable, Equatable {
    /// A copy already on the machine: the project's data folder or a system package's.
    case onMachine(URL)
    /// A copy fetched into the cache earlier.
    case cached(URL)

    /// The folder holding the files.
    public var folder: URL {
        switch self {
        case .onMachine(let folder), .cached(let folder): folder
        }
    }
}
