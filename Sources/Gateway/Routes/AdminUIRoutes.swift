import Core
import Foundation
import Hummingbird
import Orchestrator

/// The admin web UI (api.md §13.1): plain files from the Gateway's `admin` resource folder, served
/// at `GET /{path}` behind admin auth; a path that names no file gets `index.html`, whose router
/// (admin/js/app.js) draws the page. Read once at start.
enum AdminUIFiles {
    /// Path relative to the folder (`js/app.js`) → (content type, bytes).
    static let files: [String: (type: String, body: ByteBuffer)] = {
        guard let folder = Bundle.module.url(forResource: "admin", withExtension: nil)?.standardizedFileURL,
            let walker = FileManager.default.enumerator(atPath: folder.path)
        else { return [:] }
        var files: [String: (type: String, body: ByteBuffer)] = [:]
        while let name = walker.nextObject() as? String {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
            files[name] = (WebPageRoutes.contentType(name), ByteBuffer(bytes: data))
        }
        return files
    }()

    /// Same-origin only, no inline code; frames only from this origin (the embedded stream viewer).
    static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; frame-ancestors 'self'; form-action 'self'"

    /// API paths never fall back to the page: an unknown API route stays a JSON 404.
    static func isAPIPath(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path.hasPrefix("/admin/api/") || path == "/metrics" || path.hasPrefix("/health")
    }

    static func response(path: String) -> Response {
        let relative = String(path.drop(while: { $0 == "/" }))
        let file = files[relative] ?? files["index.html"]
        guard let file else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "the admin UI files are missing from this build\n")))
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: file.type, .cacheControl: "no-cache",
                .init("Content-Security-Policy")!: contentSecurityPolicy,
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: file.body))
    }
}

/// Innermost middleware of the admin router: a GET that no route matched is a UI path. It asks for
/// admin credentials (the browser's Basic prompt) before serving any file.
struct AdminUIMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let authenticator: AdminAuthenticator
    let failures: AuthFailureAuditor

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            guard request.method == .get || request.method == .head, !AdminUIFiles.isAPIPath(path) else { throw error }
            do {
                _ = try authenticator.authenticate(authorization: request.headers[.authorization])
            } catch {
                if request.headers[.authorization] != nil {
                    await failures.failed(request, context: context, actorType: "user", code: error.code)
                }
                var response = ErrorMiddleware.errorResponse(error, requestID: context.requestID)
                response.headers[.wwwAuthenticate] = "Basic realm=\"Marionette Admin\""
                return response
            }
            return AdminUIFiles.response(path: path)
        }
    }
}
