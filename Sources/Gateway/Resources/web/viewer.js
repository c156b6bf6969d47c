/*
 * Marionette viewer page: WHEP client, stats overlay, bar-code glass-to-glass clock.
 *
 * ============================================================================================
 * MARIONETTE CAPTURE-TIME BAR CODE, VERSION 1 (normative for every generator and reader:
 * the runner's testsrc, web/barcode.js, Tests/e2e/barcode.py, benchmark tools)
 * ============================================================================================
 * streaming.md §5.1 asks for "the capture time painted as a machine-readable bar code" and leaves
 * the layout to us; this is it.
 *
 * Frame: W × H pixels as encoded (W ≥ 320). All geometry scales with W, so a reader works at any
 * resolution the SFU or a publisher picks, as long as the whole frame is decoded unscaled or
 * scaled uniformly.
 *
 *   Cells    80 cells side by side across the full width of the top band.
 *            Cell i (0 ≤ i < 80) spans columns x ∈ [floor(i·W/80), floor((i+1)·W/80)).
 *   Band     rows y ∈ [0, B) with B = max(4, floor(W/80))  (B = 16 at 1280×720, 8 at 640×480).
 *   Quiet    rows y ∈ [B, B + floor(B/2)) are black (a guard against the picture below bleeding in;
 *            readers do not check it).
 *   Colour   each cell is one solid colour: bit 1 = white (RGB 255,255,255), bit 0 = black
 *            (RGB 0,0,0). Nothing else: pure black/white survives RGB→YUV (BT.601, limited range
 *            Y′ 16/235) and 4:2:0 chroma subsampling unchanged.
 *   Cells 0–3    start guard 1 0 1 0
 *   Cells 4–67   T = capture time, unsigned 64-bit integer, milliseconds since the Unix epoch
 *                (UTC wall clock of the capturing host, taken when the frame is captured or
 *                painted, before encoding), most significant bit first
 *   Cells 68–75  C = CRC-8 of T's 8 bytes big-endian: polynomial 0x07 (x⁸+x²+x+1), initial value
 *                0x00, no reflection, no final XOR; most significant bit first
 *   Cells 76–79  stop guard 0 1 0 1
 *
 * Reading (reference algorithm, barcode.js `decode`): for each cell average the luma of the
 * middle half of the cell in x and the middle half of the band in y (rows [floor(B/4),
 * ceil(3B/4))); white level = mean of the 4 guard cells that must be 1, black level = mean of the 4
 * that must be 0; contrast white − black < 80 (of 255) → no code; threshold = (white + black) / 2;
 * the guards must read back exactly and C must match, else the frame carries no code.
 * T ≥ 2^53 is rejected (not exactly representable in JavaScript).
 *
 * Glass-to-glass latency = display time − T, where display time is the frame's
 * `expectedDisplayTime` from requestVideoFrameCallback on the performance timeline converted to
 * epoch ms (performance.timeOrigin + expectedDisplayTime). Meaningful only when the capturing host
 * and the viewer share a clock (same host, or NTP-synchronised within a millisecond or two).
 * ============================================================================================
 *
 * Page contract (api.md §10.5; served at /streams/{id}/view, assets at /web/*):
 *   credential from #token= (preferred: never sent to the server) or ?token=; without one the
 *   page asks for it. Query: audio=0 (no audio transceiver), audio=1 (try unmuted playback),
 *   fit=contain|cover, stats=1 (overlay shown at start), codec=<mime subtype> (e.g. H264: put
 *   it first in the offer). Ctrl+Alt+S toggles the stats overlay (a chord, so that single keys
 *   stay free for the remote-input layer).
 *
 * Test hooks: window.marionetteViewer (see the bottom of this file).
 */
'use strict';

