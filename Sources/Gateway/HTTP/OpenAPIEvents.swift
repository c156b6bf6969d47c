/// The events stream part of `OpenAPIDocument` (api.md §11, §14.1). The WebSocket upgrade of the
/// same path carries the same frames, one per text frame.
enum OpenAPIEvents {
    static let tag = #"""
  - name: Events
    description: >-
      State changes as they commit: `session.created|suspended|resumed|terminated`,
      `task.created|started|completed|failed|canceled`, `runner.connected|disconnected|assigned|released`,
      `tunnel.created|closed|expired`, `stream.created|started|stopped|failed`. Frames are
      `{"type":"event","event_type","resource","id","data":{…},"timestamp"}`. `GET /api/v1/events` upgrades
      to a WebSocket (`?token=` accepted), or answers Server-Sent Events with `Accept: text/event-stream`.
      Each subscriber has a 64-event buffer; on overflow events are dropped and the subscriber gets
      `{"type":"error","message":"events dropped"}`. The admin listener serves the same across tenants at
      `/admin/api/v1/events` (admin credentials, or `?ticket=` from `POST /admin/api/v1/ws-tickets`).

"""#

    static let paths = #"""
  /api/v1/events:
    get:
      tags: [Events]
      operationId: followEvents
      summary: Follow state changes (WebSocket, or SSE)
      description: >-
        Scope `events:read`. Only the caller's tenant's events. Without a WebSocket upgrade the request
        must accept `text/event-stream` (else 400); each SSE event is `event: <event_type>` with the frame
        as `data:`.
      parameters:
        - name: event_type
          in: query
          description: >-
            Repeatable (or comma-separated) patterns: an exact name, `task.*`, a bare resource (`task`), or `*`.
          schema:
            type: array
            items:
              type: string
          style: form
          explode: true
        - name: labels
          in: query
          description: A JSON object of labels the resource must carry, e.g. `{"team":"docs"}`.
          schema:
            type: string
      responses:
        '101':
          description: Switched to WebSocket.
        '200':
          description: The event stream (SSE).
          content:
            text/event-stream:
              schema:
                type: string
\#(OpenAPIErrorResponses.refs(400, 401, 403, 500))

"""#
}
