// Agent configs (api.md §13.2–13.3): managed credentials per agent; the key is write-only.
import { api, labelObject } from '../api.js';
import { h, clear, time, labels, pagedTable, formDialog, attempt, toast, pageHeader } from '../ui.js';

const AGENTS = ['claude', 'codex', 'command', 'custom'];

export async function render(main) {
  const agent = h('select#agent-config-agent', ['', ...AGENTS].map((a) => h('option', { value: a }, a || 'any')));
  const table = pagedTable({
    id: 'agent-configs-table',
    empty: 'No agent config.',
    columns: [
      { title: 'Config', render: (c) => h('span', h('strong', c.name), h('div.muted.mono', c.id)) },
      { title: 'Agent', render: (c) => c.agent },
      { title: 'Model', render: (c) => c.model || '' },
      { title: 'Base URL', render: (c) => c.base_url || '', wrap: true },
      { title: 'Default', render: (c) => (c.is_default ? 'yes' : '') },
      { title: 'Labels', render: (c) => labels(c.labels) },
      { title: 'Updated', render: (c) => time(c.updated_at) },
      { title: '', render: (c) => h('div.actions',
        h('button', { type: 'button', onclick: () => edit(c) }, 'Edit'),
        h('button.danger', { type: 'button', onclick: async () => {
          if (!confirm(`Delete the agent config "${c.name}"?`)) return;
          if (await attempt('Could not delete', () => api.del(`/admin/api/v1/agent-configs/${c.id}`)) !== undefined) { toast('Deleted'); table.reload(); }
        } }, 'Delete')) },
    ],
    load: (cursor) => api.get('/admin/api/v1/agent-configs', { agent: agent.value, cursor, limit: 50 }),
  });
  agent.addEventListener('change', () => table.reset());

  function form(c) {
    return [
      { name: 'name', label: 'Name', required: !c, value: c?.name },
      ...(c ? [] : [{ name: 'agent', label: 'Agent', type: 'select', options: AGENTS }]),
      { name: 'api_key', label: c ? 'New API key (blank keeps the stored one)' : 'API key', type: 'password', required: !c },
      { name: 'model', label: 'Model', value: c?.model },
      { name: 'base_url', label: 'Base URL', value: c?.base_url },
      { name: 'labels', label: 'Labels (k=v,…)', value: c ? Object.entries(c.labels || {}).map(([k, v]) => `${k}=${v}`).join(',') : '' },
      { name: 'is_default', label: 'Default for its agent', type: 'checkbox', value: c?.is_default },
    ];
  }
  function body(v) {
    const b = { is_default: v.is_default };
    for (const k of ['name', 'agent', 'api_key', 'model', 'base_url']) if (v[k]) b[k] = v[k];
    if (v.labels !== undefined) b.labels = labelObject(v.labels);
    return b;
  }
  async function edit(c) {
    const r = await formDialog(`Edit "${c.name}"`, form(c), (v) => api.put(`/admin/api/v1/agent-configs/${c.id}`, body(v)));
    if (r) { toast('Saved'); table.reload(); }
  }
  const create = async () => {
    const r = await formDialog('New agent config', form(null), (v) => api.post('/admin/api/v1/agent-configs', body(v)), { submitLabel: 'Create' });
    if (r) { toast(`Agent config ${r.name} created`); table.reset(); }
  };
  main.append(pageHeader('Agent configs', h('button.primary#create-agent-config', { type: 'button', onclick: create }, 'New agent config')),
    h('p.muted', 'Stored API keys are encrypted and never shown again.'),
    h('div.toolbar', h('label', 'Agent', agent)), table.el);
  await table.reset();
}