(function () {
  const { pageParams, endpointFor, preferCodec, ReconnectingSession, summarizeStats, sdpAttribute } = window.MarionetteWebRTC;
  const Barcode = window.MarionetteBarcode;

  const STATS_INTERVAL_MS = 500;
  const MAX_LATENCY_SAMPLES = 100000;

  const video = document.getElementById('video');
  const statusEl = document.getElementById('status');
  const statsEl = document.getElementById('stats');
  const unmuteButton = document.getElementById('unmute');
  const tokenForm = document.getElementById('token-form');
  const tokenInput = document.getElementById('token-input');

  const params = pageParams();
  const query = params.query;
  const wantAudio = query.get('audio') !== '0';
  const preferUnmuted = query.get('audio') === '1';
  if (query.get('fit') === 'cover') video.classList.add('fit-cover');
  if (query.get('stats') === '1') statsEl.hidden = false;

  // ---- state shared with the test hooks ---------------------------------------------------
  const latencies = [];
  let lastBarcode = null;
  let lastStats = null;
  let session = null;
  let pageState = 'starting';
  let stateDetail = '';
  // Frame presentation bookkeeping from requestVideoFrameCallback.
  let framesPresented = 0;
  let lastFrameNow = null;
  let maxFrameGapMs = 0;
  let awaitingFirstFrame = false;
  let timeToFirstFrameMs = null;
  const firstFrameTimes = []; // one per successful connection: POST → first presented frame, ms
  let lastCaptureMs = null;

  function setPageState(state, detail) {
    pageState = state;
    stateDetail = detail || '';
    statusEl.textContent = stateDetail ? `${state}: ${stateDetail}` : state;
    statusEl.classList.toggle('ok', state === 'connected' && framesPresented > 0);
    statusEl.classList.toggle('bad', state === 'reconnecting' || state === 'needs-token');
  }

  // ---- WHEP session ------------------------------------------------------------------------
  function setupPeer(pc) {
    const videoTransceiver = pc.addTransceiver('video', { direction: 'recvonly' });
    preferCodec(videoTransceiver, 'video', query.get('codec') ? `video/${query.get('codec')}` : null, 'recv');
    const receivers = [videoTransceiver.receiver];
    if (wantAudio) receivers.push(pc.addTransceiver('audio', { direction: 'recvonly' }).receiver);
    // Lowest latency: ask Chrome's jitter buffer for no extra target delay. jitterBufferTarget is
    // the standard name (ms); playoutDelayHint the older Chrome one (s). Either may be missing.
    for (const receiver of receivers) {
      try { if ('jitterBufferTarget' in receiver) receiver.jitterBufferTarget = 0; } catch (_) { /* unsupported */ }
      try { if ('playoutDelayHint' in receiver) receiver.playoutDelayHint = 0; } catch (_) { /* unsupported */ }
    }
    // Video and audio arrive in separate msid streams (streaming.md §3.3); play both in one
    // element without tying them together.
    const media = new MediaStream();
    pc.addEventListener('track', (event) => {
      media.addTrack(event.track);
      if (video.srcObject !== media) video.srcObject = media;
      if (event.track.kind === 'audio' && video.muted) unmuteButton.hidden = false;
      play();
    });
  }

  let triedUnmuted = false;
  function play() {
    // Muted autoplay always works; unmuted only with ?audio=1 and when the browser allows it.
    if (preferUnmuted && !triedUnmuted) {
      triedUnmuted = true;
      video.muted = false;
    }
    const attempt = video.play();
    if (attempt && attempt.catch) {
      attempt.catch(() => {
        // Unmuted autoplay refused: fall back to muted playback and offer the button.
        if (!video.muted) {
          video.muted = true;
          unmuteButton.hidden = false;
          video.play().catch(() => {});
        }
      });
    }
  }

  unmuteButton.addEventListener('click', () => {
    video.muted = false;
    video.play().catch(() => {});
    unmuteButton.hidden = true;
  });
  video.addEventListener('click', () => { if (!unmuteButton.hidden) unmuteButton.click(); });

  function start(token) {
    if (!params.streamId) {
      setPageState('error', 'no stream id in the URL (/streams/{id}/view)');
      return;
    }
    session = new ReconnectingSession({
      endpoint: endpointFor(params.streamId, 'whep'),
      token,
      setup: setupPeer,
      onState: (state, detail) => setPageState(state, detail),
      onPeer: () => { awaitingFirstFrame = true; },
    });
    session.start();
    if (window.MarionetteInput) window.MarionetteInput.connect(token);
  }

  window.addEventListener('pagehide', () => { if (session) session.close(); });

  if (params.token) {
    start(params.token);
  } else {
    setPageState('needs-token');
    tokenForm.hidden = false;
    tokenInput.focus();
    tokenForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = tokenInput.value.trim();
      if (!token) return;
      tokenForm.hidden = true;
      // Keep it in the fragment so a reload reconnects without asking; fragments stay local.
      history.replaceState(null, '', `${location.pathname}${location.search}#token=${encodeURIComponent(token)}`);
      start(token);
    });
  }

  // ---- frames: presentation timing and the bar-code clock ---------------------------------
  let canvas = null;
  let ctx = null;

  function readBarcode(meta) {
    const width = meta.width || video.videoWidth;
    if (!width || width < 320) return;
    const band = Barcode.bandHeight(width);
    if (!canvas || canvas.width !== width || canvas.height !== band) {
      canvas = new OffscreenCanvas(width, band);
      ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    }
    // Copy only the band, at the frame's own resolution (source rect in intrinsic pixels).
    ctx.drawImage(video, 0, 0, width, band, 0, 0, width, band);
    const captureMs = Barcode.decode(ctx.getImageData(0, 0, width, band).data, width);
    if (captureMs === null || captureMs === lastCaptureMs) return; // none, or a repeated frame
    lastCaptureMs = captureMs;
    const displayMs = performance.timeOrigin + meta.expectedDisplayTime;
    const latencyMs = displayMs - captureMs;
    lastBarcode = {
      captureMs,
      displayMs,
      latencyMs,
      receiveMs: meta.receiveTime !== undefined ? performance.timeOrigin + meta.receiveTime : null,
      // abs-capture-time from the sender, when the SFU forwards it (sender's clock, ms).
      senderCaptureTime: meta.captureTime !== undefined ? meta.captureTime : null,
      rtpTimestamp: meta.rtpTimestamp !== undefined ? meta.rtpTimestamp : null,
      presentedFrames: meta.presentedFrames,
    };
    if (latencies.length < MAX_LATENCY_SAMPLES) latencies.push(latencyMs);
  }

  let frameCallbackId = null;
  function onFrame(now, meta) {
    frameCallbackId = video.requestVideoFrameCallback(onFrame);
    framesPresented++;
    if (lastFrameNow !== null) maxFrameGapMs = Math.max(maxFrameGapMs, now - lastFrameNow);
    lastFrameNow = now;
    if (awaitingFirstFrame && session && session.postStartedAt !== null) {
      awaitingFirstFrame = false;
      timeToFirstFrameMs = now - session.postStartedAt;
      firstFrameTimes.push(timeToFirstFrameMs);
      setPageState(pageState, stateDetail); // hide the badge once the picture is there
    }
    try { readBarcode(meta); } catch (err) { /* a frame that cannot be read is just skipped */ }
  }

  if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) {
    frameCallbackId = video.requestVideoFrameCallback(onFrame);
    // A new srcObject after a reconnect: make sure a callback is pending for its frames.
    video.addEventListener('loadeddata', () => {
      if (frameCallbackId !== null) video.cancelVideoFrameCallback(frameCallbackId);
      frameCallbackId = video.requestVideoFrameCallback(onFrame);
    });
  }

  // ---- stats overlay -----------------------------------------------------------------------
  async function collectStats() {
    const pc = session && session.pc;
    if (!pc) return null;
    const summary = summarizeStats(await pc.getStats(), lastStats);
    summary.state = pageState;
    summary.timeToFirstFrameMs = timeToFirstFrameMs;
    summary.framesPresented = framesPresented;
    summary.maxFrameGapMs = maxFrameGapMs;
    lastStats = summary;
    return summary;
  }

  const fmt = (v, digits = 0, unit = '') => (v === null || v === undefined ? '–' : `${Number(v).toFixed(digits)}${unit}`);

  function renderStats(s) {
    const v = (s && s.video) || {};
    const a = (s && s.audio) || null;
    const t = (s && s.transport) || {};
    const p = (s && s.candidatePair) || {};
    const b = lastBarcode;
    const n = latencies.length;
    const sorted = n ? latencies.slice(-300).sort((x, y) => x - y) : [];
    const pct = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
    const lines = [
      `state        ${pageState}${stateDetail ? ` (${stateDetail})` : ''}`,
      `resolution   ${v.width || 0}×${v.height || 0} @ ${fmt(v.fps, 1)} fps`,
      `bitrate      ${fmt(v.bitrateKbps, 0, ' kbit/s')}`,
      `codec        ${v.codec || '–'}${v.decoder ? ` (${v.decoder})` : ''}`,
      `frames       decoded ${v.framesDecoded || 0}, dropped ${v.framesDropped || 0}, key ${v.keyFramesDecoded || 0}`,
      `freezes      ${v.freezeCount || 0} (${fmt(v.totalFreezesDurationMs, 0, ' ms')}), max gap ${fmt(maxFrameGapMs, 0, ' ms')}`,
      `packets      lost ${v.packetsLost || 0}, nack ${v.nackCount || 0}, pli ${v.pliCount || 0}`,
      `jitter buf   ${fmt(v.jitterBufferDelayMs, 1, ' ms')} (target ${fmt(v.jitterBufferTargetDelayMs, 1, ' ms')}), jitter ${fmt(v.jitterMs, 1, ' ms')}`,
      `rtt          ${fmt(p.rttMs, 1, ' ms')}`,
      `sender rpts  ${(s && s.remoteOutbound && s.remoteOutbound.video && s.remoteOutbound.video.reportsSent) || 0}`,
      `first frame  ${fmt(timeToFirstFrameMs, 0, ' ms')} after POST`,
      `srtp         ${t.srtpCipher || '–'}  dtls ${t.tlsVersion || ''} ${t.dtlsCipher || ''}`,
      `pair         ${p.local || '–'} → ${p.remote || '–'}`,
    ];
    if (a) lines.push(`audio        ${a.codec || '–'}, lost ${a.packetsLost}, ${fmt(a.bitrateKbps, 0, ' kbit/s')}`);
    if (b) lines.push(`glass→glass  ${fmt(b.latencyMs, 0, ' ms')} (p50 ${fmt(pct(0.5), 0)}, p95 ${fmt(pct(0.95), 0)}, n=${n})`);
    statsEl.textContent = lines.join('\n');
  }

  setInterval(async () => {
    try {
      const s = await collectStats();
      if (!statsEl.hidden) renderStats(s);
    } catch (_) { /* peer closed between ticks */ }
  }, STATS_INTERVAL_MS);

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey && event.altKey && (event.key === 's' || event.key === 'S' || event.code === 'KeyS')) {
      statsEl.hidden = !statsEl.hidden;
      if (!statsEl.hidden) renderStats(lastStats);
      event.preventDefault();
    }
  });

  // ---- test hooks --------------------------------------------------------------------------
  window.marionetteViewer = {
    /** idle | connecting | connected | disconnected | reconnecting | closed | needs-token | error */
    get state() { return pageState; },
    get detail() { return stateDetail; },
    get lastError() { return session ? session.lastError : ''; },
    get connects() { return session ? session.connects : 0; },
    /** ICE restart on the live connection (a Promise of true when the server took it). */
    restartIce: () => (session ? session.restartIce() : Promise.resolve(false)),
    get iceRestarts() { return session ? session.iceRestarts : 0; },
    /** Our ICE ufrag in the current local description. */
    get localIceUfrag() {
      const pc = session && session.pc;
      return pc && pc.localDescription ? sdpAttribute(pc.localDescription.sdp, 'ice-ufrag') : null;
    },
    /** The local ufrag of the transport's selected pair (`iceLocalUsernameFragment`; a Promise). */
    transportIceUfrag: async () => {
      const pc = session && session.pc;
      if (!pc) return null;
      for (const s of (await pc.getStats()).values()) {
        if (s.type === 'transport') return s.iceLocalUsernameFragment || null;
      }
      return null;
    },
    /** The server's ICE ufrag in the current remote description. */
    get remoteIceUfrag() {
      const pc = session && session.pc;
      return pc && pc.remoteDescription ? sdpAttribute(pc.remoteDescription.sdp, 'ice-ufrag') : null;
    },
    /** Fresh getStats() summary (a Promise; WebDriver's executeScript awaits it). */
    stats: () => collectStats(),
    /** Latest summary without a new getStats() call. */
    get lastStats() { return lastStats; },
    /** inbound-rtp video framesDecoded, fresh from getStats() (a Promise). */
    framesDecoded: async () => {
      const s = await collectStats();
      return s && s.video ? s.video.framesDecoded : 0;
    },
    /** Frames handed to the compositor (requestVideoFrameCallback count). */
    get framesPresented() { return framesPresented; },
    /** Largest gap between two presented frames since the last resetFrameGap(), ms. */
    get maxFrameGapMs() { return maxFrameGapMs; },
    resetFrameGap() { maxFrameGapMs = 0; lastFrameNow = null; },
    /** WHEP POST sent → first presented frame of the latest connection, ms. */
    get timeToFirstFrameMs() { return timeToFirstFrameMs; },
    firstFrameTimes,
    get lastBarcode() { return lastBarcode; },
    /** Glass-to-glass samples (display − capture), ms, one per distinct bar code. */
    latencies,
  };
})();
