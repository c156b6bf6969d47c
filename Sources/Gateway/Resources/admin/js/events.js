// Live updates: one admin events WebSocket (`/admin/api/v1/events`, ticket auth) shared by every
// page. Pages subscribe with an event-type prefix and get each matching frame; the socket
// reconnects with backoff, and subscribers are told when it reconnects (to reload what they show,
// since events sent while it was down are gone).
import { socketURL } from './api.js';

const subscribers = new Set();
let socket = null;
let backoff = 1000;
let connected = false;

function setIndicator(state, text) {
  const el = document.getElementById('live');
  if (!el) return;
  el.className = `live ${state}`;
  el.textContent = text;
}

async function connect() {
  try {
    const address = await socketURL('/admin/api/v1/events');
    socket = new WebSocket(address);
  } catch (err) {
    setIndicator('off', 'live updates off');
    retry();
    return;
  }
  socket.addEventListener('open', () => {
    const reconnected = connected === false && backoff > 1000;
    connected = true;
    backoff = 1000;
    setIndicator('on', 'live');
    if (reconnected) for (const s of subscribers) s.onReconnect && s.onReconnect();
  });
  socket.addEventListener('message', (message) => {
    let frame;
    try { frame = JSON.parse(message.data); } catch { return; }
    if (frame.type !== 'event') return;
    for (const s of subscribers) {
      if (!s.prefix || frame.event_type.startsWith(s.prefix)) s.onEvent(frame);
    }
  });
  socket.addEventListener('close', () => {
    connected = false;
    setIndicator('off', 'reconnecting…');
    retry();
  });
}

function retry() {
  setTimeout(connect, backoff);
  backoff = Math.min(backoff * 2, 15000);
}

/** Starts the socket once. */
export function startEvents() {
  if (!socket) connect();
}

/** subscribe('task.', frame => …, {onReconnect}) → unsubscribe function. */
export function subscribe(prefix, onEvent, { onReconnect } = {}) {
  const s = { prefix, onEvent, onReconnect };
  subscribers.add(s);
  return () => subscribers.delete(s);
}

/** Test hook: whether the live socket is open. */
export function isLive() {
  return connected;
}
