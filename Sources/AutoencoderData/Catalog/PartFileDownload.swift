import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads one address into a `.part` file, writing the bytes as they arrive (the file is
/// never held in memory), resuming a part already on disk with an HTTP `Range` request.
///
/// A server that answers `206 Partial Content` from the part's end is appended to; one that
/// ignores the range and answers `200` restarts the file. Any other status, a failed
/// connection or a cut transfer ends the download with a ``MirrorFailure``; what arrived
/// before a cut stays in the part for the next attempt.
final class PartFileDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let partPath: String
    private let fileName: String
    private let totalBytes: Int
    private let mirror: URL
    private let onProgress: (DownloadProgress) -> Void
    private let finished = DispatchSemaphore(value: 0)
    private var handle: FileHandle?
    private var bytes = 0
    private var resumedFrom = 0
    private var answered = false
    private var failure: MirrorFailure?
    private let start = Date()

    private init(partPath: String, fileName: String, totalBytes: Int, mirror: URL,
                 onProgress: @escaping (DownloadProgress) -> Void) {
        self.partPath = partPath
        self.fileName = fileName
        self.totalBytes = totalBytes
        self.mirror = mirror
        self.onProgress = onProgress
    }

    /// Downloads `url` into `partPath` (resuming what is there), waiting until it ends;
    /// returns `nil` when the server sent the whole rest of the file, or why not.
    static func run(url: URL, mirror: URL, partPath: String, fileName: String, totalBytes: Int,
                    timeout: TimeInterval, onProgress: @escaping (DownloadProgress) -> Void) -> MirrorFailure? {
        let download = PartFileDownload(partPath: partPath, fileName: fileName, totalBytes: totalBytes,
                                        mirror: mirror, onProgress: onProgress)
        return download.run(url: url, timeout: timeout)
    }

    private func run(url: URL, timeout: TimeInterval) -> MirrorFailure? {
        if !FileManager.default.fileExists(atPath: partPath) {
            guard FileManager.default.createFile(atPath: partPath, contents: nil) else {
                return MirrorFailure(mirror: mirror, reason: "cannot create \(partPath)", answered: false)
            }
        }
        guard let handle = FileHandle(forWritingAtPath: partPath) else {
            return MirrorFailure(mirror: mirror, reason: "cannot write \(partPath)", answered: false)
        }
        self.handle = handle
        defer { try? handle.close() }
        bytes = Int((try? handle.seekToEnd()) ?? 0)
        resumedFrom = bytes
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if bytes > 0 { request.setValue("bytes=\(bytes)-", forHTTPHeaderField: "Range") }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
        session.dataTask(with: request).resume()
        finished.wait()
        session.finishTasksAndInvalidate()
        if failure == nil, bytes != totalBytes {
            failure = MirrorFailure(mirror: mirror, reason: "sent \(bytes) bytes, not \(totalBytes)", answered: true)
        }
        return failure
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        answered = true
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        if status == 206, resumedFrom > 0,
           let range = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Range"),
           range.hasPrefix("bytes \(resumedFrom)-") {
            completionHandler(.allow)
        } else if status == 200 {
            // The whole file: a fresh download, or a server that ignored the range.
            do {
                try handle?.truncate(atOffset: 0)
            } catch {
                failure = MirrorFailure(mirror: mirror, reason: "cannot write \(partPath)", answered: true)
                completionHandler(.cancel)
                return
            }
            bytes = 0
            resumedFrom = 0
            completionHandler(.allow)
        } else {
            failure = MirrorFailure(mirror: mirror, reason: status == 206 ? "sent a range other than the one asked for" : "HTTP \(status)",
                                    answered: true)
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        guard bytes + data.count <= totalBytes else {
            failure = MirrorFailure(mirror: mirror, reason: "sent more than the \(totalBytes) bytes of the file", answered: true)
            // Not a prefix of the file worth resuming.
            try? handle?.truncate(atOffset: 0)
            dataTask.cancel()
            return
        }
        do {
            try handle?.write(contentsOf: data)
        } catch {
            failure = MirrorFailure(mirror: mirror, reason: "cannot write \(partPath)", answered: true)
            dataTask.cancel()
            return
        }
        bytes += data.count
        onProgress(DownloadProgress(fileName: fileName, bytes: bytes, totalBytes: totalBytes,
                                    resumedFrom: resumedFrom, seconds: Date().timeIntervalSince(start)))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error, failure == nil {
            failure = MirrorFailure(mirror: mirror, reason: Self.reason(for: error, bytes: bytes - resumedFrom),
                                    answered: answered)
        }
        finished.signal()
    }

    /// A transport error in a few words.
    private static func reason(for error: any Error, bytes: Int) -> String {
        guard let error = error as? URLError else { return error.localizedDescription }
        switch error.code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .notConnectedToInternet: return "no network"
        case .timedOut: return "timed out"
        case .networkConnectionLost: return "connection lost after \(bytes) bytes"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "TLS failed"
        default: return error.localizedDescription
        }
    }
}
