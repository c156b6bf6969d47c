import Foundation
import Hummingbird

/// The browser pages (api.md §10.5, streaming.md): the stream viewer at `/streams/{id}/view`, the WHIP
/// test publisher at `/streams/{id}/publish`, and their scripts under `/web/*`. Plain files from the
/// Gateway's resource bundle, read once at start; no auth here — the pages carry the stream token to
/// the WHEP/WHIP endpoints, which check it.
enum WebPageRoutes {
    /// File name → (content type, bytes); nil when the bundle is missing (then the routes answer 404).
    static let files: [String: (type: String, body: ByteBuffer)] = {
        guard let folder = Bundle.module.url(forResource: "web", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [:] }
        var files: [String: (type: String, body: ByteBuffer)] = [:]
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
            files[name] = (contentType(name), ByteBuffer(bytes: data))
        }
        return files
    }()

    static func contentType(_ name: String) -> String {
        if name.hasSuffix(".html") { return "text/html; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".svg") { return "image/svg+xml" }
        if name.hasSuffix(".json") { return "application/json" }
        return "application/octet-stream"
    }

    static func page(_ name: String) -> Response {
        guard let file = files[name] else {
            return Response(status: .notFound, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: file.type, .cacheControl: "no-cache",
                // The pages have no inline code; media and API calls go to this origin only.
                .init("Content-Security-Policy")!: "default-src 'self'; media-src 'self' blob:; img-src 'self' data: blob:",
            ],
            body: .init(byteBuffer: file.body))
    }

    static func register(_ router: Router<APIContext>) {
        router.get("/streams/{id}/view") { _, _ in page("viewer.html") }
        router.get("/streams/{id}/publish") { _, _ in page("whip-publisher.html") }
        router.get("/web/{file}") { _, context in
            let name = context.parameters.get("file") ?? ""
            guard !name.hasSuffix(".html") else { return page("") }  // pages only at their stream paths
            return page(name)
        }
    }
}
