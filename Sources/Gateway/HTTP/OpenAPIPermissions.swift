/// The permissions part of `OpenAPIDocument` (api.md §6), spliced into the main document.
enum OpenAPIPermissions {
    static let tag = #"""
  - name: Permissions
    description: >-
      Gated tool calls of running agents waiting for an operator. Requests never expire on their own; one
      unanswered for `suspend_after_seconds` suspends its session, and an answer resumes it.

"""#

    static let paths = #"""
  /api/v1/permissions:
    get:
      tags: [Permissions]
      operationId: listPermissions
      summary: List permission requests
      description: Scope `permissions:read`. Newest first.
      parameters:
        - name: session_id
          in: query
          schema:
            $ref: '#/components/schemas/SessionID'
        - name: task_id
          in: query
          schema:
            $ref: '#/components/schemas/TaskID'
        - name: status
          in: query
          description: Keep requests in any of these states (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/PermissionStatus'
        - name: risk_level
          in: query
          description: Keep requests of any of these risk levels (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/RiskLevel'
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of permission requests.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/PermissionRequestList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 500))

  /api/v1/permissions/{permissionID}:
    parameters:
      - $ref: '#/components/parameters/permissionID'
    get:
      tags: [Permissions]
      operationId: getPermission
      summary: Get a permission request
      description: Scope `permissions:read`.
      responses:
        '200':
          description: The permission request.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/PermissionRequest'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))

\#(answer("approve", "Approve", "allow"))\#(answer("deny", "Deny", "deny"))
"""#

    static func answer(_ verb: String, _ title: String, _ behaviour: String) -> String {
        #"""
  /api/v1/permissions/{permissionID}/\#(verb):
    parameters:
      - $ref: '#/components/parameters/permissionID'
    post:
      tags: [Permissions]
      operationId: \#(verb)Permission
      summary: \#(title) a pending permission request
      description: >-
        Scope `permissions:write`. Only `pending` requests can be answered (else 409 `invalid_state`, "already
        responded"). Records `responded_by` (the API key id), `responded_at` and the reason; a connected runner
        gets the answer at once and its agent CLI is told `\#(behaviour)`; a suspended session is resumed and gets
        it when a runner attaches. `delivered_at` is set when the runner acknowledges it.
      requestBody:
        required: false
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/PermissionAnswer'
      responses:
        '204':
          description: Answered.
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 500))


"""#
    }

    static let parameters = #"""
    permissionID:
      name: permissionID
      in: path
      required: true
      description: Permission request ID (`perm_` prefix).
      schema:
        $ref: '#/components/schemas/PermissionID'

"""#

    static let schemas = #"""
    PermissionID:
      type: string
      pattern: '^perm_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [perm_BxYzAbCd12345678]
    PermissionStatus:
      type: string
      enum: [pending, approved, denied, canceled]
    RiskLevel:
      type: string
      enum: [low, medium, high, critical]
    PermissionAnswer:
      type: object
      properties:
        reason:
          type: string
          maxLength: 4096
          description: Shown to the agent with a denial; recorded as `response_reason`.
    PermissionRequest:
      type: object
      required: [id, original_request_id, session_id, task_id, run_id, tool, action, risk_level, status, suspend_after_seconds, created_at, updated_at]
      properties:
        id:
          $ref: '#/components/schemas/PermissionID'
        original_request_id:
          type: string
          description: The agent's id for the call (Claude Code's `tool_use_id`).
        session_id:
          $ref: '#/components/schemas/SessionID'
        task_id:
          $ref: '#/components/schemas/TaskID'
        run_id:
          $ref: '#/components/schemas/TaskRunID'
        tool:
          type: string
          description: '`Bash`, `Write`, `Edit`, `WebFetch`, an `mcp__…` tool, …'
        action:
          type: string
          description: What the call does (the command, file path or URL; else the input JSON), ≤ 1000 characters.
        context:
          type: string
          description: 'JSON: `{"cwd": …, "input": …}` (the tool input; cut to a string above 8 KiB).'
        risk_level:
          $ref: '#/components/schemas/RiskLevel'
        status:
          $ref: '#/components/schemas/PermissionStatus'
        suspend_after_seconds:
          type: integer
        responded_by:
          type: string
        response_reason:
          type: string
        responded_at:
          type: string
          format: date-time
        delivered_at:
          type: string
          format: date-time
          description: When a runner acknowledged the answer.
        created_at:
          type: string
          format: date-time
        updated_at:
          type: string
          format: date-time
    PermissionRequestList:
      type: object
      required: [items, total_count, has_more]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/PermissionRequest'
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
