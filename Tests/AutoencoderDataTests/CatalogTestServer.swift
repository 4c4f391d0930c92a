import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for the download tests, on POSIX sockets: a few
/// dozen lines give the misbehaviours the tests need (refusing, corrupt bytes, a cut
/// transfer, ignoring Range) without a server dependency. One connection at a time,
/// `Connection: close` after each response.
final class CatalogTestServer: @unchecked Sendable {
    /// How the server answers a request for a file it has.
    enum Behaviour: Sendable {
        /// The file, or the asked range of it with 206.
        case serve
        /// 404 for everything.
        case notFound
        /// The whole file with its first byte changed.
        case corrupt
        /// Headers for the whole answer, then half of its body, then the connection closes.
        case cutHalfway
        /// The whole file with 200 whatever Range asks.
        case ignoreRange
    }

    /// One request the server saw: the path and the Range header, if any.
    struct Request: Sendable, Equatable {
        var path: String
        var range: String?
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var seen: [Request] = []
    private let files: [String: [UInt8]]
    private let behaviour: Behaviour

    /// The server's base address, ending in `/`.
    var url: URL { URL(string: "http://127.0.0.1:\(port)/data/")! }

    /// The requests seen so far.
    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }

    /// Starts serving `files` (by name under `/data/`) with `behaviour`.
    init(files: [String: [UInt8]], behaviour: Behaviour = .serve) throws {
        self.files = files
        self.behaviour = behaviour
        let (socket, port) = try Self.listeningSocket()
        guard listen(socket, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        listener = socket
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting connections.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    /// A port on 127.0.0.1 where nothing listens: bound, then closed.
    static func closedPort() throws -> UInt16 {
        let (socket, port) = try listeningSocket()
        close(socket)
        return port
    }

    private static func listeningSocket() throws -> (Int32, UInt16) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EMFILE) }
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else { close(socket); throw POSIXError(.EADDRINUSE) }
        return (socket, UInt16(bigEndian: address.sin_port))
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: Array("\r\n\r\n".utf8)) {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            request += buffer[0..<count]
        }
        let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
        let path = lines[0].split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        let range = lines.dropFirst().first { $0.lowercased().hasPrefix("range:") }
            .map { $0.dropFirst("range:".count).trimmingCharacters(in: .whitespaces) }
        lock.lock()
        seen.append(Request(path: path, range: range))
        lock.unlock()
        let name = String(path.split(separator: "/").last ?? "")
        guard behaviour != .notFound, let file = files[name] else {
            send(connection, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", body: [])
            return
        }
        var status = "200 OK"
        var body = file
        var extra = ""
        if behaviour != .ignoreRange, let range, range.hasPrefix("bytes="), range.hasSuffix("-"),
           let start = Int(range.dropFirst("bytes=".count).dropLast()), start < file.count {
            status = "206 Partial Content"
            body = Array(file[start...])
            extra = "Content-Range: bytes \(start)-\(file.count - 1)/\(file.count)\r\n"
        }
        if behaviour == .corrupt, !body.isEmpty { body[0] ^= 0xFF }
        let header = "HTTP/1.1 \(status)\r\nContent-Length: \(body.count)\r\n\(extra)Connection: close\r\n\r\n"
        send(connection, header, body: behaviour == .cutHalfway ? Array(body.prefix(body.count / 2)) : body)
    }

    private func send(_ connection: Int32, _ header: String, body: [UInt8]) {
        let bytes = Array(header.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            sent += count
        }
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
