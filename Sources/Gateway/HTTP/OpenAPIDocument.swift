/// The OpenAPI 3.1 description of the public API, served at `GET /openapi.yaml`. A contract test
/// compares its paths and methods with the router's routes; keep both in step.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: Marionette API
  version: 0.1.0
  summary: Public REST API of the Marionette agent orchestration server.
  description: |
    Public API of Marionette (listener :8080, base path /api/v1).

    Conventions (api.md section 1):
    - JSON in UTF-8 with snake_case field names. `labels` and `annotations` are string-to-string
      objects (never null), arrays are never null, optional scalars are omitted when unset.
    - Timestamps are RFC 3339 in UTC with milliseconds; durations are integer seconds (`_seconds`).
    - IDs are opaque `{prefix}_{16 chars}` strings. A path ID with the wrong prefix or an unknown
      value answers 404 `not_found`; an empty path ID answers 400 `invalid_id`.
    - Every non-2xx JSON response is the flat `Error` object `{code, message, details?, request_id?}`.
    - Lists return `{items, total_count, has_more, next_cursor?}`, newest first unless stated; page with
      `limit` and the opaque `cursor` taken from `next_cursor`. Repeated filters use repeated keys
      (`?status=a&status=b`, OR within one key); label filters are `labels[<key>]=<value>` (AND).
    - Every `/api/v1` route needs an API key: `Authorization: Bearer mk_...`. In multi-tenant mode
      another tenant's resource answers 404.
    - `X-Request-ID` is accepted (up to 128 chars of `[A-Za-z0-9._-]`) or generated, and echoed.
  license:
    name: MIT
    identifier: MIT
servers:
  - url: http://localhost:8080
security:
  - bearerAuth: []
tags:
  - name: Service
    description: Health probes and this document (unauthenticated).
  - name: Sessions
    description: Agent sessions and their lifecycle.
  - name: Tasks
    description: Prompts executed in a session, their runs and logs.
  - name: Runners
    description: Runners connected to the fabric (read-only).
  - name: Workspaces
    description: Persistent workspaces shared by sessions.
  - name: Streams
    description: Live desktop, device and WebRTC streams of a session.
