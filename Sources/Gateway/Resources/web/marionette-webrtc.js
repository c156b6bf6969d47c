// Shared WHEP/WHIP client pieces for viewer.js and whip-publisher.js: page parameters, one
// reconnecting peer connection with its HTTP signalling, and a getStats() summary.
// Plain browser JavaScript, no build step. Exposes `window.MarionetteWebRTC`.
'use strict';

(function (global) {
  const BACKOFF_MIN_MS = 1000;
  const BACKOFF_MAX_MS = 10000;
  // ICE gathering is awaited only this long: the server is ICE-lite and learns our address from
  // our connectivity checks, so candidates in the offer are a courtesy, not a requirement.
  const GATHER_TIMEOUT_MS = 1000;
  // A peer that does not reach `connected` in this time (ICE + DTLS) is torn down and retried.
  const CONNECT_TIMEOUT_MS = 15000;
  // `disconnected` often heals by itself (a lost consent check); give it this long first.
  const DISCONNECTED_GRACE_MS = 4000;

  /**
   * Stream id, credential and options of this page. The stream id comes from the path
   * `/streams/{id}/view` or `/streams/{id}/publish` (or `?stream=` for pages served elsewhere).
   * The credential comes from the fragment `#token=` (api.md §10.5: never sent to the server in
   * the page request) or else the query `?token=`.
   */
  function pageParams() {
    const query = new URLSearchParams(location.search);
    const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
    const match = location.pathname.match(/\/streams\/([^/]+)\/(?:view|publish)\/?$/);
    return {
      streamId: match ? decodeURIComponent(match[1]) : query.get('stream'),
      token: fragment.get('token') || query.get('token') || '',
      query,
    };
  }

  /** The signalling endpoint on this origin: `/api/v1/streams/{id}/{whep|whip}`. */
  function endpointFor(streamId, kind) {
    return `${location.origin}/api/v1/streams/${encodeURIComponent(streamId)}/${kind}`;
  }

  /** Resolves once ICE gathering is complete or `timeoutMs` has passed, whichever is first. */
  function waitForGathering(pc, timeoutMs) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      };
      const check = () => { if (pc.iceGatheringState === 'complete') done(); };
      const timer = setTimeout(done, timeoutMs);
      pc.addEventListener('icegatheringstatechange', check);
    });
  }

  /** `Link: <turn:...>; rel="ice-server"; username="u"; credential="p"` → RTCIceServer[]. */
  function parseIceServerLinks(header) {
    if (!header) return [];
    const servers = [];
    for (const part of header.split(/,(?=\s*<)/)) {
      const m = part.match(/<([^>]+)>(.*)/);
      if (!m || !/rel="?ice-server"?/i.test(m[2])) continue;
      const server = { urls: m[1] };
      const user = m[2].match(/username="([^"]*)"/i);
      const cred = m[2].match(/credential="([^"]*)"/i);
      if (user) server.username = user[1];
      if (cred) server.credential = cred[1];
      servers.push(server);
    }
    return servers;
  }

  /** Puts `mimeType` (e.g. `video/H264`) first in a transceiver's codec list, when supported. */
  function preferCodec(transceiver, kind, mimeType, direction) {
    if (!mimeType || typeof transceiver.setCodecPreferences !== 'function') return;
    const caps = (direction === 'send' ? RTCRtpSender : RTCRtpReceiver).getCapabilities(kind);
    if (!caps) return;
    const want = mimeType.toLowerCase();
    const first = caps.codecs.filter((c) => c.mimeType.toLowerCase() === want);
    if (first.length === 0) return;
    const rest = caps.codecs.filter((c) => c.mimeType.toLowerCase() !== want);
    transceiver.setCodecPreferences([...first, ...rest]);
  }

  class HttpError extends Error {
    constructor(status, body) {
      let code = '';
      try { code = JSON.parse(body).code || ''; } catch (_) { /* not JSON */ }
      super(`HTTP ${status}${code ? ` ${code}` : ''}`);
      this.status = status;
      this.code = code;
    }
  }

  /** The value of the first `a=<name>:` line of an SDP text. */
  function sdpAttribute(sdp, name) {
    const match = new RegExp(`^a=${name}:(.*)$`, 'm').exec(sdp || '');
    return match ? match[1].trim() : null;
  }

  /**
   * One WHEP or WHIP session that re-establishes itself with exponential backoff (1 s → 10 s)
   * whenever the POST fails, the connection fails, or it never connects. A failed connection first
   * tries an ICE restart on the same RTCPeerConnection (RFC 9725 §4.3: new ICE credentials in a
   * PATCH, DTLS and SRTP kept); when that fails (the server forgot the session, say) a new
   * RTCPeerConnection is made.
   *
   * options: endpoint, token, setup(pc) (adds transceivers/tracks; may be async),
   *          onState(state, detail), onPeer(pc) (called for each new connected attempt's pc).
   * States: idle → connecting → connected → (reconnecting → connecting → …) → closed.
   */
  class ReconnectingSession {
    constructor(options) {
      this.options = options;
      this.state = 'idle';
      this.detail = '';
      this.pc = null;
      this.resourceUrl = null;
      this.attempt = 0;
      this.connects = 0;           // successful connections so far
      this.postStartedAt = null;   // performance.now() when the current attempt's POST was sent
      this.postAnsweredAt = null;
      this.connectedAt = null;
      this.lastError = '';
      this.retryTimer = null;
      this.watchTimer = null;
      this.generation = 0;         // guards callbacks of torn-down attempts
      this.iceRestarts = 0;        // ICE restarts the server answered
    }

    start() {
      if (this.state !== 'idle' && this.state !== 'closed') return;
      this._attempt();
    }

    _setState(state, detail = '') {
      this.state = state;
      this.detail = detail;
      if (this.options.onState) this.options.onState(state, detail);
    }

    async _attempt() {
      const generation = ++this.generation;
      this._setState('connecting', this.attempt ? `attempt ${this.attempt + 1}` : '');
      let pc;
      try {
        pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
        this.pc = pc;
        await this.options.setup(pc);
        pc.addEventListener('connectionstatechange', () => this._onConnectionState(pc, generation));
        await pc.setLocalDescription(await pc.createOffer());
        await waitForGathering(pc, GATHER_TIMEOUT_MS);
        if (generation !== this.generation) return;
        const headers = { 'Content-Type': 'application/sdp' };
        if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
        this.postStartedAt = performance.now();
        this.postAnsweredAt = null;
        this.connectedAt = null;
        const res = await fetch(this.options.endpoint, {
          method: 'POST', headers, body: pc.localDescription.sdp, cache: 'no-store',
        });
        const body = await res.text();
        if (generation !== this.generation) return;
        if (res.status !== 201 && res.status !== 200) throw new HttpError(res.status, body);
        const location = res.headers.get('Location');
        this.resourceUrl = location ? new URL(location, this.options.endpoint).href : null;
        const iceServers = parseIceServerLinks(res.headers.get('Link'));
        if (iceServers.length) pc.setConfiguration({ ...pc.getConfiguration(), iceServers });
        await pc.setRemoteDescription({ type: 'answer', sdp: body });
        this.postAnsweredAt = performance.now();
        if (this.options.onPeer) this.options.onPeer(pc);
        this._watch(generation, CONNECT_TIMEOUT_MS, 'connect timeout');
      } catch (err) {
        if (generation !== this.generation) return;
        this._retry(err && err.message ? err.message : String(err));
      }
    }

    _onConnectionState(pc, generation) {
      if (generation !== this.generation || this.pc !== pc) return;
      switch (pc.connectionState) {
        case 'connected':
          clearTimeout(this.watchTimer);
          this.attempt = 0;
          this.connects++;
          this.connectedAt = performance.now();
          this.lastError = '';
          this._setState('connected');
          break;
        case 'disconnected':
          this._setState('disconnected');
          this._watch(generation, DISCONNECTED_GRACE_MS, 'disconnected');
          break;
        case 'failed':
          this.restartIce();
          break;
        default:
          break;
      }
    }

    /**
     * ICE restart on the current peer connection: new local credentials go to the server as a
     * trickle-ice-sdpfrag PATCH, its new credentials replace the old ones in the remote description.
     * Resolves true when the server took it; on failure a full reconnect follows.
     */
    async restartIce() {
      const pc = this.pc;
      const generation = this.generation;
      if (!pc || !this.resourceUrl || !pc.remoteDescription) { this._retry('connection failed'); return false; }
      try {
        const offer = await pc.createOffer({ iceRestart: true });
        await pc.setLocalDescription(offer);
        const mids = pc.getTransceivers().map((t) => t.mid).filter((mid) => mid !== null);
        const fragment = `a=ice-ufrag:${sdpAttribute(offer.sdp, 'ice-ufrag')}\r\n`
          + `a=ice-pwd:${sdpAttribute(offer.sdp, 'ice-pwd')}\r\n`
          + mids.map((mid) => `m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:${mid}\r\n`).join('');
        const headers = { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': '*' };
        if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
        const res = await fetch(this.resourceUrl, { method: 'PATCH', headers, body: fragment, cache: 'no-store' });
        const body = await res.text();
        if (generation !== this.generation) return false;
        if (res.status !== 200) throw new HttpError(res.status, body);
        const ufrag = sdpAttribute(body, 'ice-ufrag');
        const pwd = sdpAttribute(body, 'ice-pwd');
        if (!ufrag || !pwd) throw new Error('the ICE restart answer has no credentials');
        const sdp = pc.remoteDescription.sdp
          .replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${ufrag}`)
          .replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${pwd}`);
        await pc.setRemoteDescription({ type: 'answer', sdp });
        this.iceRestarts++;
        this._watch(generation, CONNECT_TIMEOUT_MS, 'ICE restart did not connect');
        return true;
      } catch (err) {
        if (generation === this.generation) this._retry(`ICE restart failed: ${err && err.message ? err.message : err}`);
        return false;
      }
    }

    /** Retries unless the peer is `connected` within `ms`. */
    _watch(generation, ms, reason) {
      clearTimeout(this.watchTimer);
      this.watchTimer = setTimeout(() => {
        if (generation === this.generation && this.pc && this.pc.connectionState !== 'connected') this._retry(reason);
      }, ms);
    }

    _teardown(keepalive) {
      this.generation++;
      clearTimeout(this.watchTimer);
      clearTimeout(this.retryTimer);
      if (this.pc) { try { this.pc.close(); } catch (_) { /* already closed */ } }
      this.pc = null;
      if (this.resourceUrl) {
        // Leave the server-side session so a WHIP publisher slot is free for the next attempt
        // (one publisher per stream) and the viewer is not counted until consent times out.
        const headers = {};
        if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
        fetch(this.resourceUrl, { method: 'DELETE', headers, keepalive }).catch(() => {});
        this.resourceUrl = null;
      }
    }

    _retry(reason) {
      this._teardown(false);
      this.lastError = reason;
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
      this.attempt++;
      this.retryAt = Date.now() + delay;
      this._setState('reconnecting', `${reason}; retry in ${Math.round(delay / 1000)} s`);
      const generation = this.generation;
      this.retryTimer = setTimeout(() => { if (generation === this.generation) this._attempt(); }, delay);
    }

    /** Leaves for good (page unload): DELETE with keepalive so it outlives the page. */
    close() {
      this._teardown(true);
      this._setState('closed');
    }
  }

  /** Summary of one getStats() report. `previous` (the last summary) gives rates. */
  function summarizeStats(report, previous) {
    const now = performance.now();
    const byId = new Map();
    report.forEach((s) => byId.set(s.id, s));
    const out = { at: now, video: null, audio: null, transport: null, candidatePair: null, remoteOutbound: null };
    const codecOf = (s) => {
      const c = s.codecId && byId.get(s.codecId);
      return c ? `${c.mimeType}${c.sdpFmtpLine ? ` ${c.sdpFmtpLine}` : ''}` : null;
    };
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && (s.kind === 'video' || s.kind === 'audio')) {
        const prev = previous && previous[s.kind] && previous[s.kind].direction === 'in' ? previous[s.kind] : null;
        const entry = {
          direction: 'in',
          ssrc: s.ssrc,
          codec: codecOf(s),
          bytes: s.bytesReceived || 0,
          packets: s.packetsReceived || 0,
          packetsLost: s.packetsLost || 0,
          nackCount: s.nackCount || 0,
          jitterMs: s.jitter !== undefined ? s.jitter * 1000 : null,
          jitterBufferDelayMs: s.jitterBufferEmittedCount
            ? (s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000 : null,
          jitterBufferTargetDelayMs: s.jitterBufferEmittedCount && s.jitterBufferTargetDelay !== undefined
            ? (s.jitterBufferTargetDelay / s.jitterBufferEmittedCount) * 1000 : null,
        };
        if (s.kind === 'video') {
          Object.assign(entry, {
            width: s.frameWidth || 0,
            height: s.frameHeight || 0,
            fps: s.framesPerSecond || 0,
            framesReceived: s.framesReceived || 0,
            framesDecoded: s.framesDecoded || 0,
            keyFramesDecoded: s.keyFramesDecoded || 0,
            framesDropped: s.framesDropped || 0,
            freezeCount: s.freezeCount || 0,
            totalFreezesDurationMs: (s.totalFreezesDuration || 0) * 1000,
            pliCount: s.pliCount || 0,
            firCount: s.firCount || 0,
            decoder: s.decoderImplementation || null,
          });
        }
        if (s.kind === 'audio') {
          Object.assign(entry, {
            totalAudioEnergy: s.totalAudioEnergy || 0,
            totalSamplesReceived: s.totalSamplesReceived || 0,
            concealedSamples: s.concealedSamples || 0,
          });
        }
        entry.bitrateKbps = prev && now > prev.at ? ((entry.bytes - prev.bytes) * 8) / (now - prev.at) : null;
        entry.at = now;
        out[s.kind] = entry;
      } else if (s.type === 'outbound-rtp' && (s.kind === 'video' || s.kind === 'audio')) {
        const prev = previous && previous[s.kind] && previous[s.kind].direction === 'out' ? previous[s.kind] : null;
        const entry = {
          direction: 'out',
          ssrc: s.ssrc,
          codec: codecOf(s),
          bytes: s.bytesSent || 0,
          packets: s.packetsSent || 0,
          nackCount: s.nackCount || 0,
          retransmittedPackets: s.retransmittedPacketsSent || 0,
        };
        if (s.kind === 'video') {
          Object.assign(entry, {
            width: s.frameWidth || 0,
            height: s.frameHeight || 0,
            fps: s.framesPerSecond || 0,
            framesEncoded: s.framesEncoded || 0,
            framesSent: s.framesSent || 0,
            keyFramesEncoded: s.keyFramesEncoded || 0,
            pliCount: s.pliCount || 0,
            firCount: s.firCount || 0,
            qualityLimitationReason: s.qualityLimitationReason || null,
            encoder: s.encoderImplementation || null,
          });
        }
        if (s.kind === 'audio') {
          Object.assign(entry, {
            totalAudioEnergy: s.totalAudioEnergy || 0,
            totalSamplesReceived: s.totalSamplesReceived || 0,
            concealedSamples: s.concealedSamples || 0,
          });
        }
        entry.bitrateKbps = prev && now > prev.at ? ((entry.bytes - prev.bytes) * 8) / (now - prev.at) : null;
        entry.at = now;
        out[s.kind] = entry;
      } else if (s.type === 'remote-outbound-rtp' && (s.kind === 'video' || s.kind === 'audio')) {
        // What the sender's RTCP sender reports said (RFC 3550 §6.4.1): its counts and NTP time.
        out.remoteOutbound = out.remoteOutbound || {};
        out.remoteOutbound[s.kind] = {
          ssrc: s.ssrc,
          packetsSent: s.packetsSent || 0,
          bytesSent: s.bytesSent || 0,
          reportsSent: s.reportsSent || 0,
          remoteTimestamp: s.remoteTimestamp !== undefined ? s.remoteTimestamp : null,
        };
      } else if (s.type === 'transport') {
        out.transport = {
          srtpCipher: s.srtpCipher || null,
          dtlsCipher: s.dtlsCipher || null,
          tlsVersion: s.tlsVersion || null,
          dtlsState: s.dtlsState || null,
          dtlsRole: s.dtlsRole || null,
          iceState: s.iceState || null,
          selectedCandidatePairId: s.selectedCandidatePairId || null,
        };
      }
    });
    const pairId = out.transport && out.transport.selectedCandidatePairId;
    const pair = pairId && byId.get(pairId);
    if (pair) {
      const local = byId.get(pair.localCandidateId) || {};
      const remote = byId.get(pair.remoteCandidateId) || {};
      out.candidatePair = {
        rttMs: pair.currentRoundTripTime !== undefined ? pair.currentRoundTripTime * 1000 : null,
        local: `${local.address || local.ip || '?'}:${local.port || '?'} ${local.candidateType || ''}`.trim(),
        remote: `${remote.address || remote.ip || '?'}:${remote.port || '?'} ${remote.candidateType || ''}`.trim(),
        availableOutgoingKbps: pair.availableOutgoingBitrate ? pair.availableOutgoingBitrate / 1000 : null,
      };
    }
    return out;
  }

  global.MarionetteWebRTC = Object.freeze({
    pageParams, endpointFor, waitForGathering, parseIceServerLinks, preferCodec, sdpAttribute,
    ReconnectingSession, summarizeStats, HttpError,
  });
})(window);
