// The umbrella module: `import Autoencoder` brings in every layer of the library except the
// low-level AutoencoderKernels (borrowed views over raw memory and the kernels' Swift faces),
// which people who write layers, kernels or data sources import themselves; so the API a user
// sees here takes arrays and matrices, never pointers.
@_exported import AutoencoderErrors
@_exported import AutoencoderNumerics
@_exported import AutoencoderNetwork
@_exported import AutoencoderData
@_exported import AutoencoderPictures
@_exported import AutoencoderSerialization