\#(OpenAPIPermissions.tag)\#(OpenAPITunnels.tag)\#(OpenAPIEvents.tag)
paths:
  /health:
    get:
      tags: [Service]
      operationId: getHealth
      summary: Liveness check
      security: []
      responses:
        '200':
          description: The server answers.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/HealthStatus'
  /healthz:
    get:
      tags: [Service]
      operationId: getHealthz
      summary: Liveness check (alias of /health)
      security: []
      responses:
        '200':
          description: The server answers.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/HealthStatus'
  /health/live:
    get:
      tags: [Service]
      operationId: getLiveness
      summary: Liveness probe
      description: Answers 200 while the process answers.
      security: []
      responses:
        '200':
          description: The process is alive.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/HealthStatus'
  /health/ready:
    get:
      tags: [Service]
      operationId: getReadiness
      summary: Readiness probe
      description: >-
        Runs the readiness checks (database ping with a 5 s timeout, runner connection manager,
        SFU socket). 200 when every check passes, 503 otherwise; both carry the per-check results.
      security: []
      responses:
        '200':
          description: Every check passed.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ReadinessStatus'
        '503':
          description: At least one check failed.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ReadinessStatus'
  /openapi.yaml:
    get:
      tags: [Service]
      operationId: getOpenAPIDocument
      summary: This OpenAPI 3.1 document
      security: []
      responses:
        '200':
          description: The OpenAPI document in YAML.
          content:
            application/yaml:
              schema:
                type: string

  /api/v1/sessions:
    post:
      tags: [Sessions]
      operationId: createSession
      summary: Create a session
      description: >-
        Scope `sessions:write`. The session starts `pending`; a runner is acquired when its first task is
        created. Without `workspace_id` a new workspace is created. Emits `session.created`.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateSessionRequest'
      responses:
        '201':
          description: The created session.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Session'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 413, 429, 500))
    get:
      tags: [Sessions]
      operationId: listSessions
      summary: List sessions
      description: Scope `sessions:read`. Newest first.
      parameters:
        - name: status
          in: query
          description: Keep sessions in any of these states (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/SessionStatus'
        - name: agent
          in: query
          description: Keep sessions of this agent.
          schema:
            type: string
        - name: lifecycle_mode
          in: query
          description: Keep sessions with this lifecycle mode.
          schema:
            $ref: '#/components/schemas/LifecycleMode'
        - $ref: '#/components/parameters/labels'
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of sessions.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/SessionList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 500))

  /api/v1/sessions/{sessionID}:
    parameters:
      - $ref: '#/components/parameters/sessionID'
    get:
      tags: [Sessions]
      operationId: getSession
      summary: Get a session
      description: Scope `sessions:read`.
      responses:
        '200':
          description: The session.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Session'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))
    patch:
      tags: [Sessions]
      operationId: updateSession
      summary: Update a session
      description: >-
        Scope `sessions:write`. Changes only the fields present; `labels` and `annotations` replace the
        whole map. A terminated session answers 409 `invalid_state`.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/UpdateSessionRequest'
      responses:
        '200':
          description: The updated session.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Session'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 413, 500))
    delete:
      tags: [Sessions]
      operationId: terminateSession
      summary: Terminate a session
      description: >-
        Scope `sessions:write`. Final. Allowed from every non-terminated state; cancels open runs,
        pending permissions, tunnels and streams of the session and emits `session.terminated`.
        An already terminated session answers 409 `invalid_state`.
      responses:
        '204':
          description: The session is terminated.
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 500))

  /api/v1/sessions/{sessionID}/suspend:
    parameters:
      - $ref: '#/components/parameters/sessionID'
    post:
      tags: [Sessions]
      operationId: suspendSession
      summary: Suspend a session
      description: >-
        Scope `sessions:write`. active -> suspended with reason `user_request` and the provider's default
        strategy; the runner is released, workspace and context are kept. Any other state answers 409
        `invalid_state`.
      responses:
        '204':
          description: The session is suspended.
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 500))

  /api/v1/sessions/{sessionID}/resume:
    parameters:
      - $ref: '#/components/parameters/sessionID'
    post:
      tags: [Sessions]
      operationId: resumeSession
      summary: Resume a session
      description: >-
        Scope `sessions:write`. suspended -> resuming; a runner is acquired asynchronously. A BYOK session
        whose key the server no longer holds needs `api_key` in the body, else 409 `credentials_required`.
        Any other state answers 409 `invalid_state`.
      requestBody:
        required: false
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/ResumeSessionRequest'
      responses:
        '204':
          description: The session is resuming.
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 413, 500))

  /api/v1/sessions/{sessionID}/tasks:
    parameters:
      - $ref: '#/components/parameters/sessionID'
    post:
      tags: [Tasks]
      operationId: createSessionTask
      summary: Create a task in a session
      description: >-
        Scope `tasks:write`. Same as `POST /api/v1/tasks` with `session_id` taken from the path; a body
        `session_id` that differs answers 400 `validation_error`. A terminated session answers 409
        `invalid_state`.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateSessionTaskRequest'
      responses:
        '201':
          description: The created task.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Task'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 413, 429, 500))
    get:
      tags: [Tasks]
      operationId: listSessionTasks
      summary: List the tasks of a session
      description: Scope `tasks:read`. Same filters as `GET /api/v1/tasks` minus `session_id`. Newest first.
      parameters:
        - $ref: '#/components/parameters/taskStatus'
        - $ref: '#/components/parameters/labels'
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of tasks.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/TaskList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))

  /api/v1/tasks:
    post:
      tags: [Tasks]
      operationId: createTask
      summary: Create a task
      description: >-
        Scope `tasks:write`. The task starts `pending` and emits `task.created`. Tasks of one session run
        strictly one at a time, oldest first; without a runner the task stays pending and reports
        `dispatch_parked_reason`. A terminated session answers 409 `invalid_state`.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateTaskRequest'
      responses:
        '201':
          description: The created task.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Task'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 413, 429, 500))
    get:
      tags: [Tasks]
      operationId: listTasks
      summary: List tasks
      description: Scope `tasks:read`. Newest first.
      parameters:
        - name: session_id
          in: query
          description: Keep tasks of this session.
          schema:
            $ref: '#/components/schemas/SessionID'
        - $ref: '#/components/parameters/taskStatus'
        - $ref: '#/components/parameters/labels'
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of tasks.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/TaskList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 500))

  /api/v1/tasks/{taskID}:
    parameters:
      - $ref: '#/components/parameters/taskID'
    get:
      tags: [Tasks]
      operationId: getTask
      summary: Get a task
      description: Scope `tasks:read`.
      responses:
        '200':
          description: The task.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Task'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))

  /api/v1/tasks/{taskID}/execute:
    parameters:
      - $ref: '#/components/parameters/taskID'
    post:
      tags: [Tasks]
      operationId: executeTask
      summary: Dispatch a pending task
      description: >-
        Scope `tasks:write`. Answers 202 once the command is queued to the session's runner. A task that
        is not pending answers 409 `invalid_state`; a session without a runner 400 `no_runner`; a runner
        that is not connected 503 `runner_not_connected`. In both runner cases the task stays pending.
      responses:
        '202':
          description: The task is being executed.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/TaskExecutionAccepted'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 500, 503))

  /api/v1/tasks/{taskID}/cancel:
    parameters:
      - $ref: '#/components/parameters/taskID'
    post:
      tags: [Tasks]
      operationId: cancelTask
      summary: Cancel a task
      description: >-
        Scope `tasks:write`. pending or running -> canceled; open runs end as canceled, the runner is told
        to kill the task and the task's pending permissions are canceled. A terminal task answers 409
        `invalid_state`.
      responses:
        '204':
          description: The task is canceled.
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 500))

  /api/v1/tasks/{taskID}/retry:
    parameters:
      - $ref: '#/components/parameters/taskID'
    post:
      tags: [Tasks]
      operationId: retryTask
      summary: Retry a failed task
      description: >-
        Scope `tasks:write`. Failed tasks only (else 409 `invalid_state`); creates a new run. When
        `retry_count >= max_retries` answers 409 `max_retries_exceeded` unless the body says
        `{"force": true}`.
      requestBody:
        required: false
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/RetryTaskRequest'
      responses:
        '204':
          description: The task is queued again.
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 413, 500))

  /api/v1/tasks/{taskID}/runs:
    parameters:
      - $ref: '#/components/parameters/taskID'
    get:
      tags: [Tasks]
      operationId: listTaskRuns
      summary: List the runs of a task
      description: Scope `tasks:read`. Ordered by `attempt` ascending. An unknown task answers 404.
      parameters:
        - name: status
          in: query
          description: Keep runs in any of these states (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/TaskRunStatus'
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of task runs.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/TaskRunList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))

  /api/v1/tasks/{taskID}/logs:
    parameters:
      - $ref: '#/components/parameters/taskID'
    get:
      tags: [Tasks]
      operationId: getTaskLogs
      summary: Read the logs of a task
      description: >-
        Scope `tasks:read`. Returns a snapshot page of log lines ordered by run `attempt` ascending, then
        `sequence` ascending. `after_sequence=N&run_id=R` skips runs with a lower attempt than R and lines
        of R with `sequence <= N`; `after_sequence=N` without `run_id` applies to the task's latest run and
        skips earlier runs. `follow=true` (NDJSON or SSE streaming) is not implemented yet and answers
        501 `not_implemented`.
      parameters:
        - name: level
          in: query
          description: Keep lines of any of these levels (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/LogLevel'
        - name: stream
          in: query
          description: Keep lines of any of these streams (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/LogStream'
        - name: run_id
          in: query
          description: Restrict to one run; with `after_sequence` it names the run the sequence belongs to.
          schema:
            $ref: '#/components/schemas/TaskRunID'
        - name: after_sequence
          in: query
          description: Resume point, exclusive.
          schema:
            type: integer
            format: int64
            minimum: 0
        - name: since_sequence
          in: query
          description: Alias of `after_sequence`.
          deprecated: true
          schema:
            type: integer
            format: int64
            minimum: 0
        - name: tail
          in: query
          description: Return the last N matching lines. Not combinable with `cursor` (400 `validation_error`).
          schema:
            type: integer
            minimum: 0
        - name: limit
          in: query
          description: >-
            Page size. Values <= 0 or unparsable fall back to the default; larger values are clamped to 1000.
          schema:
            type: integer
            default: 100
            maximum: 1000
        - $ref: '#/components/parameters/cursor'
        - name: follow
          in: query
          description: Keep the response open and stream lines. Not implemented yet (501 `not_implemented`).
          schema:
            type: boolean
            default: false
      responses:
        '200':
          description: One page of log lines.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/LogList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500, 501))

  /api/v1/runners:
    get:
      tags: [Runners]
      operationId: listRunners
      summary: List runners
      description: Scope `runners:read`. Newest first.
      parameters:
        - name: status
          in: query
          description: Keep runners in any of these states (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/RunnerStatus'
        - name: pool_name
          in: query
          description: Keep runners of this pool.
          schema:
            type: string
        - $ref: '#/components/parameters/labels'
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of runners.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/RunnerList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 500))

  /api/v1/runners/{runnerID}:
    parameters:
      - $ref: '#/components/parameters/runnerID'
    get:
      tags: [Runners]
      operationId: getRunner
      summary: Get a runner
      description: Scope `runners:read`. Provider identifiers are omitted.
      responses:
        '200':
          description: The runner.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Runner'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))

  /api/v1/workspaces:
    post:
      tags: [Workspaces]
      operationId: createWorkspace
      summary: Create a workspace
      description: >-
        Scope `workspaces:write`. Names are unique per tenant among workspaces that are not deleted
        (409 `already_exists`); a malformed name answers 400 `invalid_name`.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateWorkspaceRequest'
      responses:
        '201':
          description: The created workspace.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Workspace'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 409, 413, 500))
    get:
      tags: [Workspaces]
      operationId: listWorkspaces
      summary: List workspaces
      description: Scope `workspaces:read`. Newest first.
      parameters:
        - $ref: '#/components/parameters/labels'
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of workspaces.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/WorkspaceList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 500))

  /api/v1/workspaces/{workspaceID}:
    parameters:
      - $ref: '#/components/parameters/workspaceID'
    get:
      tags: [Workspaces]
      operationId: getWorkspace
      summary: Get a workspace
      description: Scope `workspaces:read`. A deleted workspace answers 410 `deleted`.
      responses:
        '200':
          description: The workspace.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Workspace'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 410, 500))
    patch:
      tags: [Workspaces]
      operationId: updateWorkspace
      summary: Update a workspace
      description: >-
        Scope `workspaces:write`. Changes only the fields present; `labels` and `annotations` replace the
        whole map. A deleted workspace answers 410 `deleted`; a name taken by another workspace 409
        `already_exists`.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/UpdateWorkspaceRequest'
      responses:
        '200':
          description: The updated workspace.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Workspace'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 410, 413, 500))
    delete:
      tags: [Workspaces]
      operationId: deleteWorkspace
      summary: Delete a workspace
      description: >-
        Scope `workspaces:write`. Soft delete. Refused with 409 `in_use` while a non-terminated session
        uses the workspace.
      responses:
        '204':
          description: The workspace is deleted.
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 410, 500))

