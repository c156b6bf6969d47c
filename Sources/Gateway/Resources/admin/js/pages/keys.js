// API keys: list (optionally revoked), create with scopes (the raw key is shown once), revoke.
import { api, labelObject } from '../api.js';
import { h, clear, badge, time, labels, pagedTable, formDialog, attempt, toast, secretOnce, reasonDialog, pageHeader } from '../ui.js';

// api.md §1.4; `*` and `resource:*` cover the rest.
const SCOPES = ['*', 'sessions:read', 'sessions:write', 'tasks:read', 'tasks:write', 'runners:read', 'permissions:read',
  'permissions:write', 'workspaces:read', 'workspaces:write', 'scheduled-tasks:read', 'scheduled-tasks:write',
  'tunnels:read', 'tunnels:write', 'events:read', 'streams:read', 'streams:write'];

export async function render(main) {
  const includeRevoked = h('input#keys-include-revoked', { type: 'checkbox' });
  const created = h('div#key-created');
  const table = pagedTable({
    id: 'keys-table',
    empty: 'No API key.',
    columns: [
      { title: 'Key', render: (k) => h('span', h('strong', k.name), h('div.muted.mono', `${k.key_prefix}…  ${k.id}`)) },
      { title: 'Scopes', render: (k) => h('span.mono', (k.scopes || []).join(' ')), wrap: true },
      { title: 'Tenant', render: (k) => k.tenant_id || '' },
      { title: 'Labels', render: (k) => labels(k.labels) },
      { title: 'Created', render: (k) => time(k.created_at) },
      { title: 'Last used', render: (k) => time(k.last_used_at) },
      { title: 'Expires', render: (k) => time(k.expires_at) },
      { title: '', render: (k) => (k.revoked_at ? h('span', badge('revoked'), k.revoke_reason ? h('div.muted', k.revoke_reason) : null)
        : h('button.danger', { type: 'button', dataset: { action: 'revoke' }, onclick: async () => {
          const input = await reasonDialog(`Revoke "${k.name}"`, 'Revoke');
          if (input && await attempt('Could not revoke', () => api.del(`/admin/api/v1/keys/${k.id}`, input.reason ? { reason: input.reason } : undefined)) !== undefined) { toast('Key revoked'); table.reload(); }
        } }, 'Revoke')) },
    ],
    load: (cursor) => api.get('/admin/api/v1/keys', { include_revoked: includeRevoked.checked ? 'true' : '', cursor, limit: 50 }),
  });
  includeRevoked.addEventListener('change', () => table.reset());
  const create = async () => {
    const r = await formDialog('New API key', [
      { name: 'name', label: 'Name', required: true },
      { name: 'tenant_id', label: 'Tenant id (multi-tenant mode)' },
      { name: 'expires_at', label: 'Expires (optional)', type: 'datetime-local' },
      { name: 'labels', label: 'Labels (k=v,…)' },
      { name: 'scopes', label: 'Scopes', type: 'checks', options: SCOPES, value: ['sessions:read', 'tasks:read'] },
    ], (v) => {
      const body = { name: v.name, scopes: v.scopes };
      if (v.tenant_id) body.tenant_id = v.tenant_id;
      if (v.expires_at) body.expires_at = new Date(v.expires_at).toISOString();
      if (v.labels) body.labels = labelObject(v.labels);
      return api.post('/admin/api/v1/keys', body);
    }, { submitLabel: 'Create' });
    if (r) { clear(created).append(secretOnce(`API key "${r.key.name}"`, r.raw_token)); table.reset(); }
  };
  main.append(pageHeader('API keys', h('button.primary#create-key', { type: 'button', onclick: create }, 'New API key')), created,
    h('div.toolbar', h('label.inline', includeRevoked, 'Include revoked')), table.el);
  await table.reset();
}
