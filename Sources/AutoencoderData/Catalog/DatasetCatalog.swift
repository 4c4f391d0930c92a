import Foundation

/// The data sets known by name, with their pinned files and mirrors.
///
/// The sizes and SHA-256 sums are those that tensorflow_datasets pins for the same files
/// (`tensorflow_datasets/url_checksums/mnist.txt`, `fashion_mnist.txt`, `kmnist.txt` and
/// `cifar10.txt` in github.com/tensorflow/datasets). A catalog is a value, so tests give
/// their own entries and mirrors.
public struct DatasetCatalog: Sendable, Equatable {
    /// The entries, in the order `datasets list` shows them.
    public var entries: [DatasetEntry]

    /// Creates a catalog of `entries`.
    public init(entries: [DatasetEntry]) {
        self.entries = entries
    }

    /// The entry named `name` (in any letters' case), or `nil`.
    public func entry(named name: String) -> DatasetEntry? {
        entries.first { $0.name == name.lowercased() }
    }

    /// The data sets this package knows: MNIST, Fashion-MNIST, Kuzushiji-MNIST and CIFAR-10.
    public static let standard = DatasetCatalog(entries: [mnist, fashionMNIST, kmnist, cifar10])

    /// The four MNIST-format names, `.gz`, with each data set's sizes and sums.
    private static func idxFiles(_ sums: [(Int, String)]) -> [CatalogFile] {
        zip(["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"], sums).map {
            CatalogFile(name: $0, size: $1.0, sha256: $1.1)
        }
    }

    /// MNIST; sums from tensorflow_datasets' `url_checksums/mnist.txt` (storage.googleapis.com/cvdf-datasets).
    /// Found locally in the folder the ``DataDirectoryLocator`` picks ($AUTOENCODER_DATA, ./data/mnist).
    public static let mnist = DatasetEntry(
        name: "mnist", summary: "handwritten digits 0-9, 28x28 grey, 60000 training + 10000 test images",
        format: .idx,
        files: idxFiles([
            (9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            (28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            (1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            (4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ]),
        mirrors: [URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!,
                  URL(string: "https://storage.googleapis.com/cvdf-datasets/mnist/")!])

    /// Fashion-MNIST; sums from tensorflow_datasets' `url_checksums/fashion_mnist.txt`.
    /// Found locally where Debian's `dataset-fashion-mnist` installs it.
    public static let fashionMNIST = DatasetEntry(
        name: "fashion-mnist", summary: "Zalando clothing in 10 classes, 28x28 grey, 60000 training + 10000 test images",
        format: .idx,
        files: idxFiles([
            (26_421_880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            (29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            (4_422_102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            (5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ]),
        mirrors: [URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!,
                  URL(string: "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")!],
        localFolders: ["/usr/share/datasets/fashion-mnist"])

    /// Kuzushiji-MNIST; sums from tensorflow_datasets' `url_checksums/kmnist.txt`. The second
    /// mirror is the one swift-models' KMNIST loader uses.
    public static let kmnist = DatasetEntry(
        name: "kmnist", summary: "Kuzushiji (cursive Japanese) characters in 10 classes, 28x28 grey, 60000 training + 10000 test images",
        format: .idx,
        files: idxFiles([
            (18_165_135, "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4"),
            (29_497, "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17"),
            (3_041_136, "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5"),
            (5_120, "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c"),
        ]),
        mirrors: [URL(string: "http://codh.rois.ac.jp/kmnist/dataset/kmnist/")!,
                  URL(string: "https://storage.googleapis.com/s4tf-hosted-binaries/datasets/KMNIST/")!])

    /// CIFAR-10, binary version; sum from tensorflow_datasets' `url_checksums/cifar10.txt`. The
    /// second mirror is the one swift-models' CIFAR10 loader uses.
    public static let cifar10 = DatasetEntry(
        name: "cifar10", summary: "photos in 10 classes, 32x32 colour, 50000 training + 10000 test images",
        format: .cifar10Binary,
        files: [CatalogFile(name: "cifar-10-binary.tar.gz", size: 170_052_171,
                            sha256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd")],
        mirrors: [URL(string: "https://www.cs.toronto.edu/~kriz/")!,
                  URL(string: "https://storage.googleapis.com/s4tf-hosted-binaries/datasets/CIFAR10/")!])
}
