// The one API client of the admin UI: same-origin JSON calls (the browser attaches the admin
// Basic credentials), `/api/v1/*` forwarded by the admin listener, errors as ApiError carrying the
// server's {code, message}. URLs are built from location.origin, never from the document URL,
// which may hold user:password@ (fetch refuses such URLs).

export class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

export function url(path, query) {
  const u = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) value.forEach((v) => u.searchParams.append(key, v));
    else u.searchParams.set(key, String(value));
  }
  return u;
}

// A request the server has not answered in this time is given up with a message (a stalled
// database must not leave a page loading for ever).
export const TIMEOUT_MS = 25000;

export async function request(method, path, { body, query } = {}) {
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' },
    signal: AbortSignal.timeout(TIMEOUT_MS) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url(path, query), init);
  } catch (err) {
    if (err.name === 'TimeoutError') {
      throw new ApiError(0, 'timeout', `The server did not answer within ${TIMEOUT_MS / 1000} s (${method} ${path}); it may have lost its database.`);
    }
    throw new ApiError(0, 'network_error', `The server could not be reached (${err.message}). Is it running?`);
  }
  let text;
  try {
    text = await response.text();
  } catch (err) {
    throw new ApiError(response.status, 'network_error', `The response was cut off (${err.message}).`);
  }
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    const message = (data && data.message) || text.slice(0, 300) || response.statusText || 'request failed';
    throw new ApiError(response.status, (data && data.code) || `http_${response.status}`, message,
      (data && data.request_id) || response.headers.get('X-Request-ID'));
  }
  return data;
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body) => request('POST', path, { body }),
  put: (path, body) => request('PUT', path, { body }),
  patch: (path, body) => request('PATCH', path, { body }),
  del: (path, body) => request('DELETE', path, { body }),
};

/** A WebSocket URL on this origin with a fresh one-time admin ticket (api.md §13.1). */
export async function socketURL(path, query) {
  const { ticket } = await api.post('/admin/api/v1/ws-tickets');
  const u = url(path, { ...(query || {}), ticket });
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/** "k=v,k2=v2" → { "labels[k]": "v", … } (public API label filter form). */
export function labelQuery(text) {
  const query = {};
  for (const [key, value] of parseLabels(text)) query[`labels[${key}]`] = value;
  return query;
}

/** "k=v,k2=v2" → [[k, v], …]; throws on a pair without "=". */
export function parseLabels(text) {
  const pairs = [];
  for (const part of (text || '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    if (at <= 0) throw new ApiError(0, 'invalid_labels', `"${part}" is not key=value`);
    pairs.push([part.slice(0, at).trim(), part.slice(at + 1).trim()]);
  }
  return pairs;
}

export function labelObject(text) {
  return Object.fromEntries(parseLabels(text));
}
