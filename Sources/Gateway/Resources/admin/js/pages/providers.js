// Provider configs and runner profiles (api.md §13.2–13.3). JSON fields are edited as text and
// checked by the server, which names the field in its error.
import { api, labelObject } from '../api.js';
import { h, time, labels, pagedTable, formDialog, attempt, toast, pageHeader } from '../ui.js';

const PROVIDERS = ['local', 'docker', 'kubernetes', 'e2b', 'pool'];

/// A JSON text field: blank → undefined (left out), else parsed or a clear error.
function parsed(text, field, shape) {
  if (!text) return undefined;
  let value;
  try { value = JSON.parse(text); } catch { throw new Error(`${field} is not valid JSON`); }
  const ok = shape === 'array' ? Array.isArray(value) : value !== null && typeof value === 'object' && !Array.isArray(value);
  if (!ok) throw new Error(`${field} must be a JSON ${shape}`);
  return value;
}

const pretty = (value) => (value && Object.keys(value).length ? JSON.stringify(value) : '');
const size = (mb) => (mb >= 1024 ? `${+(mb / 1024).toFixed(1)} GiB` : `${mb} MiB`);

/// "4 CPU · 8 GiB · 50 GiB disk · 1 GPU"; fields the server does not know stay visible as JSON.
function resourceText(r) {
  if (!r) return '';
  const { cpus, memory_mb: memory, disk_mb: disk, gpus, ...rest } = r;
  const parts = [];
  if (cpus !== undefined) parts.push(`${cpus} CPU`);
  if (memory !== undefined) parts.push(size(memory));
  if (disk !== undefined) parts.push(`${size(disk)} disk`);
  if (gpus) parts.push(`${gpus} GPU`);
  if (Object.keys(rest).length) parts.push(JSON.stringify(rest));
  return parts.join(' · ');
}
const labelText = (map) => Object.entries(map || {}).map(([k, v]) => `${k}=${v}`).join(',');

