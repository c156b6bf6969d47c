import Core
import Hummingbird
import Orchestrator

/// `/admin/api/v1/webhooks` and `/admin/api/v1/webhook-events` (api.md §13.2, §14.2).
enum AdminWebhookRoutes {
    static func register(_ table: inout RouteTable, _ admin: RouterGroup<APIContext>, _ s: GatewayServices) {
        let prefix = "/admin/api/v1"
        table.add(admin, prefix: prefix, .post, "webhooks") { request, _ in
            let body = try await JSONIO.decode(WebhookRequest.self, from: request)
            return try JSONIO.response(try await s.webhooks.create(body), status: .created)
        }
        table.add(admin, prefix: prefix, .get, "webhooks") { request, _ in
            let query = QueryParams(request)
            let active: Bool? = query.first("is_active") == nil ? nil : try query.bool("is_active")
            return try JSONIO.response(
                try await s.store.webhooks(
                    active: active, labels: try AdminKeyRoutes.adminLabels(query.first("labels")),
                    page: try query.page(defaultLimit: 50, maxLimit: 100)))
        }
        table.add(admin, prefix: prefix, .get, "webhooks/{webhookID}") { _, context in
            let id = try context.pathID("webhookID", .webhook, kind: "webhook")
            return try JSONIO.response(try await s.webhooks.get(id))
        }
        table.add(admin, prefix: prefix, .put, "webhooks/{webhookID}") { request, context in
            let id = try context.pathID("webhookID", .webhook, kind: "webhook")
            let body = try await JSONIO.decode(WebhookRequest.self, from: request)
            return try JSONIO.response(try await s.webhooks.update(id, body))
        }
        table.add(admin, prefix: prefix, .delete, "webhooks/{webhookID}") { _, context in
            let id = try context.pathID("webhookID", .webhook, kind: "webhook")
            try await s.webhooks.delete(id)
            return JSONIO.noContent()
        }
        table.add(admin, prefix: prefix, .post, "webhooks/{webhookID}/rotate-secret") { _, context in
            let id = try context.pathID("webhookID", .webhook, kind: "webhook")
            return try JSONIO.response(try await s.webhooks.rotateSecret(id))
        }
        table.add(admin, prefix: prefix, .get, "webhook-events") { request, _ in
            let query = QueryParams(request)
            var filter = WebhookEventFilter()
            filter.webhookID = query.first("webhook_id")
            filter.eventType = query.first("event_type")
            filter.statuses = try query.enums("status", ["pending", "delivered", "failed", "exhausted", "canceled"])
            return try JSONIO.response(try await s.store.webhookEvents(filter, page: try query.page(defaultLimit: 50, maxLimit: 100)))
        }
        table.add(admin, prefix: prefix, .get, "webhook-events/{eventID}") { _, context in
            let id = try context.pathID("eventID", .webhookEvent, kind: "webhook event")
            guard let event = try await s.store.webhookEvent(id) else { throw APIError.notFound("webhook event", id) }
            return try JSONIO.response(event)
        }
        table.add(admin, prefix: prefix, .post, "webhook-events/{eventID}/retry") { _, context in
            let id = try context.pathID("eventID", .webhookEvent, kind: "webhook event")
            try await s.webhooks.retryEvent(id)
            return try JSONIO.response(["status": "queued"])
        }
    }
}
