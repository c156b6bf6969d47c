import Core
import HTTPTypes
import Hummingbird
import Orchestrator

/// The audit log's view of a request (auth-security.md §14): binds who calls (key or admin user,
/// IP, user agent, tenant) as the task-local ``AuditActor`` while the route runs, so the changes it
/// commits are logged with that actor; and logs a state-changing request that failed as
/// `request.failed` with its status and error code. Runs inside the authentication middleware.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let store: Store

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        let actor = AuditActor(
            // Admins on the forwarded `/api/v1` routes carry a system principal; they are users.
            type: context.principal.map { $0.isSystem ? "user" : "api_key" } ?? "user",
            id: context.principal?.keyID ?? context.adminActor,
            name: context.adminActor, ipAddress: context.remoteIP, userAgent: request.headers[.userAgent],
            tenantID: context.principal?.tenantID)
        guard [.post, .put, .patch, .delete].contains(request.method) else {
            return try await AuditActor.$current.withValue(actor) { try await next(request, context) }
        }
        do {
            let response = try await AuditActor.$current.withValue(actor) { try await next(request, context) }
            if response.status.code >= 400 {
                await record(request, actor: actor, status: Int(response.status.code), code: nil, message: nil)
            }
            return response
        } catch {
            let apiError = error as? APIError
            await record(
                request, actor: actor, status: apiError?.status ?? 500, code: apiError?.code,
                message: apiError?.message ?? "internal error")
            throw error
        }
    }

    private func record(_ request: Request, actor: AuditActor, status: Int, code: String?, message: String?) async {
        let (resourceType, resourceID) = Self.resource(of: request.uri.path)
        var details: [String: MetadataValue] = ["method": .string(request.method.rawValue), "path": .string(request.uri.path),
                                                "status": .int(Int64(status))]
        if let code { details["code"] = .string(code) }
        await store.recordAudit(
            AuditEntry(
                action: "request.failed", resourceType: resourceType, resourceID: resourceID,
                sessionID: resourceID.hasPrefix("sess_") ? resourceID : nil, taskID: resourceID.hasPrefix("task_") ? resourceID : nil,
                details: details, success: false, errorMessage: message ?? "HTTP \(status)"),
            actor: actor)
    }

    /// `/api/v1/sessions/sess_…/tasks` → ("session", "sess_…"): the first collection after the
    /// version and the first id after it ("" when the path names none).
    static func resource(of path: String) -> (String, String) {
        let parts = path.split(separator: "/").map(String.init)
        guard let version = parts.firstIndex(of: "v1"), version + 1 < parts.count else { return ("api", "") }
        let collection = parts[version + 1]
        let type = collection.hasSuffix("s") ? String(collection.dropLast()).replacingOccurrences(of: "-", with: "_") : collection
        let id = version + 2 < parts.count ? parts[version + 2] : ""
        return (type, id)
    }
}
