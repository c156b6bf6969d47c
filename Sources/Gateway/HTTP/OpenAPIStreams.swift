/// The stream management part of `OpenAPIDocument` (api.md §10.1), kept apart so the streams
/// work touches the main document only where these pieces are spliced in.
enum OpenAPIStreams {
    static let paths = #"""
  /api/v1/sessions/{sessionID}/streams:
    parameters:
      - $ref: '#/components/parameters/sessionID'
    post:
      tags: [Streams]
      operationId: createStream
      summary: Create a stream on a session
      description: >-
        Scope `streams:write`. The session must be `pending` or `active` (else 409 `invalid_state`) and
        hold fewer than 4 streams that are not stopped or failed (else 409 `limit_exceeded`).
        `browser` and `ios` answer 400 `unsupported_stream_type`. Runner-sourced types start `pending`;
        `webrtc` starts `starting` and waits for its WHIP publisher. The response carries the one-time
        `viewer_token` (role `control`, or `view` when `input` is false) and, for `webrtc`, `publish_token`.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateStreamRequest'
      responses:
        '201':
          description: The created stream with its one-time tokens.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Stream'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 413, 500))
    get:
      tags: [Streams]
      operationId: listStreams
      summary: List a session's streams
      description: Scope `streams:read`. Newest first; stopped streams only with `include_stopped` or `state=stopped`.
      parameters:
        - name: state
          in: query
          description: Keep streams in any of these states (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/StreamState'
        - name: type
          in: query
          description: Keep streams of any of these types (repeat the key).
          style: form
          explode: true
          schema:
            type: array
            items:
              $ref: '#/components/schemas/StreamType'
        - name: include_stopped
          in: query
          schema:
            type: boolean
            default: false
        - $ref: '#/components/parameters/limit'
        - $ref: '#/components/parameters/cursor'
      responses:
        '200':
          description: One page of streams.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/StreamList'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))

  /api/v1/streams/{streamID}:
    parameters:
      - $ref: '#/components/parameters/streamID'
    get:
      tags: [Streams]
      operationId: getStream
      summary: Get a stream
      description: Scope `streams:read`. Never carries tokens.
      responses:
        '200':
          description: The stream.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Stream'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))
    delete:
      tags: [Streams]
      operationId: stopStream
      summary: Stop a stream
      description: >-
        Scope `streams:write`. The stream goes to `stopped` (`stopped_at` set) and its tokens are revoked.
        Stopping a stopped stream succeeds again; a failed stream answers 409 `invalid_state`.
      responses:
        '204':
          description: The stream is stopped.
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 500))

  /api/v1/streams/{streamID}/tokens:
    parameters:
      - $ref: '#/components/parameters/streamID'
    post:
      tags: [Streams]
      operationId: createStreamToken
      summary: Mint a stream token
      description: >-
        Scope `streams:write`. A `stok_` token valid only on this stream's WHEP, WHIP and input routes.
        The body is optional (role `view`, one hour). Expiry is capped at the stream's `expires_at`;
        `publish` needs a `webrtc` stream, `control` a stream with input. Stopped or failed streams
        answer 409 `invalid_state`.
      requestBody:
        required: false
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateStreamTokenRequest'
      responses:
        '201':
          description: The token, shown only here.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/StreamToken'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 409, 500))
  /api/v1/streams/{streamID}/stats:
    parameters:
      - $ref: '#/components/parameters/streamID'
    get:
      tags: [Streams]
      operationId: getStreamStats
      summary: Live counters of a stream
      description: >-
        Scope `streams:read`. What the SFU counts for the stream now: frames and bytes from the WHIP
        publisher or runner source, packets to viewers, NACKs, retransmissions, keyframe requests and
        sender reports, bitrates over the last full second, and one entry per current viewer. Totals
        include viewers that have left. A stream the SFU holds nothing for (not started or stopped)
        answers zeros.
      responses:
        '200':
          description: The counters.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/StreamStats'
\#(OpenAPIErrorResponses.refs(400, 401, 403, 404, 500))