export async function render(main) {
  const configs = pagedTable({
    id: 'provider-configs-table',
    empty: 'No provider config.',
    columns: [
      { title: 'Config', render: (c) => h('span', h('strong', c.name), h('div.muted.mono', c.id)) },
      { title: 'Provider', render: (c) => c.provider },
      { title: 'Default', render: (c) => (c.is_default ? 'yes' : '') },
      { title: 'Suspend', render: (c) => pretty(c.suspend_config), wrap: true },
      { title: 'Labels', render: (c) => labels(c.labels) },
      { title: 'Updated', render: (c) => time(c.updated_at) },
      { title: '', render: (c) => h('div.actions',
        h('button', { type: 'button', onclick: () => editConfig(c) }, 'Edit'),
        h('button.danger', { type: 'button', onclick: async () => {
          if (!confirm(`Delete the provider config "${c.name}"? Profiles and runners that name it lose the link.`)) return;
          if (await attempt('Could not delete', () => api.del(`/admin/api/v1/provider-configs/${c.id}`)) !== undefined) { toast('Deleted'); configs.reload(); }
        } }, 'Delete')) },
    ],
    load: (cursor) => api.get('/admin/api/v1/provider-configs', { cursor, limit: 50 }),
  });

  function configForm(c) {
    return [
      { name: 'name', label: 'Name', required: !c, value: c?.name },
      ...(c ? [] : [{ name: 'provider', label: 'Provider', type: 'select', options: PROVIDERS }]),
      { name: 'config', label: 'Config (JSON object)', type: 'textarea', value: pretty(c?.config), placeholder: '{"image":"marionette/runner"}' },
      { name: 'suspend_config', label: 'Suspend config (JSON object)', type: 'textarea', value: pretty(c?.suspend_config), placeholder: '{"strategy":"pause","max_duration":"2h"}' },
      { name: 'labels', label: 'Labels (k=v,…)', value: labelText(c?.labels) },
      { name: 'is_default', label: 'Default for its provider', type: 'checkbox', value: c?.is_default },
    ];
  }
  function configBody(v, c) {
    const b = { is_default: v.is_default, labels: labelObject(v.labels) };
    if (v.name) b.name = v.name;
    if (v.provider) b.provider = v.provider;
    // Editing: a cleared box means {} (the server keeps a left-out field).
    b.config = parsed(v.config, 'Config', 'object') ?? (c ? {} : undefined);
    b.suspend_config = parsed(v.suspend_config, 'Suspend config', 'object') ?? (c ? {} : undefined);
    return b;
  }
  async function editConfig(c) {
    const r = await formDialog(`Edit "${c.name}"`, configForm(c), (v) => api.put(`/admin/api/v1/provider-configs/${c.id}`, configBody(v, c)));
    if (r) { toast('Saved'); configs.reload(); }
  }
  const createConfig = async () => {
    const r = await formDialog('New provider config', configForm(null), (v) => api.post('/admin/api/v1/provider-configs', configBody(v, null)), { submitLabel: 'Create' });
    if (r) { toast(`Provider config ${r.name} created`); configs.reset(); }
  };

  const builtins = h('input#profiles-builtin', { type: 'checkbox', checked: true });
  const profiles = pagedTable({
    id: 'profiles-table',
    empty: 'No profile.',
    columns: [
      { title: 'Profile', render: (p) => h('span', h('strong', p.name), h('div.muted.mono', p.id), p.description ? h('div.muted', p.description) : null) },
      { title: 'Resources', render: (p) => resourceText(p.resources) },
      { title: 'Network', render: (p) => p.network?.level || '' },
      { title: 'Tunnels', render: (p) => (p.tunnels || []).map((t) => (t.local_port ? `${t.type}:${t.local_port}` : t.type)).join(', ') },
      { title: 'Provider config', render: (p) => p.provider_config_id || '' },
      { title: 'Labels', render: (p) => labels(p.labels) },
      { title: '', render: (p) => (p.is_builtin ? h('span.muted', 'built in') : h('div.actions',
        h('button', { type: 'button', onclick: () => editProfile(p) }, 'Edit'),
        h('button.danger', { type: 'button', onclick: async () => {
          if (!confirm(`Delete the profile "${p.name}"?`)) return;
          if (await attempt('Could not delete', () => api.del(`/admin/api/v1/profiles/${p.id}`)) !== undefined) { toast('Deleted'); profiles.reload(); }
        } }, 'Delete'))) },
    ],
    load: (cursor) => api.get('/admin/api/v1/profiles', { include_builtin: builtins.checked ? 'true' : '', cursor, limit: 50 }),
  });
  builtins.addEventListener('change', () => profiles.reset());

  function profileForm(p) {
    return [
      { name: 'name', label: 'Name', required: !p, value: p?.name },
      { name: 'description', label: 'Description', value: p?.description },
      { name: 'provider_config_id', label: 'Provider config id', value: p?.provider_config_id, placeholder: 'pcfg_…' },
      { name: 'resources', label: 'Resources (JSON object)', type: 'textarea', value: pretty(p?.resources), placeholder: '{"cpus":2,"memory_mb":4096}' },
      { name: 'network', label: 'Network (JSON object)', type: 'textarea', value: pretty(p?.network), placeholder: '{"level":"allow_list","allowed_hosts":["github.com"]}' },
      { name: 'tunnels', label: 'Tunnels and streams (JSON array)', type: 'textarea', value: p?.tunnels?.length ? JSON.stringify(p.tunnels) : '', placeholder: '[{"type":"http","local_port":3000}]' },
      { name: 'selector', label: 'Selector (JSON object)', type: 'textarea', value: pretty(p?.selector), placeholder: '{"os":"linux"}' },
      { name: 'init_script', label: 'Init script', type: 'textarea', value: p?.init_script },
      { name: 'cleanup_script', label: 'Cleanup script', type: 'textarea', value: p?.cleanup_script },
      { name: 'labels', label: 'Labels (k=v,…)', value: labelText(p?.labels) },
    ];
  }
  function profileBody(v, p) {
    const b = { labels: labelObject(v.labels) };
    if (v.name) b.name = v.name;
    // Text fields: an emptied box clears the stored value (the server's "" means clear).
    for (const k of ['description', 'provider_config_id', 'init_script', 'cleanup_script']) if (v[k] || p) b[k] = v[k];
    b.resources = parsed(v.resources, 'Resources', 'object') ?? (p ? {} : undefined);
    b.network = parsed(v.network, 'Network', 'object') ?? (p ? {} : undefined);
    b.tunnels = parsed(v.tunnels, 'Tunnels', 'array') ?? (p ? [] : undefined);
    b.selector = parsed(v.selector, 'Selector', 'object') ?? (p ? {} : undefined);
    return b;
  }
  async function editProfile(p) {
    const r = await formDialog(`Edit "${p.name}"`, profileForm(p), (v) => api.put(`/admin/api/v1/profiles/${p.id}`, profileBody(v, p)));
    if (r) { toast('Saved'); profiles.reload(); }
  }
  const createProfile = async () => {
    const r = await formDialog('New profile', profileForm(null), (v) => api.post('/admin/api/v1/profiles', profileBody(v, null)), { submitLabel: 'Create' });
    if (r) { toast(`Profile ${r.name} created`); profiles.reset(); }
  };

  main.append(
    pageHeader('Provider configs', h('button.primary#create-provider-config', { type: 'button', onclick: createConfig }, 'New provider config')),
    configs.el,
    h('div.toolbar.header', h('h2', 'Profiles'), h('button.primary#create-profile', { type: 'button', onclick: createProfile }, 'New profile')),
    h('div.toolbar', h('label.inline', builtins, 'Include built-in profiles')), profiles.el);
  await Promise.all([configs.reset(), profiles.reset()]);
}
