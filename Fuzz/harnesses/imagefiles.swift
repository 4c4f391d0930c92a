// libFuzzer harness for the image-folder reader's decoders, PNG (libpng) and JPEG (libjpeg)
// (compiled by Fuzz/run.sh together with Sources/AutoencoderData/**/*.swift into one module).
//
// Each input is decoded as an image file; on success the pixel count must match the size
// and channels, and the image is resized, as a folder of mixed sizes would be.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard case .success(let image) = ImageDecoder.decode(bytes) else { return 0 }
    precondition(image.channels == 1 || image.channels == 3, "a channel count other than 1 or 3")
    precondition(image.pixels.count == image.width * image.height * image.channels, "pixels do not fill the image")
    if image.width > 0 && image.height > 0 && image.width * image.height <= 1 << 16 {
        let resized = ImageFolderReader.resize(image, height: 3, width: 5)
        precondition(resized.pixels.count == 15 * image.channels)
    }
    return 0
}