\#(signaling(kind: "whep", name: "WHEP", who: "viewer", role: " (any role)", scope: "streams:read", conflicts: ""))\#(signaling(kind: "whip", name: "WHIP", who: "publisher", role: " with role `publish`", scope: "streams:write", conflicts: "; a type other than `webrtc`; `publisher_exists` when one is connected"))
"""#

    /// The WHEP and WHIP paths: one shape, these words differ.
    static func signaling(kind: String, name: String, who: String, role: String, scope: String, conflicts: String) -> String {
        """
          /api/v1/streams/{streamID}/\(kind):
            parameters:
              - $ref: '#/components/parameters/streamID'
            post:
              tags: [Streams]
              operationId: \(kind)Offer
              summary: Join as a \(who) (\(name))
              description: >-
                \(name): the body is the SDP offer (`application/sdp`); the answer carries `a=ice-lite`, the SFU's host
                candidates on the media UDP port, its DTLS fingerprint, rtcp-mux and one BUNDLE group. Credential: a
                `stok_` token of this stream\(role) or an API key with `\(scope)`,
                as Bearer or `?token=`. The `Location` header names the peer for DELETE.
              requestBody:
                required: true
                content:
                  application/sdp:
                    schema:
                      type: string
              responses:
                '201':
                  description: The SDP answer.
                  headers:
                    Location:
                      description: The peer resource, for DELETE.
                      schema:
                        type: string
                  content:
                    application/sdp:
                      schema:
                        type: string
                '400':
                  description: '`invalid_sdp` (no BUNDLE, no rtcp-mux, no DTLS fingerprint) or `unsupported_codec`.'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Error'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '403':
                  $ref: '#/components/responses/Forbidden'
                '404':
                  $ref: '#/components/responses/NotFound'
                '409':
                  description: '`invalid_state` (stream stopped or failed\(conflicts)).'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Error'
                '415':
                  description: The body is not `application/sdp`.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Error'
                '503':
                  description: '`sfu_at_capacity`, or the SFU is not running yet.'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Error'
          /api/v1/streams/{streamID}/\(kind)/{peerID}:
            parameters:
              - $ref: '#/components/parameters/streamID'
              - name: peerID
                in: path
                required: true
                description: The \(who) id from the `Location` header.
                schema:
                  type: string
            patch:
              tags: [Streams]
              operationId: \(kind)Patch
              summary: ICE restart or trickle for a \(who) (RFC 9725 §4.3)
              description: >-
                A body with new `a=ice-ufrag`/`a=ice-pwd` restarts ICE: the answer carries the SFU's
                new credentials and candidates; media keeps flowing on the old pair until a check with
                the new credentials arrives, DTLS and SRTP stay. Candidates alone change nothing (the
                SFU is ICE-lite).
              requestBody:
                required: true
                content:
                  application/trickle-ice-sdpfrag:
                    schema:
                      type: string
              responses:
                '200':
                  description: ICE restarted; the SFU's new credentials and candidates.
                  content:
                    application/trickle-ice-sdpfrag:
                      schema:
                        type: string
                '204':
                  description: Trickled candidates accepted (nothing to do).
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
                '415':
                  $ref: '#/components/responses/BadRequest'
            delete:
              tags: [Streams]
              operationId: \(kind)Leave
              summary: Leave (\(who))
              responses:
                '200':
                  description: The \(who) is gone.
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'

        """
    }

    static let parameters = #"""
    streamID:
      name: streamID
      in: path
      required: true
      description: Stream ID (`strm_` prefix).
      schema:
        $ref: '#/components/schemas/StreamID'

