/// The tunnel management part of `OpenAPIDocument` (api.md §9.1), kept apart so the tunnels work
/// touches the main document only where these pieces are spliced in. The entry points that carry
/// traffic (`/tunnels/{id}/…` and `{id}.<tunnels.domain>`) are described in the tag, not as
/// operations: they forward any method and path to the runner.
enum OpenAPITunnels {
    static let tag = #"""
  - name: Tunnels
    description: >-
      HTTP and TCP tunnels to ports inside a session's runner. HTTP tunnels are reached at
      `<public_url>/tunnels/{id}/…` (prefix stripped) and `http://tun-<id suffix>.<tunnels.domain>:<port>/…`;
      credentials: `X-Marionette-Tunnel-Token`, `Authorization: Bearer ttok_…`, `?marionette_token=`, Basic
      password, or an API key with `tunnels:read`; public tunnels need none. TCP tunnels listen on
      `public_host:public_port`.

"""#

    static let paths = #"""
  /api/v1/sessions/{sessionID}/tunnels:
    parameters:
      - $ref: '#/components/parameters/sessionID'
    post:
      tags: [Tunnels]
      operationId: createTunnel
      summary: Open a tunnel to a port in the session's runner
      description: >-
        Scope `tunnels:write`. The session must be `pending` or `active` (else 409 `invalid_state`) and hold
        fewer than `tunnels.max_per_session` (20) open tunnels (else 409 `limit_exceeded`). `type` other than
        `http` or `tcp` answers 400 `invalid_type`. TTL defaults to 3600 s (`tunnels.default_ttl_seconds`); larger than 86400 (`tunnels.max_ttl_seconds`) is clamped.
        TCP tunnels get a port from `tunnels.tcp_port_range` (none free: 503 `service_unavailable`).
        The response carries the one-time `token`.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateTunnelRequest'
      responses:
        '201':
          description: The created tunnel with its one-time token.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Tunnel'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 413, 500, 503))
    get:
      tags: [Tunnels]
      operationId: listSessionTunnels
      summary: List a session's tunnels
      description: Scope `tunnels:read`. Newest first; closed and expired tunnels only with `include_closed`.
      parameters:
        - $ref: '#/components/parameters/includeClosed'
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of tunnels.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/TunnelList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))

  /api/v1/tunnels:
    get:
      tags: [Tunnels]
      operationId: listTunnels
      summary: List tunnels
      description: Scope `tunnels:read`. Every tunnel of the caller's tenant, newest first.
      parameters:
        - name: session_id
          in: query
          schema:
            $ref: '#/components/schemas/SessionID'
        - name: type
          in: query
          description: Keep tunnels of any of these types (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/TunnelType'
        - $ref: '#/components/parameters/includeClosed'
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of tunnels.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/TunnelList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))

  /api/v1/tunnels/{tunnelID}:
    parameters:
      - $ref: '#/components/parameters/tunnelID'
    get:
      tags: [Tunnels]
      operationId: getTunnel
      summary: Get a tunnel
      description: Scope `tunnels:read`. Never carries the token. A closed or expired tunnel answers 410 `tunnel_closed` / `tunnel_expired`.
      responses:
        '200':
          description: The tunnel.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Tunnel'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 410, 500))
    delete:
      tags: [Tunnels]
      operationId: closeTunnel
      summary: Close a tunnel
      description: >-
        Scope `tunnels:write`. Ends every live connection (HTTP clients get 410 `tunnel_closed`, TCP clients a
        reset) and frees the TCP port. Closing a closed tunnel succeeds again.
      responses:
        '204':
          description: The tunnel is closed.
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))
  /api/v1/tunnels/{tunnelID}/connect:
    parameters:
      - $ref: '#/components/parameters/tunnelID'
      - name: token
        in: query
        description: The credential when no `Authorization` header can be sent (an API key or the tunnel's `ttok_` token).
        schema:
          type: string
    get:
      tags: [Tunnels]
      operationId: connectTunnel
      summary: One TCP connection through a tunnel (WebSocket)
      description: >-
        A WebSocket upgrade; used by `mctl tunnels connect`. Credential: an API key with `tunnels:read` or the
        tunnel's `ttok_` token, as `Authorization: Bearer` or `?token=`. Binary frames carry the raw TCP bytes of
        one connection to the tunnel's port in the runner (http and tcp tunnels alike), both ways, in frames of at
        most 256 KiB (the server splits larger runs into continuation frames). The client's
        close frame ends the bytes toward the runner, and so does an empty binary frame (a half-close: the
        WebSocket stays open for the rest of the answer); the runner side ending closes the WebSocket with 1000. A
        connection the runner cannot open closes with 1011 and the reason (`the runner could not connect to port
        N: …`); a tunnel closed or expired meanwhile with 1001; a runner gone with 1013. A refused upgrade is a
        bare 400; the same GET without upgrade headers makes the same checks and answers `{code, message}`: 404
        `not_found`, 401, 403, 410 `tunnel_closed` / `tunnel_expired`, 503 `runner_not_connected` /
        `too_many_connections`, or 426 `upgrade_required` when all pass (`mctl tunnels connect` asks it first).
      security:
        - bearerAuth: []
      responses:
        '101':
          description: Switched to the WebSocket protocol.
        '426':
          description: Not a WebSocket upgrade (`upgrade_required`).
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 410, 500, 503))

