// Sessions: server-paged list with status and label filters, create, suspend/resume/terminate.
import { api, labelQuery, labelObject } from '../api.js';
import { h, badge, time, link, labels, pagedTable, debounce, formDialog, attempt, toast, pageHeader, errorBox, clear } from '../ui.js';
import { subscribe } from '../events.js';
import { navigate } from '../app.js';

const STATUSES = ['', 'pending', 'active', 'suspended', 'resuming', 'terminated'];

export async function render(main, _params, query) {
  const status = h('select#session-status', STATUSES.map((s) => h('option', { value: s, selected: s === (query.get('status') || '') }, s || 'any')));
  const labelFilter = h('input#session-labels', { placeholder: 'team=docs,env=prod', value: query.get('labels') || '' });
  const filterError = h('div');
  const table = pagedTable({
    id: 'sessions-table',
    empty: 'No session matches.',
    columns: [
      { title: 'Session', render: (s) => link(`/sessions/${s.id}`, s.id) },
      { title: 'Name', render: (s) => s.name || '' },
      { title: 'Status', render: (s) => badge(s.status) },
      { title: 'Agent', render: (s) => s.agent },
      { title: 'Runner', render: (s) => s.runner_id || '—' },
      { title: 'Labels', render: (s) => labels(s.labels), wrap: true },
      { title: 'Created', render: (s) => time(s.created_at) },
      { title: '', render: (s) => sessionActions(s, () => table.reload()) },
    ],
    load: (cursor) => api.get('/api/v1/sessions', { status: status.value, cursor, limit: 50, ...labelQuery(labelFilter.value) }),
  });
  const apply = () => {
    clear(filterError);
    try { labelQuery(labelFilter.value); } catch (err) { filterError.append(errorBox(err, 'Label filter')); return; }
    const q = new URLSearchParams();
    if (status.value) q.set('status', status.value);
    if (labelFilter.value) q.set('labels', labelFilter.value);
    history.replaceState(null, '', `/sessions${q.toString() ? `?${q}` : ''}`);
    table.reset();
  };
  status.addEventListener('change', apply);
  labelFilter.addEventListener('change', apply);
  main.append(
    pageHeader('Sessions', h('button.primary#create-session', { type: 'button', onclick: () => createSession() }, 'New session')),
    h('div.toolbar', h('label', 'Status', status), h('label', 'Labels', labelFilter), h('button', { type: 'button', onclick: apply }, 'Filter')),
    filterError, table.el);
  await table.reset();
  const reload = debounce(() => table.reload(), 500);
  return subscribe('session.', reload, { onReconnect: reload });
}

export async function createSession() {
  const created = await formDialog('New session', [
    { name: 'name', label: 'Name' },
    { name: 'agent', label: 'Agent', type: 'select', options: ['command', 'claude', 'codex', 'custom'], value: 'command' },
    { name: 'agent_config_id', label: 'Agent config id (optional)', placeholder: 'acfg_…' },
    { name: 'permission_policy', label: 'Permission policy', type: 'select', options: ['ask', 'auto'] },
    { name: 'lifecycle_mode', label: 'Lifecycle', type: 'select', options: ['on_demand', 'always_on'] },
    { name: 'labels', label: 'Labels (k=v,…)', placeholder: 'team=docs' },
  ], async (v) => {
    const body = { agent: v.agent, permission_policy: v.permission_policy, lifecycle_mode: v.lifecycle_mode };
    if (v.name) body.name = v.name;
    if (v.agent_config_id) body.agent_config_id = v.agent_config_id;
    if (v.labels) body.labels = labelObject(v.labels);
    return api.post('/api/v1/sessions', body);
  }, { submitLabel: 'Create' });
  if (created) {
    toast(`Session ${created.id} created`);
    navigate(`/sessions/${created.id}`);
  }
}

export function sessionActions(s, after) {
  const act = (what, fn) => async () => {
    if (what === 'terminate' && !confirm(`Terminate ${s.id}? This is final.`)) return;
    const ok = await attempt(`Could not ${what} ${s.id}`, fn);
    if (ok !== undefined) { toast(`Session ${what} requested`); after(); }
  };
  if (s.status === 'terminated') return '';
  return h('div.actions',
    s.status === 'active' ? h('button', { type: 'button', dataset: { action: 'suspend' }, onclick: act('suspend', () => api.post(`/api/v1/sessions/${s.id}/suspend`)) }, 'Suspend') : null,
    s.status === 'suspended' ? h('button', { type: 'button', dataset: { action: 'resume' }, onclick: act('resume', () => api.post(`/api/v1/sessions/${s.id}/resume`)) }, 'Resume') : null,
    h('button.danger', { type: 'button', dataset: { action: 'terminate' }, onclick: act('terminate', () => api.del(`/api/v1/sessions/${s.id}`)) }, 'Terminate'));
}
