// Tunnels: list (optionally closed ones too), open one for a session, copy its URL, close it.
import { api, labelObject } from '../api.js';
import { h, clear, badge, time, link, pagedTable, debounce, formDialog, attempt, toast, secretOnce, copyButton, pageHeader } from '../ui.js';
import { subscribe } from '../events.js';

export async function render(main, _params, query) {
  const sessionFilter = h('input#tunnel-session', { placeholder: 'sess_…', value: query.get('session_id') || '' });
  const includeClosed = h('input', { type: 'checkbox' });
  const created = h('div#tunnel-created');
  const table = pagedTable({
    id: 'tunnels-table',
    empty: 'No tunnel matches.',
    columns: [
      { title: 'Tunnel', render: (t) => h('code', t.id) },
      { title: 'Session', render: (t) => link(`/sessions/${t.session_id}`, t.session_id) },
      { title: 'Type', render: (t) => `${t.type}${t.is_public ? ' · public' : ''}` },
      { title: 'Local port', render: (t) => String(t.local_port) },
      { title: 'URL', render: (t) => h('span', h('code.tunnel-url', t.public_url), ' ', copyButton(t.public_url, 'Copy URL')), wrap: true },
      { title: 'Status', render: (t) => badge(t.status) },
      { title: 'Expires', render: (t) => time(t.expires_at) },
      { title: '', render: (t) => (t.status === 'active' ? h('button.danger', { type: 'button', dataset: { action: 'close' }, onclick: async () => {
        if (await attempt('Could not close the tunnel', () => api.del(`/api/v1/tunnels/${t.id}`)) !== undefined) { toast('Tunnel closed'); table.reload(); }
      } }, 'Close') : '') },
    ],
    load: (cursor) => api.get('/api/v1/tunnels', { session_id: sessionFilter.value.trim(), include_closed: includeClosed.checked ? 'true' : '', cursor, limit: 50 }),
  });
  sessionFilter.addEventListener('change', () => table.reset());
  includeClosed.addEventListener('change', () => table.reset());
  const open = async () => {
    const tunnel = await formDialog('Open a tunnel', [
      { name: 'session_id', label: 'Session id', value: sessionFilter.value.trim(), required: true, placeholder: 'sess_…' },
      { name: 'type', label: 'Type', type: 'select', options: ['http', 'tcp'] },
      { name: 'local_port', label: 'Port inside the runner', type: 'number', required: true, value: 8000 },
      { name: 'public', label: 'Public (no credential needed)', type: 'checkbox' },
      { name: 'ttl_seconds', label: 'Lifetime (seconds)', type: 'number', value: 3600 },
      { name: 'labels', label: 'Labels (k=v,…)' },
    ], (v) => api.post(`/api/v1/sessions/${v.session_id}/tunnels`, {
      type: v.type, local_port: v.local_port, public: v.public, ttl_seconds: v.ttl_seconds, labels: v.labels ? labelObject(v.labels) : undefined,
    }), { submitLabel: 'Open' });
    if (!tunnel) return;
    clear(created).append(h('div.panel', h('strong', 'Tunnel open: '), h('code#tunnel-url', tunnel.public_url), ' ', copyButton(tunnel.public_url, 'Copy URL'),
      tunnel.token ? secretOnce('Tunnel token', tunnel.token, 'Send it as Authorization: Bearer, or ?token=; shown only once.') : null));
    table.reset();
  };
  main.append(pageHeader('Tunnels', h('button.primary#open-tunnel', { type: 'button', onclick: open }, 'Open tunnel')), created,
    h('div.toolbar', h('label', 'Session', sessionFilter), h('label.inline', includeClosed, 'Include closed')),
    table.el);
  await table.reset();
  const reload = debounce(() => table.reload(), 400);
  return subscribe('tunnel.', reload, { onReconnect: reload });
}
