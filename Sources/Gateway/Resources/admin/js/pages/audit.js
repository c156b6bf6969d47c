// Audit log (action_logs) with the spec's filters (api.md §13.2), server-paged.
import { api } from '../api.js';
import { h, badge, time, pagedTable, json } from '../ui.js';

export async function render(main, _params, query) {
  const inputs = {
    actor_type: h('select', ['', 'user', 'api_key', 'system', 'runner'].map((s) => h('option', { value: s }, s || 'any'))),
    actor_id: h('input', { placeholder: 'key id or user' }),
    action_prefix: h('input', { placeholder: 'session.' }),
    resource_type: h('input', { placeholder: 'session' }),
    resource_id: h('input', { placeholder: 'sess_…' }),
    session_id: h('input', { placeholder: 'sess_…', value: query.get('session_id') || '' }),
    success: h('select', [['', 'any'], ['true', 'succeeded'], ['false', 'failed']].map(([v, t]) => h('option', { value: v }, t))),
    from: h('input', { type: 'datetime-local' }),
    to: h('input', { type: 'datetime-local' }),
  };
  const iso = (v) => (v ? new Date(v).toISOString() : '');
  const table = pagedTable({
    id: 'audit-table',
    empty: 'No audit entry matches.',
    columns: [
      { title: 'When', render: (l) => time(l.created_at) },
      { title: 'Actor', render: (l) => h('span', l.actor_type, h('div.muted.mono', l.actor_name || l.actor_id || '')) },
      { title: 'Action', render: (l) => h('code', l.action) },
      { title: 'Resource', render: (l) => h('span', l.resource_type, h('div.muted.mono', l.resource_id || '')) },
      { title: 'Result', render: (l) => (l.success ? badge('ok') : h('span', badge('failed'), h('div.muted', l.error_message || ''))), wrap: true },
      { title: 'From', render: (l) => l.ip_address || '' },
      { title: '', render: (l) => (Object.keys(l.details || {}).length ? h('button', { type: 'button', onclick: (ev) => {
        ev.target.closest('tr').after(h('tr', h('td', { colSpan: 7 }, json(l.details))));
      } }, 'Details') : '') },
    ],
    load: (cursor) => {
      const q = { cursor, limit: 50 };
      for (const [k, el] of Object.entries(inputs)) q[k] = k === 'from' || k === 'to' ? iso(el.value) : el.value.trim();
      return api.get('/admin/api/v1/action-logs', q);
    },
  });
  const apply = h('button.primary', { type: 'button', onclick: () => table.reset() }, 'Filter');
  main.append(h('h1', 'Audit log'),
    h('div.toolbar', Object.entries(inputs).map(([k, el]) => h('label', k.replace('_', ' '), el)), apply), table.el);
  for (const el of Object.values(inputs)) el.addEventListener('change', () => table.reset());
  await table.reset();
}