\#(OpenAPIStreams.paths)\#(OpenAPITunnels.paths)\#(OpenAPIPermissions.paths)\#(OpenAPIEvents.paths)components:
  securitySchemes:
    bearerAuth:
      type: http
      scheme: bearer
      bearerFormat: mk_ API key
      description: >-
        An API key, `Authorization: Bearer mk_...` (scheme matched case-insensitively). Keys carry scopes
        such as `sessions:read` or `tasks:*`; a missing scope answers 403 `forbidden`.

  parameters:
    limit:
      name: limit
      in: query
      description: >-
        Page size. Values <= 0 or unparsable fall back to the default; larger values are clamped to 200.
      schema:
        type: integer
        default: 50
        maximum: 200
    cursor:
      name: cursor
      in: query
      description: Opaque token from a previous page's `next_cursor`. A malformed one answers 400 `invalid_cursor`.
      schema:
        type: string
    labels:
      name: labels
      in: query
      description: >-
        Label filters written `labels[<key>]=<value>`; repeat for several keys (AND).
      style: deepObject
      explode: true
      schema:
        type: object
        additionalProperties:
          type: string
      example:
        env: prod
    taskStatus:
      name: status
      in: query
      description: Keep tasks in any of these states (repeat the key).
      style: form
      explode: true
      schema:
        type: array
        items:
          $ref: '#/components/schemas/TaskStatus'
    sessionID:
      name: sessionID
      in: path
      required: true
      description: Session ID (`sess_` prefix).
      schema:
        $ref: '#/components/schemas/SessionID'
    taskID:
      name: taskID
      in: path
      required: true
      description: Task ID (`task_` prefix).
      schema:
        $ref: '#/components/schemas/TaskID'
    runnerID:
      name: runnerID
      in: path
      required: true
      description: Runner ID (`run_` prefix).
      schema:
        $ref: '#/components/schemas/RunnerID'
    workspaceID:
      name: workspaceID
      in: path
      required: true
      description: Workspace ID (`ws_` prefix).
      schema:
        $ref: '#/components/schemas/WorkspaceID'

