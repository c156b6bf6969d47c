/*
 * Marionette WHIP test publisher (served at /streams/{id}/publish).
 *
 * Query options:
 *   token=…            credential (or #token=…): a stok_ publish token or an API key
 *   source=camera      getUserMedia({video, audio}) (default; Chromium's fake device in tests)
 *   source=barcode     a canvas test pattern carrying the capture-time bar code (viewer.js header)
 *                      plus the fake microphone when audio is on; for glass-to-glass tests
 *   audio=0            publish video only
 *   codec=VP8|H264|VP9 put this codec first in the offer
 *   width, height, fps source size and rate (barcode source: default 640×480 at 30)
 *
 * Test hooks: window.marionettePublisher = {state, stats(), lastStats, framesPainted}.
 */
'use strict';

(function () {
  const { pageParams, endpointFor, preferCodec, ReconnectingSession, summarizeStats } = window.MarionetteWebRTC;
  const Barcode = window.MarionetteBarcode;

  const params = pageParams();
  const query = params.query;
  const source = query.get('source') || 'camera';
  const wantAudio = query.get('audio') !== '0';
  const width = parseInt(query.get('width') || '640', 10);
  const height = parseInt(query.get('height') || '480', 10);
  const fps = parseInt(query.get('fps') || '30', 10);

  const preview = document.getElementById('preview');
  const statusEl = document.getElementById('status');
  const statsEl = document.getElementById('stats');

  let pageState = 'starting';
  let stateDetail = '';
  let session = null;
  let lastStats = null;
  let framesPainted = 0;

  function setPageState(state, detail) {
    pageState = state;
    stateDetail = detail || '';
    statusEl.textContent = stateDetail ? `${state}: ${stateDetail}` : state;
    statusEl.classList.toggle('bad', state === 'reconnecting' || state === 'error');
  }

  /** A canvas stream: moving pattern below the bar code, one frame per tick, stamped when painted. */
  function barcodeStream() {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { alpha: false });
    const stream = canvas.captureStream(0); // frames only when requestFrame() is called
    const track = stream.getVideoTracks()[0];
    const paint = () => {
      const t = performance.timeOrigin + performance.now();
      ctx.fillStyle = '#204060';
      ctx.fillRect(0, 0, width, height);
      // Motion, so the encoder produces real delta frames.
      const x = Math.floor(((t / 1000) * width * 0.25) % width);
      ctx.fillStyle = '#e0c040';
      ctx.fillRect(x, height / 3, width / 8, height / 3);
      ctx.fillStyle = '#fff';
      ctx.font = `${Math.floor(height / 12)}px monospace`;
      ctx.fillText(`${framesPainted}`, width / 20, height - height / 12);
      Barcode.paint(ctx, width, t);
      track.requestFrame();
      framesPainted++;
    };
    setInterval(paint, 1000 / fps);
    paint();
    return stream;
  }

  async function captureMedia() {
    if (source === 'barcode') {
      const stream = barcodeStream();
      if (wantAudio) {
        const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
        mic.getAudioTracks().forEach((t) => stream.addTrack(t));
      }
      return stream;
    }
    return navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: fps } },
      audio: wantAudio,
    });
  }

  async function main() {
    if (!params.streamId) {
      setPageState('error', 'no stream id in the URL (/streams/{id}/publish)');
      return;
    }
    let media;
    try {
      media = await captureMedia();
    } catch (err) {
      setPageState('error', `media: ${err.message || err}`);
      return;
    }
    preview.srcObject = media;
    preview.play().catch(() => {});
    session = new ReconnectingSession({
      endpoint: endpointFor(params.streamId, 'whip'),
      token: params.token,
      setup: (pc) => {
        for (const track of media.getTracks()) {
          const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
          if (track.kind === 'video') {
            preferCodec(transceiver, 'video', query.get('codec') ? `video/${query.get('codec')}` : null, 'send');
            // A test source: keep the resolution (and the bar code's cell size) under load.
            track.contentHint = source === 'barcode' ? 'detail' : track.contentHint;
          }
        }
      },
      onState: (state, detail) => setPageState(state, detail),
    });
    session.start();
  }

  async function collectStats() {
    const pc = session && session.pc;
    if (!pc) return null;
    const summary = summarizeStats(await pc.getStats(), lastStats);
    summary.state = pageState;
    summary.framesPainted = framesPainted;
    lastStats = summary;
    return summary;
  }

  setInterval(async () => {
    try {
      const s = await collectStats();
      if (!s) return;
      const v = s.video || {};
      statsEl.textContent = [
        `state    ${pageState}${stateDetail ? ` (${stateDetail})` : ''}`,
        `video    ${v.width || 0}×${v.height || 0} @ ${(v.fps || 0).toFixed(1)} fps, ${Math.round(v.bitrateKbps || 0)} kbit/s`,
        `codec    ${v.codec || '–'}${v.encoder ? ` (${v.encoder})` : ''}`,
        `frames   encoded ${v.framesEncoded || 0}, key ${v.keyFramesEncoded || 0}, pli ${v.pliCount || 0}, nack ${v.nackCount || 0}`,
        `limit    ${v.qualityLimitationReason || '–'}`,
        `srtp     ${(s.transport && s.transport.srtpCipher) || '–'}`,
      ].join('\n');
    } catch (_) { /* peer closed between ticks */ }
  }, 1000);

  window.addEventListener('pagehide', () => { if (session) session.close(); });

  window.marionettePublisher = {
    /** starting | connecting | connected | disconnected | reconnecting | closed | error */
    get state() { return pageState; },
    get detail() { return stateDetail; },
    get lastError() { return session ? session.lastError : ''; },
    stats: () => collectStats(),
    get lastStats() { return lastStats; },
    get framesPainted() { return framesPainted; },
  };

  main();
})();
