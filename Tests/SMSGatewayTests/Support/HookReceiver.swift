import Foundation
import SMSKitTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// A small local HTTP receiver for webhook tests (SwiftNIO): it records every request and answers
/// as its `behaviour` says — 200, 500, never (hang), or by closing the connection mid-request.
final class HookReceiver: @unchecked Sendable {
    enum Behaviour: Sendable { case ok, fail, hang, close }

    struct Received: Sendable {
        var method: String
        var uri: String
        var headers: [String: String]
        var body: [UInt8]
        /// What the receiver did with it.
        var answered: Behaviour
    }

    private let group: MultiThreadedEventLoopGroup
    private var channel: (any Channel)?
    private let lock = NSLock()
    private var log: [Received] = []
    private var waiters: [(id: Int, predicate: @Sendable ([Received]) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextWaiter = 0
    /// Decides the answer of a request (called on the event loop).
    let behaviour: @Sendable (_ uri: String, _ headers: [String: String], _ body: [UInt8]) -> Behaviour
    private(set) var port = 0

    init(behaviour: @escaping @Sendable (_ uri: String, _ headers: [String: String], _ body: [UInt8]) -> Behaviour = { _, _, _ in .ok }) {
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.behaviour = behaviour
    }

    func start() async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(Handler(receiver: self))
                }
            }
        let ch = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        channel = ch
        port = ch.localAddress?.port ?? 0
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() async {
        try? await channel?.close()
        try? await group.shutdownGracefully()
    }

    var received: [Received] { lock.withLock { log } }

    fileprivate func record(_ r: Received) {
        let ready: [CheckedContinuation<Bool, Never>] = lock.withLock {
            log.append(r)
            let snapshot = log
            let hit = waiters.filter { $0.predicate(snapshot) }
            waiters.removeAll { w in hit.contains { $0.id == w.id } }
            return hit.map(\.continuation)
        }
        for c in ready { c.resume(returning: true) }
    }

    /// Waits until `predicate` holds for the requests so far (re-checked on each request) or `timeout`.
    func wait(timeout: Duration, _ predicate: @escaping @Sendable ([Received]) -> Bool) async -> Bool {
        let id: Int = lock.withLock { nextWaiter += 1; return nextWaiter }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let done: Bool = lock.withLock {
                if predicate(log) { return true }
                waiters.append((id, predicate, c))
                return false
            }
            if done { c.resume(returning: true) }
        }
    }

    private func expire(_ id: Int) {
        let c: CheckedContinuation<Bool, Never>? = lock.withLock {
            guard let i = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: i).continuation
        }
        c?.resume(returning: false)
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let receiver: HookReceiver
        var head: HTTPRequestHead?
        var body: [UInt8] = []
        init(receiver: HookReceiver) { self.receiver = receiver }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h; body = []
            case .body(var buffer): body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                let behaviour = receiver.behaviour(head.uri, headers, body)
                receiver.record(Received(method: head.method.rawValue, uri: head.uri, headers: headers, body: body, answered: behaviour))
                switch behaviour {
                case .hang: return
                case .close: context.close(promise: nil)
                case .ok, .fail:
                    let status: HTTPResponseStatus = behaviour == .ok ? .ok : .internalServerError
                    var h = HTTPHeaders()
                    h.add(name: "Content-Length", value: "2")
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: h))), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
                self.head = nil
            }
        }
    }
}

/// `smskit gateway --emulate N` on its own data directory, restartable (`kill -9` or SIGTERM).
actor EmulatedGateway {
    let dir: TempDir
    let modems: Int
    let extra: [String]
    private(set) var child: ChildProcess?
    private(set) var http = GatewayHTTP(url: "", token: "")
    private var port = 0
    private var starts = 0

    init(name: String, modems: Int, config: String? = nil, extra: [String] = []) async throws {
        dir = try TempDir(name)
        self.modems = modems
        var args = extra
        if let config {
            let path = dir.path + "/gateway.yaml"
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            args += ["--config", path]
        }
        self.extra = args
        // With `--database` in `extra` the token goes to that PostgreSQL store, else to the data dir.
        let database = extra.firstIndex(of: "--database").flatMap { $0 + 1 < extra.count ? extra[$0 + 1] : nil }
        let tokenStore = database.map { ["--database", $0] } ?? ["--data-dir", dir.path + "/data"]
        let token = try await smskitOutput(["gateway", "token", "create"] + tokenStore + ["--name", "app"])
        http.token = token.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var dataDir: String { dir.path + "/data" }
    var client: GatewayHTTP { http }

    func start() async throws {
        starts += 1
        let c = try ChildProcess(["gateway", "--emulate", "\(modems)", "--data-dir", dataDir, "--listen", "127.0.0.1:\(port)",
                                  "--log-level", "info"] + extra, stderr: .file(dir.path + "/gateway-\(starts).err"))
        child = c
        for await line in c.lines {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  obj["event"] as? String == "ready", let url = obj["url"] as? String else { continue }
            http.url = url
            if port == 0, let p = Int(url.split(separator: ":").last ?? "") { port = p }
            return
        }
        throw TestFailure("gateway exited before it was ready; see \(dir.path)/gateway-\(starts).err")
    }

    func kill9() async {
        guard let c = child else { return }
        c.signal(SIGKILL)
        _ = await c.waitForExit()
        child = nil
    }

    func stop() async {
        guard let c = child else { return }
        c.signal(SIGTERM)
        _ = await c.waitForExit()
        child = nil
    }

    func shutdown(keep: Bool = false) async {
        await stop()
        if !keep { dir.remove() }
    }
}

/// Runs `curl ARGS` (an outside client, as a Kannel application would call) and returns
/// `"<body>\n<status>"`. Body and headers go to files and only the exit is awaited, so a fast
/// exit cannot race the reading of a pipe.
func curl(_ arguments: [String]) async throws -> String {
    let dir = try TempDir("curl")
    defer { dir.remove() }
    let child = try ChildProcess(["-s", "-S", "--max-time", "30", "-o", dir.path + "/body", "-D", dir.path + "/headers"] + arguments,
                                 executable: "/usr/bin/curl")
    _ = await child.waitForExit()
    let body = (try? String(contentsOfFile: dir.path + "/body", encoding: .utf8)) ?? ""
    let headers = (try? String(contentsOfFile: dir.path + "/headers", encoding: .utf8)) ?? ""
    let status = headers.split(separator: "\r\n").first.flatMap { $0.split(separator: " ").dropFirst().first }.map(String.init) ?? "000"
    return body + "\n" + status
}