\#(OpenAPIStreams.parameters)\#(OpenAPITunnels.parameters)\#(OpenAPIPermissions.parameters)  headers:
    WWW-Authenticate:
      description: Always `Bearer realm="Marionette"`.
      schema:
        type: string
    Retry-After:
      description: Seconds until the rate limit window resets.
      schema:
        type: integer
    X-RateLimit-Limit:
      description: Requests allowed in the current window.
      schema:
        type: integer
    X-RateLimit-Remaining:
      description: Requests left in the current window.
      schema:
        type: integer
    X-RateLimit-Reset:
      description: Unix time (seconds) at which the window resets.
      schema:
        type: integer

  responses:
    BadRequest:
      description: >-
        Malformed request. Codes `invalid_json`, `invalid_id`, `invalid_cursor`, `validation_error`
        (details.field names the field), `invalid_name`, `no_runner`, `network_policy_unsupported`, `unsupported_stream_type`.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: validation_error
            message: prompt is required
            details:
              field: prompt
    Unauthorized:
      description: >-
        Missing or unusable credential. Codes `missing_auth`, `invalid_auth`, `invalid_token`,
        `token_not_found`, `token_revoked`, `token_expired`, `not_authenticated`.
      headers:
        WWW-Authenticate:
          $ref: '#/components/headers/WWW-Authenticate'
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: missing_auth
            message: authentication required
    Forbidden:
      description: The API key lacks the route's scope. Code `forbidden`.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: forbidden
            message: 'Insufficient permissions: requires scope sessions:write'
    NotFound:
      description: >-
        The resource does not exist, the path ID has the wrong prefix, or it belongs to another tenant.
        Code `not_found`.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: not_found
            message: session sess_BxYzAbCd12345678 not found
    Conflict:
      description: >-
        The resource's state forbids the operation. Codes `invalid_state`, `already_exists`,
        `name_exists`, `in_use`, `max_retries_exceeded`, `credentials_required`, `limit_exceeded`.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: invalid_state
            message: session sess_BxYzAbCd12345678 is in state "suspended", expected active
    Gone:
      description: The resource was deleted. Code `deleted`.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: deleted
            message: workspace ws_BxYzAbCd12345678 is deleted
    PayloadTooLarge:
      description: The JSON body exceeds 1 MiB. Code `payload_too_large`.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: payload_too_large
            message: request body exceeds 1048576 bytes
    TooManyRequests:
      description: Rate limit reached (only when rate limits are enabled). Code `rate_limited`.
      headers:
        Retry-After:
          $ref: '#/components/headers/Retry-After'
        X-RateLimit-Limit:
          $ref: '#/components/headers/X-RateLimit-Limit'
        X-RateLimit-Remaining:
          $ref: '#/components/headers/X-RateLimit-Remaining'
        X-RateLimit-Reset:
          $ref: '#/components/headers/X-RateLimit-Reset'
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: rate_limited
            message: too many requests
    InternalError:
      description: >-
        Unexpected failure; the message is generic. Codes `internal_error`, `auth_error`, `config_error`.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: internal_error
            message: internal server error
    NotImplemented:
      description: The feature is not implemented yet. Code `not_implemented`.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: not_implemented
            message: log follow streams are not implemented yet
    ServiceUnavailable:
      description: A dependency is unavailable. Codes `service_unavailable`, `runner_not_connected`.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            code: runner_not_connected
            message: the runner of session sess_BxYzAbCd12345678 is not connected

  schemas:
    Error:
      type: object
      description: Body of every non-2xx JSON response. Never nested under an `error` key.
      required: [code, message]
      properties:
        code:
          type: string
          description: Machine-readable error code.
          examples: [not_found]
        message:
          type: string
          description: Human-readable message; generic for unexpected failures.
        details:
          type: object
          description: 'Extra context, e.g. `{"field": "prompt"}`.'
          additionalProperties: true
        request_id:
          type: string
          description: The request's `X-Request-ID`.

    HealthStatus:
      type: object
      required: [status]
      properties:
        status:
          type: string
          enum: [ok]
    ReadinessStatus:
      type: object
      required: [status, checks]
      properties:
        status:
          type: string
          enum: [ok, fail]
        checks:
          type: object
          description: One entry per check, keyed by check name (e.g. `database`).
          additionalProperties:
            $ref: '#/components/schemas/ReadinessCheck'
    ReadinessCheck:
      type: object
      required: [status]
      properties:
        status:
          type: string
          enum: [ok, fail]
        message:
          type: string
          description: Why the check failed.
        latency:
          type: string
          description: How long the check took, as human-readable duration text.

    SessionID:
      type: string
      pattern: '^sess_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [sess_BxYzAbCd12345678]
    TaskID:
      type: string
      pattern: '^task_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [task_BxYzAbCd12345678]
    TaskRunID:
      type: string
      pattern: '^trun_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [trun_BxYzAbCd12345678]
    RunnerID:
      type: string
      pattern: '^run_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [run_BxYzAbCd12345678]
    WorkspaceID:
      type: string
      pattern: '^ws_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [ws_BxYzAbCd12345678]
    LogID:
      type: string
      pattern: '^log_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [log_BxYzAbCd12345678]
    ProfileID:
      type: string
      description: A profile ID; built-in profiles are `prof_builtin_<name>`.
      pattern: '^prof_([A-Za-z]{8}[0-9A-Za-z]{8}|builtin_[a-z0-9-]+)$'
      examples: [prof_builtin_dev-small]
    AgentConfigID:
      type: string
      pattern: '^acfg_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [acfg_BxYzAbCd12345678]

