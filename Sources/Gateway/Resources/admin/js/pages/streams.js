// Streams of a session: list, start one (test pattern, desktop, Android, WebRTC publisher), open
// its viewer. The public API lists streams per session, so a session is picked first.
import { api } from '../api.js';
import { h, clear, badge, time, link, pagedTable, debounce, formDialog, toast, pageHeader, errorBox } from '../ui.js';
import { subscribe } from '../events.js';
import { navigate } from '../app.js';

export async function render(main, _params, query) {
  const session = h('select#stream-session');
  const manual = h('input#stream-session-id', { placeholder: 'or a session id: sess_…', value: query.get('session_id') || '' });
  const includeStopped = h('input', { type: 'checkbox' });
  const holder = h('div');
  const errors = h('div');
  main.append(pageHeader('Streams', h('button.primary#create-stream', { type: 'button', onclick: () => create() }, 'Start stream')),
    h('div.toolbar', h('label', 'Active session', session), h('label', 'Session id', manual),
      h('label.inline', includeStopped, 'Include stopped')),
    errors, holder);

  try {
    const active = await api.get('/api/v1/sessions', { status: 'active', limit: 100 });
    session.append(h('option', { value: '' }, active.items.length ? '— pick one —' : 'no active session'),
      active.items.map((s) => h('option', { value: s.id, selected: s.id === manual.value }, `${s.name || s.id} (${s.agent})`)));
  } catch (err) {
    errors.append(errorBox(err, 'Could not list the active sessions'));
  }
  const current = () => manual.value.trim() || session.value;
  let table = null;
  function show() {
    clear(holder);
    const id = current();
    if (!id) { holder.append(h('p.muted', 'Pick a session to see its streams.')); table = null; return; }
    table = pagedTable({
      id: 'streams-table',
      empty: 'This session has no stream.',
      columns: [
        { title: 'Stream', render: (s) => link(`/streams/${s.id}`, s.id) },
        { title: 'Type', render: (s) => s.type },
        { title: 'State', render: (s) => badge(s.state) },
        { title: 'Size', render: (s) => (s.width ? `${s.width}×${s.height} @ ${s.fps ?? '?'} fps` : '') },
        { title: 'Viewers', render: (s) => String(s.viewer_count ?? 0) },
        { title: 'Error', render: (s) => s.error || '' },
        { title: 'Created', render: (s) => time(s.created_at) },
      ],
      load: (cursor) => api.get(`/api/v1/sessions/${id}/streams`, { cursor, include_stopped: includeStopped.checked ? 'true' : '' }),
    });
    holder.append(h('p', 'Session ', link(`/sessions/${id}`, id)), table.el);
    table.reset();
  }
  session.addEventListener('change', () => { manual.value = ''; show(); });
  manual.addEventListener('change', show);
  includeStopped.addEventListener('change', show);
  show();

  async function create() {
    const stream = await formDialog('Start a stream', [
      { name: 'session_id', label: 'Session id', value: current(), required: true },
      { name: 'type', label: 'Type', type: 'select', options: ['testsrc', 'desktop', 'android', 'webrtc'] },
      { name: 'width', label: 'Width', type: 'number' },
      { name: 'height', label: 'Height', type: 'number' },
      { name: 'fps', label: 'Frames per second', type: 'number' },
      { name: 'input', label: 'Allow input', type: 'checkbox', value: true },
    ], (v) => {
      const body = { type: v.type, input: v.input };
      for (const k of ['width', 'height', 'fps']) if (v[k]) body[k] = v[k];
      return api.post(`/api/v1/sessions/${v.session_id}/streams`, body);
    }, { submitLabel: 'Start' });
    if (stream) { toast(`Stream ${stream.id} created`); navigate(`/streams/${stream.id}`); }
  }

  const reload = debounce(() => table && table.reload(), 400);
  return subscribe('stream.', reload, { onReconnect: reload });
}
