/*
 * Marionette viewer page: the remote-input layer (api.md §10.4, streaming.md §6).
 *
 * Opens the stream's input WebSocket (/api/v1/streams/{id}/input) with the page's credential and
 * sends pointer, wheel, keyboard and paste events as JSON. Pointer positions are fractions [0, 1]
 * of the video frame, computed from the <video> box with its letterboxing (object-fit contain or
 * cover), so they survive any scaling; each positional message carries the frame size it was
 * computed for, and the runner drops it if the capture size has changed since.
 *
 * On an android stream (`hello.stream_type`), pointers are sent as `touch` (one pointer_id per
 * finger or mouse, down/move/up/cancel, multi-touch) and keys that type a character as `text`;
 * the other keys go as `key` and the runner maps them to Android keycodes (scrcpy.md §6.7).
 *
 * Receive-only with ?view_only=1 or a view credential (the server says so in `hello`). Mouse
 * moves are coalesced to at most one per 8 ms (≤ 120 Hz). Keys held when the page loses focus are
 * released. Reconnects with backoff 1 s → 10 s while the page is open.
 *
 * Test hooks: window.marionetteInput (bottom of this file).
 */
'use strict';

(function () {
  const { pageParams } = window.MarionetteWebRTC;
  const video = document.getElementById('video');
  const params = pageParams();
  const viewOnly = params.query.get('view_only') === '1';
  const MOVE_INTERVAL_MS = 8;
  const BUTTONS = ['left', 'middle', 'right', 'back', 'forward'];

  let socket = null;
  let hello = null;
  let controller = false;
  let connects = 0;
  let backoffMs = 1000;
  let closedByPage = false;
  let sent = 0;
  let remoteClipboard = null;
  const errors = [];
  const received = [];
  let pendingMove = null;
  let moveTimer = null;
  const heldKeys = new Map(); // code → key, for release on blur
  const androidButtons = document.getElementById('android-buttons');
  if (androidButtons) {
    androidButtons.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-button]');
      if (button) send({ type: 'android_button', button: button.dataset.button });
    });
  }

  function inputURL(token) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams({ token });
    if (viewOnly) query.set('view_only', '1');
    return `${scheme}//${location.host}/api/v1/streams/${encodeURIComponent(params.streamId)}/input?${query}`;
  }

  function connect(token) {
    if (!params.streamId || !token) return;
    socket = new WebSocket(inputURL(token));
    socket.addEventListener('open', () => { connects++; backoffMs = 1000; });
    socket.addEventListener('message', (event) => onMessage(event.data));
    socket.addEventListener('close', () => {
      socket = null;
      controller = false;
      if (closedByPage) return;
      setTimeout(() => connect(token), backoffMs);
      backoffMs = Math.min(backoffMs * 2, 10000);
    });
  }

  function onMessage(text) {
    let message;
    try { message = JSON.parse(text); } catch (_) { return; }
    if (received.length < 1000) received.push(message);
    switch (message.type) {
      case 'hello':
        hello = message;
        controller = !!message.controller;
        if (androidButtons) androidButtons.hidden = !(android() && message.input && !viewOnly);
        break;
      case 'control':
        // granted names the new holder; revoked and denied never leave this page in control.
        controller = message.state === 'granted' && !!hello && message.holder === hello.viewer_id;
        break;
      case 'cursor':
        // The video carries no cursor: show the remote shape as our pointer over the picture.
        video.style.cursor = `url(data:image/png;base64,${message.image}) ${message.xhot | 0} ${message.yhot | 0}, default`;
        break;
      case 'clipboard':
        // The remote clipboard changed: offer it to ours (browsers allow this only while the page
        // has focus; otherwise it stays readable through the test hook).
        remoteClipboard = message.text;
        if (document.hasFocus() && navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(message.text).catch(() => {});
        }
        break;
      case 'error':
        if (errors.length < 100) errors.push(message);
        break;
      default:
        break;
    }
  }

  function canSend() {
    return socket && socket.readyState === WebSocket.OPEN && hello && hello.input && !viewOnly;
  }

  function send(message) {
    if (!canSend()) return false;
    socket.send(JSON.stringify(message));
    sent++;
    return true;
  }

  /** Client point → fractions of the video frame (null before the first frame). */
  function fractions(clientX, clientY) {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!vw || !vh) return null;
    const box = video.getBoundingClientRect();
    const cover = getComputedStyle(video).objectFit === 'cover';
    const scale = cover ? Math.max(box.width / vw, box.height / vh) : Math.min(box.width / vw, box.height / vh);
    const shownW = vw * scale;
    const shownH = vh * scale;
    const x = (clientX - box.left - (box.width - shownW) / 2) / shownW;
    const y = (clientY - box.top - (box.height - shownH) / 2) / shownH;
    const clamp = (v) => Math.min(1, Math.max(0, v));
    return { x: clamp(x), y: clamp(y), frame_width: vw, frame_height: vh };
  }

  function flushMove() {
    moveTimer = null;
    if (!pendingMove) return;
    send(pendingMove);
    pendingMove = null;
  }

  function android() {
    return !!hello && hello.stream_type === 'android';
  }

  // Android: fingers (and the mouse, as a finger) as touch messages; moves of each pointer
  // coalesced like mouse moves.
  const touchMoves = new Map(); // pointerId → pending move
  const touching = new Set();
  let touchTimer = null;

  function flushTouches() {
    touchTimer = null;
    for (const message of touchMoves.values()) send(message);
    touchMoves.clear();
  }

  function touch(event, action) {
    const at = fractions(event.clientX, event.clientY);
    if (!at) return false;
    const message = {
      type: 'touch', action, pointer_id: event.pointerId, ...at,
      pressure: action === 'up' ? 0 : (event.pressure > 0 ? event.pressure : 1),
    };
    if (action === 'move') {
      touchMoves.set(event.pointerId, message);
      if (touchTimer === null) touchTimer = setTimeout(flushTouches, MOVE_INTERVAL_MS);
      return true;
    }
    if (touchMoves.has(event.pointerId)) flushTouches(); // the move that led here goes first
    return send(message);
  }

  video.style.touchAction = 'none'; // the page must not pan or zoom under a finger
  video.addEventListener('pointermove', (event) => {
    if (android()) {
      if (touching.has(event.pointerId)) touch(event, 'move');
      return;
    }
    const at = fractions(event.clientX, event.clientY);
    if (!at) return;
    pendingMove = { type: 'mouse_move', ...at };
    if (moveTimer === null) moveTimer = setTimeout(flushMove, MOVE_INTERVAL_MS);
  });

  function pointerButton(event, action) {
    const at = fractions(event.clientX, event.clientY);
    const button = BUTTONS[event.button];
    if (!at || !button) return;
    if (pendingMove) flushMove(); // the move that led here goes first
    if (send({ type: 'mouse_button', button, action, ...at })) event.preventDefault();
  }

  video.tabIndex = 0; // focusable, so keys go to the remote desktop only while it has focus
  video.addEventListener('pointerdown', (event) => {
    video.focus();
    if (android()) {
      if (event.button !== 0) return;
      if (touch(event, 'down')) {
        touching.add(event.pointerId);
        video.setPointerCapture(event.pointerId);
        event.preventDefault();
      }
      return;
    }
    pointerButton(event, 'down');
  });
  video.addEventListener('pointerup', (event) => {
    if (android()) {
      if (touching.delete(event.pointerId)) touch(event, 'up');
      return;
    }
    pointerButton(event, 'up');
  });
  video.addEventListener('pointercancel', (event) => {
    if (android() && touching.delete(event.pointerId)) touch(event, 'cancel');
  });
  video.addEventListener('contextmenu', (event) => { if (canSend()) event.preventDefault(); });
  video.addEventListener('wheel', (event) => {
    const at = fractions(event.clientX, event.clientY) || {};
    if (send({ type: 'wheel', dx: event.deltaX, dy: event.deltaY, mode: event.deltaMode, ...at })) event.preventDefault();
  }, { passive: false });

  function isStatsChord(event) {
    return event.ctrlKey && event.altKey && (event.key === 's' || event.key === 'S' || event.code === 'KeyS');
  }

  function key(event, action) {
    if (document.activeElement !== video || isStatsChord(event)) return;
    if (android() && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      // A character: typed on the device as text (INJECT_TEXT, or a paste for non-ASCII).
      if (action === 'down' && send({ type: 'text', text: event.key })) event.preventDefault();
      return;
    }
    const message = { type: 'key', action, code: event.code, key: event.key, repeat: event.repeat };
    if (send(message)) {
      event.preventDefault();
      if (action === 'down') heldKeys.set(event.code, event.key);
      else heldKeys.delete(event.code);
    }
  }
  document.addEventListener('keydown', (event) => key(event, 'down'));
  document.addEventListener('keyup', (event) => key(event, 'up'));

  function releaseHeld() {
    for (const [code, keyValue] of heldKeys) send({ type: 'key', action: 'up', code, key: keyValue });
    heldKeys.clear();
  }
  window.addEventListener('blur', releaseHeld);
  video.addEventListener('blur', releaseHeld);

  document.addEventListener('paste', (event) => {
    if (document.activeElement !== video) return;
    const text = event.clipboardData && event.clipboardData.getData('text/plain');
    if (text && send({ type: 'clipboard', text, paste: true })) event.preventDefault();
  });

  window.addEventListener('pagehide', () => {
    closedByPage = true;
    if (socket) socket.close();
  });

  // The viewer page calls this once it has a credential (viewer.js).
  window.MarionetteInput = { connect };

  window.marionetteInput = {
    /** The server's hello: {stream_id, viewer_id, width, height, input, controller, state}. */
    get hello() { return hello; },
    get controller() { return controller; },
    get connected() { return !!socket && socket.readyState === WebSocket.OPEN; },
    get connects() { return connects; },
    /** The remote clipboard's latest text (from `clipboard` messages), or null. */
    get remoteClipboard() { return remoteClipboard; },
    /** Messages this page sent to the server. */
    get sent() { return sent; },
    /** `error` frames from the server, oldest first. */
    errors,
    /** Every server message, oldest first (capped). */
    received,
    /** Sends a raw message (tests drive input without synthesising DOM events). */
    send,
    /** Android: presses a device button (back, home, app_switch, power, volume_up, volume_down, rotate). */
    androidButton(button) { return send({ type: 'android_button', button }); },
    fractions,
  };
})();