\#(OpenAPIStreams.schemas)\#(OpenAPITunnels.schemas)\#(OpenAPIPermissions.schemas)    Labels:
      type: object
      description: >-
        String-to-string labels: keys up to 63 characters of `[A-Za-z0-9._/-]`, values up to 255
        characters, at most 64 pairs.
      maxProperties: 64
      propertyNames:
        pattern: '^[A-Za-z0-9._/-]{1,63}$'
      additionalProperties:
        type: string
        maxLength: 255
    Annotations:
      type: object
      description: Free-form string-to-string annotations.
      additionalProperties:
        type: string

    SessionStatus:
      type: string
      enum: [pending, active, suspended, resuming, terminated]
    LifecycleMode:
      type: string
      enum: [on_demand, always_on, scheduled]
    NetworkPolicy:
      type: string
      enum: [none, allow_list, proxy, air_gapped]
    PermissionPolicy:
      type: string
      enum: [ask, auto]
    SuspendStrategy:
      type: string
      enum: [pause, snapshot, terminate_preserve_storage, release_to_pool, terminate]
    SuspendReason:
      type: string
      enum:
        - user_request
        - idle_timeout
        - permission_timeout
        - runner_disconnected
        - runner_reassigned
        - scheduled
        - max_lifetime
        - admin
    TaskStatus:
      type: string
      enum: [pending, running, completed, failed, canceled]
    TaskRunStatus:
      type: string
      enum: [pending, assigned, running, completed, failed, timeout, canceled]
    RunnerStatus:
      type: string
      enum: [offline, idle, busy, paused]
    SandboxMode:
      type: string
      enum: [runner-is-sandbox, runner-creates-sandbox, none]
    StorageType:
      type: string
      enum: [volume, pvc, cas]
    Mobility:
      type: string
      enum: [local, shared, object_sync]
    LogStream:
      type: string
      enum: [stdout, stderr, system]
    LogLevel:
      type: string
      enum: [debug, info, warn, error]

    CreateSessionRequest:
      type: object
      required: [agent]
      properties:
        name:
          type: string
          maxLength: 255
        agent:
          type: string
          minLength: 1
          description: >-
            `claude`, `codex`, `command` (the prompt is a shell command), `custom` (command template from
            the agent config), or a named custom agent known to runners.
          examples: [claude]
        agent_config_id:
          $ref: '#/components/schemas/AgentConfigID'
          description: >-
            Managed credentials of the same tenant and agent (the key is decrypted only to be handed to the
            runner). Excludes `api_key`. Omitted together with `api_key`: the agent's default config, if any.
        api_key:
          type: string
          minLength: 1
          maxLength: 4096
          writeOnly: true
          description: Bring-your-own key; sets `is_byok`, never persisted. Excludes `agent_config_id`.
        workspace_id:
          $ref: '#/components/schemas/WorkspaceID'
          description: Reuse a workspace of the same tenant; omitted creates a new one.
        profile_id:
          $ref: '#/components/schemas/ProfileID'
          description: Supplies resources, network settings and the runner selector.
        lifecycle_mode:
          $ref: '#/components/schemas/LifecycleMode'
          default: on_demand
        idle_timeout_seconds:
          type: integer
          minimum: 0
          default: 1800
          description: 0 disables idle suspend; otherwise at least 60.
        max_lifetime_seconds:
          type: integer
          minimum: 1
          description: Unset means unlimited.
        schedule_cron:
          type: string
          description: 5-field cron expression; required if and only if `lifecycle_mode` is `scheduled`.
          examples: ['0 9 * * 1-5']
        schedule_timezone:
          type: string
          default: UTC
          description: IANA time zone name.
        network_policy:
          $ref: '#/components/schemas/NetworkPolicy'
          description: >-
            Defaults to `sessions.default_network_policy`. A policy the provider cannot enforce answers
            400 `network_policy_unsupported`.
        allowed_hosts:
          type: array
          items:
            type: string
          description: >-
            Hosts reachable under `allow_list`; when empty, the profile's hosts or
            `network.default_allowed_hosts`. Wildcard hosts only with `proxy`.
        permission_policy:
          $ref: '#/components/schemas/PermissionPolicy'
          default: ask
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'
      not:
        required: [api_key, agent_config_id]
      if:
        required: [lifecycle_mode]
        properties:
          lifecycle_mode:
            const: scheduled
      then:
        required: [schedule_cron]

    UpdateSessionRequest:
      type: object
      description: Any subset of the fields; absent fields stay unchanged.
      properties:
        name:
          type: string
          maxLength: 255
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'
        idle_timeout_seconds:
          type: integer
          minimum: 0
          description: 0 disables idle suspend; otherwise at least 60.
        max_lifetime_seconds:
          type: integer
          minimum: 1
        lifecycle_mode:
          $ref: '#/components/schemas/LifecycleMode'
        schedule_cron:
          type: string
          description: 5-field cron expression (scheduled sessions only).
        schedule_timezone:
          type: string
          description: IANA time zone name.

    ResumeSessionRequest:
      type: object
      properties:
        api_key:
          type: string
          minLength: 1
          maxLength: 4096
          writeOnly: true
          description: The BYOK key, for sessions whose key the server no longer holds.

    Session:
      type: object
      required:
        - id
        - status
        - agent
        - is_byok
        - permission_policy
        - workspace_id
        - network_policy
        - allowed_hosts
        - lifecycle_mode
        - labels
        - annotations
        - created_at
        - updated_at
      properties:
        id:
          $ref: '#/components/schemas/SessionID'
        name:
          type: string
        status:
          $ref: '#/components/schemas/SessionStatus'
        agent:
          type: string
        agent_version:
          type: string
        agent_config_id:
          $ref: '#/components/schemas/AgentConfigID'
        is_byok:
          type: boolean
        permission_policy:
          $ref: '#/components/schemas/PermissionPolicy'
        runner_id:
          $ref: '#/components/schemas/RunnerID'
        previous_runner_id:
          $ref: '#/components/schemas/RunnerID'
        workspace_id:
          $ref: '#/components/schemas/WorkspaceID'
        profile_id:
          $ref: '#/components/schemas/ProfileID'
        network_policy:
          $ref: '#/components/schemas/NetworkPolicy'
        allowed_hosts:
          type: array
          items:
            type: string
        lifecycle_mode:
          $ref: '#/components/schemas/LifecycleMode'
        idle_timeout_seconds:
          type: integer
        max_lifetime_seconds:
          type: integer
        suspend_strategy:
          $ref: '#/components/schemas/SuspendStrategy'
        suspend_reason:
          $ref: '#/components/schemas/SuspendReason'
        schedule_cron:
          type: string
        schedule_timezone:
          type: string
        next_scheduled_at:
          type: string
          format: date-time
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'
        last_activity_at:
          type: string
          format: date-time
        suspended_at:
          type: string
          format: date-time
        resumed_at:
          type: string
          format: date-time
        created_at:
          type: string
          format: date-time
        updated_at:
          type: string
          format: date-time

    SessionList:
      type: object
      required: [items, total_count, has_more]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Session'
        total_count:
          type: integer
          format: int64
        has_more:
          type: boolean
        next_cursor:
          type: string
          description: Omitted when there is no next page.

    CreateTaskRequest:
      type: object
      required: [prompt]
      anyOf:
        - required: [session_id]
        - required: [continue_from]
      properties:
        session_id:
          $ref: '#/components/schemas/SessionID'
          description: Required unless `continue_from` is given, in which case it defaults to that task's session.
        prompt:
          type: string
          minLength: 1
          description: The prompt (a shell command for the `command` agent); at most 1 MiB.
        continue_from:
          $ref: '#/components/schemas/TaskID'
          description: A task of the same session whose conversation this task continues.
        timeout_seconds:
          type: integer
          default: 3600
          description: Values <= 0 mean the default.
        max_retries:
          type: integer
          default: 0
          description: Negative values mean 0.
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'

    CreateSessionTaskRequest:
      type: object
      required: [prompt]
      properties:
        session_id:
          $ref: '#/components/schemas/SessionID'
          description: Optional; must equal the path's session ID.
        prompt:
          type: string
          minLength: 1
          description: The prompt (a shell command for the `command` agent); at most 1 MiB.
        continue_from:
          $ref: '#/components/schemas/TaskID'
          description: A task of the same session whose conversation this task continues.
        timeout_seconds:
          type: integer
          default: 3600
          description: Values <= 0 mean the default.
        max_retries:
          type: integer
          default: 0
          description: Negative values mean 0.
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'

    RetryTaskRequest:
      type: object
      properties:
        force:
          type: boolean
          default: false
          description: Retry even when `retry_count >= max_retries`.

    TaskExecutionAccepted:
      type: object
      required: [status]
      properties:
        status:
          type: string
          enum: [executing]

    Task:
      type: object
      required:
        - id
        - session_id
        - prompt
        - status
        - max_retries
        - retry_count
        - timeout_seconds
        - labels
        - annotations
        - created_at
        - updated_at
      properties:
        id:
          $ref: '#/components/schemas/TaskID'
        session_id:
          $ref: '#/components/schemas/SessionID'
        prompt:
          type: string
        status:
          $ref: '#/components/schemas/TaskStatus'
        continue_from:
          $ref: '#/components/schemas/TaskID'
        max_retries:
          type: integer
        retry_count:
          type: integer
        timeout_seconds:
          type: integer
        dispatch_parked_reason:
          type: string
          description: Why a pending task is not dispatched yet (e.g. no runner).
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'
        created_at:
          type: string
          format: date-time
        updated_at:
          type: string
          format: date-time

    TaskList:
      type: object
      required: [items, total_count, has_more]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Task'
        total_count:
          type: integer
          format: int64
        has_more:
          type: boolean
        next_cursor:
          type: string
          description: Omitted when there is no next page.

    TaskRun:
      type: object
      required: [id, task_id, attempt, status, queued_at, updated_at]
      properties:
        id:
          $ref: '#/components/schemas/TaskRunID'
        task_id:
          $ref: '#/components/schemas/TaskID'
        attempt:
          type: integer
          minimum: 1
        runner_id:
          $ref: '#/components/schemas/RunnerID'
        status:
          $ref: '#/components/schemas/TaskRunStatus'
        error:
          type: string
        exit_code:
          type: integer
        tokens_input:
          type: integer
          format: int64
          description: Input tokens including cache creation and cache read tokens.
        tokens_output:
          type: integer
          format: int64
        cost_usd:
          type: number
          format: double
          description: Omitted when unknown.
        queued_at:
          type: string
          format: date-time
        assigned_at:
          type: string
          format: date-time
        started_at:
          type: string
          format: date-time
        ended_at:
          type: string
          format: date-time
        updated_at:
          type: string
          format: date-time

    TaskRunList:
      type: object
      required: [items, total_count, has_more]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/TaskRun'
        total_count:
          type: integer
          format: int64
        has_more:
          type: boolean
        next_cursor:
          type: string
          description: Omitted when there is no next page.

    Log:
      type: object
      required:
        - id
        - session_id
        - task_id
        - run_id
        - runner_id
        - stream
        - level
        - content
        - sequence
        - metadata
        - created_at
      properties:
        id:
          $ref: '#/components/schemas/LogID'
        session_id:
          $ref: '#/components/schemas/SessionID'
        task_id:
          $ref: '#/components/schemas/TaskID'
        run_id:
          $ref: '#/components/schemas/TaskRunID'
        runner_id:
          $ref: '#/components/schemas/RunnerID'
        stream:
          $ref: '#/components/schemas/LogStream'
        level:
          $ref: '#/components/schemas/LogLevel'
        content:
          type: string
        sequence:
          type: integer
          format: int64
          minimum: 1
          description: Per run, from 1.
        timestamp:
          type: string
          format: date-time
          description: When the runner emitted the line (agent time).
        metadata:
          type: object
          additionalProperties:
            type: string
        created_at:
          type: string
          format: date-time
          description: When the server stored the line.
        attempt:
          type: integer
          minimum: 1
          description: Attempt number of the run the line belongs to.

    LogList:
      type: object
      required: [items, total_count, has_more]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Log'
        total_count:
          type: integer
          format: int64
        has_more:
          type: boolean
        next_cursor:
          type: string
          description: Omitted when there is no next page.

    Runner:
      type: object
      required:
        - id
        - name
        - hostname
        - status
        - tainted
        - sandbox_mode
        - sandbox_types
        - capabilities
        - labels
        - annotations
        - created_at
        - updated_at
      properties:
        id:
          $ref: '#/components/schemas/RunnerID'
        name:
          type: string
        hostname:
          type: string
        status:
          $ref: '#/components/schemas/RunnerStatus'
        tainted:
          type: boolean
        taint_reason:
          type: string
          description: >-
            `script_failed`, `max_tasks_reached`, `session_crashed`, `agent_crashed`, `state_corrupted`,
            `manual`, `health_check_failed` or `stale`, possibly followed by detail text.
        sandbox_mode:
          $ref: '#/components/schemas/SandboxMode'
        sandbox_types:
          type: array
          items:
            type: string
        pool_name:
          type: string
        profile_id:
          $ref: '#/components/schemas/ProfileID'
        capabilities:
          type: array
          items:
            type: string
        agent_version:
          type: string
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'
        last_seen_at:
          type: string
          format: date-time
        created_at:
          type: string
          format: date-time
        updated_at:
          type: string
          format: date-time

    RunnerList:
      type: object
      required: [items, total_count, has_more]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Runner'
        total_count:
          type: integer
          format: int64
        has_more:
          type: boolean
        next_cursor:
          type: string
          description: Omitted when there is no next page.

    CreateWorkspaceRequest:
      type: object
      required: [name]
      properties:
        name:
          type: string
          minLength: 1
          maxLength: 255
          description: Printable characters without `/`, not starting with `.`; unique per tenant.
        persist:
          type: boolean
          default: true
        storage_type:
          $ref: '#/components/schemas/StorageType'
          default: volume
        mobility:
          $ref: '#/components/schemas/Mobility'
          default: local
        disk_quota_mb:
          type: integer
          minimum: 0
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'

    UpdateWorkspaceRequest:
      type: object
      description: Any subset of the fields; absent fields stay unchanged.
      properties:
        name:
          type: string
          minLength: 1
          maxLength: 255
        persist:
          type: boolean
        disk_quota_mb:
          type: integer
          minimum: 0
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'

    Workspace:
      type: object
      required:
        - id
        - name
        - persist
        - storage_type
        - mobility
        - labels
        - annotations
        - created_at
        - updated_at
      properties:
        id:
          $ref: '#/components/schemas/WorkspaceID'
        name:
          type: string
        persist:
          type: boolean
        storage_type:
          $ref: '#/components/schemas/StorageType'
        mobility:
          $ref: '#/components/schemas/Mobility'
        storage_size_bytes:
          type: integer
          format: int64
        disk_quota_mb:
          type: integer
        last_synced_at:
          type: string
          format: date-time
        labels:
          $ref: '#/components/schemas/Labels'
        annotations:
          $ref: '#/components/schemas/Annotations'
        expires_at:
          type: string
          format: date-time
        created_at:
          type: string
          format: date-time
        updated_at:
          type: string
          format: date-time
        deleted_at:
          type: string
          format: date-time

    WorkspaceList:
      type: object
      required: [items, total_count, has_more]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Workspace'
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