"""#

    static let parameters = #"""
    tunnelID:
      name: tunnelID
      in: path
      required: true
      description: Tunnel ID (`tun_` prefix).
      schema:
        $ref: '#/components/schemas/TunnelID'
    includeClosed:
      name: include_closed
      in: query
      description: Also list closed and expired tunnels.
      schema:
        type: boolean
        default: false

"""#

    static let schemas = #"""
    TunnelID:
      type: string
      pattern: '^tun_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [tun_BxYzAbCd12345678]
    TunnelType:
      type: string
      enum: [http, tcp]
    CreateTunnelRequest:
      type: object
      required: [local_port]
      description: 'Aliases accepted on input: `is_public` for `public`, `allowed_cidrs` for `allow_cidrs`.'
      properties:
        type:
          $ref: '#/components/schemas/TunnelType'
          default: http
        local_port:
          type: integer
          minimum: 1
          maximum: 65535
        public:
          type: boolean
          default: false
          description: Public tunnels need no credential.
        ttl_seconds:
          type: integer
          minimum: 1
          default: 3600
          description: Larger than 86400 (tunnels.max_ttl_seconds) is clamped to it.
        host_header:
          type: string
          enum: [rewrite, preserve]
          default: rewrite
          description: 'http only: `rewrite` sends `Host: localhost:<local_port>` upstream.'
        allow_cidrs:
          type: array
          items:
            type: string
          description: 'tcp only: source networks allowed on the public port; default `127.0.0.0/8`, `::1/128`.'
        labels:
          $ref: '#/components/schemas/Labels'
    Tunnel:
      type: object
      required: [id, session_id, type, direction, local_port, public_url, is_public, allow_cidrs, status, labels, expires_at, created_at]
      properties:
        id:
          $ref: '#/components/schemas/TunnelID'
        session_id:
          $ref: '#/components/schemas/SessionID'
        runner_id:
          type: string
        type:
          $ref: '#/components/schemas/TunnelType'
        direction:
          type: string
          enum: [outbound]
        local_port:
          type: integer
        public_url:
          type: string
          description: The form chosen by `tunnels.url_mode` (default subdomain); `tcp://host:port` for TCP.
        path_url:
          type: string
        subdomain_url:
          type: string
        public_host:
          type: string
        public_port:
          type: integer
        is_public:
          type: boolean
        host_header:
          type: string
          enum: [rewrite, preserve]
        allow_cidrs:
          type: array
          items:
            type: string
        status:
          type: string
          enum: [active, closed, expired]
        close_reason:
          type: string
          enum: [closed, expired, session_suspended, session_terminated, runner_closed]
        token:
          type: string
          description: Create response only (`ttok_…`).
        labels:
          $ref: '#/components/schemas/Labels'
        expires_at:
          type: string
          format: date-time
        created_at:
          type: string
          format: date-time
        closed_at:
          type: string
          format: date-time
    TunnelList:
      type: object
      required: [items, total_count, has_more]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Tunnel'
        total_count:
          type: integer
          format: int64
        has_more:
          type: boolean
        next_cursor:
          type: string
          description: Omitted when there is no next page.

"""#
}
