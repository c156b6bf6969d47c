// Webhooks: create (secret shown once), enable/disable, rotate the secret, delete; deliveries
// with status filter and manual retry.
import { api, labelObject } from '../api.js';
import { h, clear, badge, time, pagedTable, formDialog, attempt, toast, secretOnce, pageHeader, json, debounce } from '../ui.js';
import { subscribe } from '../events.js';

export async function render(main, _params, query) {
  const created = h('div#webhook-created');
  const hooks = pagedTable({
    id: 'webhooks-table',
    empty: 'No webhook.',
    columns: [
      { title: 'Webhook', render: (w) => h('span', h('strong', w.name), h('div.muted.mono', w.id)) },
      { title: 'URL', render: (w) => h('code', w.url), wrap: true },
      { title: 'Events', render: (w) => h('span.mono', (w.events || []).join(' ')) },
      { title: 'Active', render: (w) => badge(w.is_active ? 'active' : 'disabled') },
      { title: 'Secret', render: (w) => h('span.mono', `${w.secret_prefix}…`) },
      { title: 'Retries', render: (w) => `${w.max_retries} × ${w.retry_delay_seconds} s` },
      { title: '', render: (w) => h('div.actions',
        h('button', { type: 'button', onclick: () => { deliveriesFor.value = w.id; deliveries.reset(); } }, 'Deliveries'),
        h('button', { type: 'button', onclick: async () => {
          if (await attempt('Could not update', () => api.put(`/admin/api/v1/webhooks/${w.id}`, { is_active: !w.is_active })) !== undefined) hooks.reload();
        } }, w.is_active ? 'Disable' : 'Enable'),
        h('button', { type: 'button', onclick: async () => {
          if (!confirm(`Rotate the secret of "${w.name}"? The old one stops working at once.`)) return;
          const r = await attempt('Could not rotate', () => api.post(`/admin/api/v1/webhooks/${w.id}/rotate-secret`));
          if (r) { clear(created).append(secretOnce(`New secret of "${w.name}"`, r.secret)); hooks.reload(); }
        } }, 'Rotate secret'),
        h('button.danger', { type: 'button', onclick: async () => {
          if (!confirm(`Delete the webhook "${w.name}"?`)) return;
          if (await attempt('Could not delete', () => api.del(`/admin/api/v1/webhooks/${w.id}`)) !== undefined) { toast('Webhook deleted'); hooks.reload(); }
        } }, 'Delete')) },
    ],
    load: (cursor) => api.get('/admin/api/v1/webhooks', { cursor, limit: 50 }),
  });
  const create = async () => {
    const r = await formDialog('New webhook', [
      { name: 'name', label: 'Name', required: true },
      { name: 'url', label: 'URL', type: 'url', required: true, placeholder: 'https://example.com/hook', full: true },
      { name: 'events', label: 'Events (comma-separated patterns)', value: 'task.*', required: true },
      { name: 'max_retries', label: 'Max retries', type: 'number' },
      { name: 'retry_delay_seconds', label: 'Retry delay (s)', type: 'number' },
      { name: 'timeout_seconds', label: 'Timeout (s)', type: 'number' },
      { name: 'labels', label: 'Labels (k=v,…)' },
    ], (v) => {
      const body = { name: v.name, url: v.url, events: v.events.split(',').map((s) => s.trim()).filter(Boolean) };
      for (const k of ['max_retries', 'retry_delay_seconds', 'timeout_seconds']) if (v[k] !== undefined) body[k] = v[k];
      if (v.labels) body.labels = labelObject(v.labels);
      return api.post('/admin/api/v1/webhooks', body);
    }, { submitLabel: 'Create' });
    if (r) { clear(created).append(secretOnce(`Signing secret of "${r.webhook.name}"`, r.secret)); hooks.reset(); }
  };

  const deliveriesFor = h('input#deliveries-webhook', { placeholder: 'whk_… (all when empty)', value: query.get('webhook_id') || '' });
  const status = h('select#deliveries-status', ['', 'pending', 'delivered', 'failed', 'exhausted', 'canceled'].map((s) => h('option', { value: s }, s || 'any')));
  const deliveries = pagedTable({
    id: 'deliveries-table',
    empty: 'No delivery.',
    columns: [
      { title: 'Delivery', render: (e) => h('code', e.id) },
      { title: 'Event', render: (e) => e.event_type },
      { title: 'Status', render: (e) => badge(e.status) },
      { title: 'Attempts', render: (e) => String(e.attempts) },
      { title: 'Last result', render: (e) => [e.last_status_code ? `HTTP ${e.last_status_code}` : '', e.last_error || ''].filter(Boolean).join(' · '), wrap: true },
      { title: 'Next retry', render: (e) => time(e.next_retry_at) },
      { title: 'Created', render: (e) => time(e.created_at) },
      { title: '', render: (e) => h('div.actions',
        h('button', { type: 'button', onclick: (ev) => { const row = ev.target.closest('tr'); row.after(h('tr', h('td', { colSpan: 8 }, json(e.payload)))); } }, 'Payload'),
        ['failed', 'exhausted'].includes(e.status) ? h('button', { type: 'button', dataset: { action: 'retry' }, onclick: async () => {
          if (await attempt('Could not retry', () => api.post(`/admin/api/v1/webhook-events/${e.id}/retry`)) !== undefined) { toast('Delivery queued'); deliveries.reload(); }
        } }, 'Retry') : null) },
    ],
    load: (cursor) => api.get('/admin/api/v1/webhook-events', { webhook_id: deliveriesFor.value.trim(), status: status.value, cursor, limit: 50 }),
  });
  deliveriesFor.addEventListener('change', () => deliveries.reset());
  status.addEventListener('change', () => deliveries.reset());

  main.append(pageHeader('Webhooks', h('button.primary#create-webhook', { type: 'button', onclick: create }, 'New webhook')), created, hooks.el,
    h('h2', 'Deliveries'), h('div.toolbar', h('label', 'Webhook', deliveriesFor), h('label', 'Status', status)), deliveries.el);
  await Promise.all([hooks.reset(), deliveries.reset()]);
  // Deliveries follow events; refresh them as events happen (no polling).
  const reload = debounce(() => deliveries.reload(), 1500);
  return subscribe('', reload);
}
