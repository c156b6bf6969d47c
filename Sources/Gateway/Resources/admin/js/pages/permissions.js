// Permission requests: filter by status, approve or deny with a reason; live.
import { api } from '../api.js';
import { h, badge, time, link, pagedTable, debounce } from '../ui.js';
import { subscribe } from '../events.js';
import { answerButtons, truncate } from './dashboard.js';

export async function render(main, _params, query) {
  const status = h('select#permission-status', ['pending', 'approved', 'denied', 'canceled', ''].map((s) =>
    h('option', { value: s, selected: s === (query.get('status') ?? 'pending') }, s || 'any')));
  const table = pagedTable({
    id: 'permissions-table',
    empty: 'No permission request matches.',
    columns: [
      { title: 'Tool', render: (p) => h('code', p.tool) },
      { title: 'Action', render: (p) => h('span.mono', truncate(p.action, 160)), wrap: true },
      { title: 'Risk', render: (p) => badge(p.risk_level) },
      { title: 'Session / task', render: (p) => h('span', link(`/sessions/${p.session_id}`, p.session_id), h('br'), link(`/tasks/${p.task_id}`, p.task_id)) },
      { title: 'Asked', render: (p) => time(p.created_at) },
      { title: 'Answer', render: (p) => (p.status === 'pending' ? answerButtons(p, () => table.reload())
        : h('span', badge(p.status), p.response_reason ? h('div.muted', p.response_reason) : null, p.responded_by ? h('div.muted', `by ${p.responded_by}`) : null)) },
    ],
    load: (cursor) => api.get('/api/v1/permissions', { status: status.value, cursor, limit: 50 }),
  });
  status.addEventListener('change', () => table.reset());
  main.append(h('h1', 'Permissions'), h('div.toolbar', h('label', 'Status', status)), table.el);
  await table.reset();
  const reload = debounce(() => table.reload(), 300);
  return subscribe('permission.', reload, { onReconnect: reload });
}
