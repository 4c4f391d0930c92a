// The umbrella module: `import Autoencoder` brings in every layer of the library.
@_exported import AutoencoderErrors
@_exported import AutoencoderNumerics
@_exported import AutoencoderNetwork
@_exported import AutoencoderData
@_exported import AutoencoderPictures
@_exported import AutoencoderSerialization