"""#

    static let schemas = #"""
    StreamID:
      type: string
      pattern: '^strm_[A-Za-z]{8}[0-9A-Za-z]{8}$'
      examples: [strm_BxYzAbCd12345678]
    StreamType:
      type: string
      description: '`browser` and `ios` are planned and answer 400 `unsupported_stream_type` on create.'
      enum: [testsrc, desktop, android, webrtc, browser, ios]
    StreamState:
      type: string
      enum: [pending, starting, active, paused, stopping, stopped, failed]
    IceServer:
      type: object
      required: [urls]
      properties:
        urls:
          type: array
          items:
            type: string
        username:
          type: string
        credential:
          type: string

    CreateStreamRequest:
      type: object
      description: >-
        Aliases accepted on input: `frame_rate`/`max_fps` for `fps`, `codec` for `video_codec`,
        `audio_enabled` for `audio`, `input_enabled`/`control` for `input`, `device_serial` for `serial`.
      properties:
        type:
          $ref: '#/components/schemas/StreamType'
          default: desktop
        width:
          type: integer
          minimum: 16
          maximum: 7680
          description: desktop 1920, testsrc 1280; android uses the device size.
        height:
          type: integer
          minimum: 16
          maximum: 4320
          description: desktop 1080, testsrc 720.
        max_size:
          type: integer
          description: android only; longest side, default 1920.
        fps:
          type: integer
          minimum: 1
          maximum: 120
          description: desktop and testsrc 30, android 60.
        bitrate_kbps:
          type: integer
          minimum: 100
          maximum: 100000
          description: desktop 2500, testsrc 4000, android 8000.
        video_codec:
          type: string
          enum: [vp8, vp9, h264]
          description: desktop and testsrc `vp8` (default) or `vp9`; android `h264` only.
        audio:
          type: boolean
          default: false
          description: >-
            android: the device's audio (Android 11 and later); desktop: what the desktop plays
            (PulseAudio's default monitor, Opus); the stream fails with `audio_unavailable` when the
            runner has no PulseAudio.
        input:
          type: boolean
          description: true for desktop and android; not available on other types.
        display:
          type: string
          description: desktop X display, default `:99`.
        xvfb:
          type: boolean
          description: desktop; start Xvfb when the display does not exist (default true).
        serial:
          type: string
          description: android adb serial.
        ttl_seconds:
          type: integer
          minimum: 0
          description: 0 = until stopped or until the session leaves `active`.
        labels:
          $ref: '#/components/schemas/Labels'

    CreateStreamTokenRequest:
      type: object
      properties:
        role:
          type: string
          enum: [view, control, publish]
          default: view
        ttl_seconds:
          type: integer
          minimum: 1
          maximum: 86400
          default: 3600

    StreamToken:
      type: object
      required: [token, role, expires_at]
      properties:
        token:
          type: string
          description: '`stok_` + 43 characters; shown once.'
        role:
          type: string
          enum: [view, control, publish]
        expires_at:
          type: string
          format: date-time

    Stream:
      type: object
      required:
        - id
        - session_id
        - type
        - state
        - audio
        - input
        - viewer_count
        - publisher_connected
        - whep_url
        - viewer_url
        - input_url
        - ice_servers
        - labels
        - metadata
        - created_at
        - updated_at
      properties:
        id:
          $ref: '#/components/schemas/StreamID'
        session_id:
          $ref: '#/components/schemas/SessionID'
        runner_id:
          $ref: '#/components/schemas/RunnerID'
        type:
          $ref: '#/components/schemas/StreamType'
        state:
          $ref: '#/components/schemas/StreamState'
        width:
          type: integer
        height:
          type: integer
        fps:
          type: integer
        max_size:
          type: integer
        bitrate_kbps:
          type: integer
        video_codec:
          type: string
        audio_codec:
          type: string
        audio:
          type: boolean
        input:
          type: boolean
        display:
          type: string
        serial:
          type: string
        viewer_count:
          type: integer
        publisher_connected:
          type: boolean
        whep_url:
          type: string
          description: '`<public_url>/api/v1/streams/{id}/whep`'
        whip_url:
          type: string
          description: webrtc streams only.
        viewer_url:
          type: string
          description: '`<public_url>/streams/{id}/view`; pass a token as the fragment `#token=stok_...`.'
        input_url:
          type: string
          description: WebSocket URL of the input channel.
        ice_servers:
          type: array
          items:
            $ref: '#/components/schemas/IceServer'
        error:
          type: string
        error_code:
          type: string
        labels:
          $ref: '#/components/schemas/Labels'
        metadata:
          type: object
          additionalProperties: true
        viewer_token:
          type: string
          description: Create response only.
        publish_token:
          type: string
          description: Create response of webrtc streams only.
        created_at:
          type: string
          format: date-time
        updated_at:
          type: string
          format: date-time
        started_at:
          type: string
          format: date-time
        stopped_at:
          type: string
          format: date-time
        expires_at:
          type: string
          format: date-time

    StreamStats:
      type: object
      required:
        - stream_id
        - viewer_count
        - frames_received
        - keyframes_received
        - bitrate_in_kbps
        - packets_out
        - nacks_received
        - rtx_sent
        - plis_received
        - keyframe_requests_sent
        - target_bitrate_kbps
        - publisher_connected
        - packets_in
        - bytes_in
        - bytes_out
        - bitrate_out_kbps
        - sender_reports_sent
        - frames_dropped
        - viewers
      properties:
        stream_id:
          $ref: '#/components/schemas/StreamID'
        viewer_count:
          type: integer
          description: Viewers connected or connecting.
        frames_received:
          type: integer
          format: int64
          description: Video frames from the publisher (marker bits) or the runner source.
        keyframes_received:
          type: integer
          format: int64
        bitrate_in_kbps:
          type: integer
          description: Ingress over the last full second.
        packets_out:
          type: integer
          format: int64
          description: RTP packets sent to viewers, retransmissions included.
        nacks_received:
          type: integer
          format: int64
          description: Sequence numbers viewers asked for again.
        rtx_sent:
          type: integer
          format: int64
          description: Packets resent after a NACK.
        plis_received:
          type: integer
          format: int64
          description: Viewer RTCP datagrams carrying a PLI or FIR.
        keyframe_requests_sent:
          type: integer
          format: int64
          description: Coalesced requests sent upstream (PLI to the publisher, KeyframeRequest to the runner).
        target_bitrate_kbps:
          type: integer
          description: The REMB value sent to a WHIP publisher, else the stream's `bitrate_kbps`.
        publisher_connected:
          type: boolean
          description: A WHIP publisher is connected or a runner source is attached.
        packets_in:
          type: integer
          format: int64
        bytes_in:
          type: integer
          format: int64
          description: RTP bytes from a WHIP publisher, encoded frame bytes from a runner source.
        bytes_out:
          type: integer
          format: int64
          description: SRTP bytes sent to viewers.
        bitrate_out_kbps:
          type: integer
          description: Egress to all viewers over the last full second.
        sender_reports_sent:
          type: integer
          format: int64
          description: RTCP sender reports sent to viewers.
        frames_dropped:
          type: integer
          format: int64
          description: Whole video frames not sent to viewers that could not keep up (streaming.md §3.7), summed over viewers.
        viewers:
          type: array
          items:
            $ref: '#/components/schemas/StreamViewerStats'

    StreamViewerStats:
      type: object
      required:
        - id
        - connected
        - packets_out
        - bytes_out
        - rtx_sent
        - nacks_received
        - plis_received
        - sender_reports_sent
        - receiver_reports_received
        - fraction_lost
        - packets_lost
        - jitter_ms
        - frames_dropped
        - packets_dropped
      properties:
        id:
          type: string
          description: The viewer's peer id (the last segment of its WHEP `Location`).
        connected:
          type: boolean
          description: DTLS is up and media flows.
        packets_out:
          type: integer
          format: int64
        bytes_out:
          type: integer
          format: int64
        rtx_sent:
          type: integer
          format: int64
        nacks_received:
          type: integer
          format: int64
        plis_received:
          type: integer
          format: int64
        sender_reports_sent:
          type: integer
          format: int64
        receiver_reports_received:
          type: integer
          format: int64
          description: The viewer's receiver reports on the video SSRC; the fields below are from the latest.
        rtt_ms:
          type: number
          description: Round trip from the sender report the viewer echoed (LSR/DLSR); absent before one was.
        fraction_lost:
          type: number
          description: Share of packets lost since the viewer's previous report (0-1).
        packets_lost:
          type: integer
          description: Cumulative packets lost as the viewer counts them.
        jitter_ms:
          type: number
          description: Interarrival jitter the viewer reports.
        frames_dropped:
          type: integer
          format: int64
          description: Whole video frames skipped for this viewer (its estimate under the target, or the socket full) until the next keyframe.
        packets_dropped:
          type: integer
          format: int64
          description: The packets of those frames.

    StreamList:
      type: object
      required: [items, total_count, has_more]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/Stream'
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
