// Runners (live; a free one can be destroyed) and runner tokens (create shows the raw token once;
// rotate; revoke).
import { api } from '../api.js';
import { h, clear, badge, time, labels, pagedTable, debounce, formDialog, attempt, toast, secretOnce, reasonDialog } from '../ui.js';
import { subscribe } from '../events.js';

export async function render(main) {
  const status = h('select#runner-status', ['', 'idle', 'busy', 'paused', 'offline'].map((s) => h('option', { value: s }, s || 'any')));
  const runners = pagedTable({
    id: 'runners-table',
    empty: 'No runner has connected yet.',
    columns: [
      { title: 'Runner', render: (r) => h('span', h('code', r.id), h('div.muted', r.name || '')) },
      { title: 'Status', render: (r) => h('span', badge(r.status), r.tainted ? h('div', badge('tainted'), ' ', r.taint_reason || '') : null) },
      { title: 'Host', render: (r) => r.hostname || '' },
      { title: 'Pool', render: (r) => r.pool_name || '' },
      { title: 'Sandbox', render: (r) => `${r.sandbox_mode}${r.sandbox_types?.length ? ` (${r.sandbox_types.join(', ')})` : ''}` },
      { title: 'Capabilities', render: (r) => (r.capabilities || []).join(', '), wrap: true },
      { title: 'Version', render: (r) => r.agent_version || '' },
      { title: 'Last seen', render: (r) => time(r.last_seen_at) },
      { title: '', render: (r) => (r.status === 'busy' ? '' : h('button.danger', { type: 'button', onclick: async () => {
        if (!confirm(`Destroy runner ${r.name || r.id}? Its process (local runners), connection and tokens end.`)) return;
        if (await attempt('Could not destroy', () => api.del(`/admin/api/v1/runners/${r.id}`)) !== undefined) { toast('Runner destroyed'); runners.reload(); }
      } }, 'Destroy')) },
    ],
    load: (cursor) => api.get('/admin/api/v1/runners', { status: status.value, cursor, limit: 50 }),
  });
  status.addEventListener('change', () => runners.reset());

  const includeRevoked = h('input', { type: 'checkbox' });
  const created = h('div#runner-token-created');
  const tokens = pagedTable({
    id: 'runner-tokens-table',
    empty: 'No runner token.',
    columns: [
      { title: 'Token', render: (t) => h('span', h('code', t.id), h('div.muted.mono', `${t.token_prefix}…`)) },
      { title: 'Pool', render: (t) => t.pool_name },
      { title: 'Status', render: (t) => badge(t.status) },
      { title: 'Runner', render: (t) => t.runner_id || '—' },
      { title: 'Labels', render: (t) => labels(t.labels) },
      { title: 'Last used', render: (t) => time(t.last_used_at) },
      { title: 'Expires', render: (t) => time(t.expires_at) },
      { title: '', render: (t) => (t.status === 'revoked' || t.status === 'expired' ? '' : h('div.actions',
        h('button', { type: 'button', onclick: async () => {
          const r = await attempt('Could not rotate', () => api.post(`/admin/api/v1/runner-tokens/${t.id}/rotate`));
          if (r) { clear(created).append(secretOnce(`New token for pool ${t.pool_name}`, r.raw_token, 'The old one keeps working for an hour. Shown only once.')); tokens.reload(); }
        } }, 'Rotate'),
        h('button.danger', { type: 'button', onclick: async () => {
          const input = await reasonDialog(`Revoke ${t.id}`, 'Revoke');
          if (input && await attempt('Could not revoke', () => api.del(`/admin/api/v1/runner-tokens/${t.id}`, input.reason ? { reason: input.reason } : undefined)) !== undefined) { toast('Token revoked'); tokens.reload(); }
        } }, 'Revoke'))) },
    ],
    load: (cursor) => api.get('/admin/api/v1/runner-tokens', { include_revoked: includeRevoked.checked ? 'true' : '', cursor, limit: 50 }),
  });
  includeRevoked.addEventListener('change', () => tokens.reset());
  const create = async () => {
    const r = await formDialog('New runner token', [
      { name: 'pool_name', label: 'Pool name', required: true, value: 'default' },
    ], (v) => api.post('/admin/api/v1/runner-tokens', { pool_name: v.pool_name }), { submitLabel: 'Create' });
    if (r) { clear(created).append(secretOnce(`Runner token for pool ${r.token.pool_name}`, r.raw_token)); tokens.reset(); }
  };

  main.append(h('h1', 'Runners'), h('div.toolbar', h('label', 'Status', status)), runners.el,
    h('div.toolbar.header', h('h2', 'Runner tokens'),
      h('button.primary#create-runner-token', { type: 'button', onclick: create }, 'New runner token')),
    created, h('div.toolbar', h('label.inline', includeRevoked, 'Include revoked')), tokens.el);
  await Promise.all([runners.reset(), tokens.reset()]);
  const reload = debounce(() => runners.reload(), 500);
  return subscribe('runner.', reload, { onReconnect: reload });
}
