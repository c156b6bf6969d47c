// Dashboard: runners, active sessions, running tasks and pending permissions at a glance, kept
// current by the events socket.
import { api } from '../api.js';
import { h, clear, errorBox, badge, time, link, debounce, attempt, reasonDialog, toast } from '../ui.js';
import { subscribe } from '../events.js';

export async function render(main) {
  const cards = h('div.cards#dashboard-cards');
  const lists = h('div');
  const errors = h('div#dashboard-errors');
  main.append(h('h1', 'Dashboard'), errors, cards, lists);

  const statusErrors = h('div#dashboard-status');
  errors.before(statusErrors);
  // Shown on its own as soon as it answers: when the store hangs, the lists below wait for a timeout.
  async function loadStatus() {
    try {
      const status = await api.get('/api/status');
      clear(statusErrors);
      for (const x of status.services.filter((s) => s.status === 'error')) {
        statusErrors.append(errorBox({ message: `${x.name} is failing: ${x.message || 'no detail'}` }, 'Service problem'));
      }
    } catch (err) {
      clear(statusErrors).append(errorBox(err, 'Could not read the service status'));
    }
  }

  async function load() {
    loadStatus();
    // Counts come from the server (total_count of a one-item page), so they stay cheap at any size.
    const [runners, sessions, tasks, permissions] = await Promise.allSettled([
      Promise.all(['idle', 'busy', 'paused', 'offline'].map((status) => api.get('/api/v1/runners', { status, limit: 1 })))
        .then(([idle, busy, paused, offline]) => ({ idle: idle.total_count, busy: busy.total_count, paused: paused.total_count, offline: offline.total_count })),
      api.get('/api/v1/sessions', { status: 'active', limit: 10 }),
      api.get('/api/v1/tasks', { status: 'running', limit: 10 }),
      api.get('/api/v1/permissions', { status: 'pending', limit: 10 }),
    ]);
    clear(errors);
    for (const [what, r] of [['runners', runners], ['sessions', sessions], ['tasks', tasks], ['permissions', permissions]]) {
      if (r.status === 'rejected') errors.append(errorBox(r.reason, `Could not load ${what}`));
    }
    const value = (r) => (r.status === 'fulfilled' ? r.value : null);
    const r = value(runners);
    clear(cards).append(
      card('Runners', r ? `${r.idle + r.busy + r.paused} online` : '—',
        r ? `${r.idle} idle · ${r.busy} busy · ${r.paused} paused · ${r.offline} offline` : '', '/runners'),
      card('Active sessions', total(value(sessions)), '', '/sessions?status=active'),
      card('Running tasks', total(value(tasks)), '', '/sessions'),
      card('Pending permissions', total(value(permissions)), '', '/permissions'),
    );
    clear(lists);
    lists.append(h('h2', 'Pending permissions'), permissionTable(value(permissions)?.items || [], load));
    lists.append(h('h2', 'Running tasks'), table(['Task', 'Session', 'Prompt', 'Started'], (value(tasks)?.items || []).map((t) => [
      link(`/tasks/${t.id}`, t.id), link(`/sessions/${t.session_id}`, t.session_id), h('span.mono', truncate(t.prompt, 80)), time(t.updated_at),
    ]), 'No task is running.'));
    lists.append(h('h2', 'Active sessions'), table(['Session', 'Name', 'Agent', 'Runner', 'Last activity'], (value(sessions)?.items || []).map((s) => [
      link(`/sessions/${s.id}`, s.id), s.name || '', s.agent, s.runner_id || '—', time(s.last_activity_at || s.updated_at),
    ]), 'No active session.'));
  }

  // The first paint does not wait for the lists: a stalled store shows its status error at once.
  cards.append(h('p.muted', 'Loading…'));
  load();
  const reload = debounce(load, 1000);
  const off = subscribe('', reload, { onReconnect: reload });
  return off;
}

function total(list) {
  if (!list) return '—';
  return typeof list.total_count === 'number' ? String(list.total_count) : String(list.items.length);
}

function card(label, value, detail, href) {
  return h('a.card', { href },
    h('div.value', value), h('div.label', label), detail ? h('div.muted', detail) : null);
}

export function table(headers, rows, empty) {
  const body = h('tbody');
  if (!rows.length) body.append(h('tr', h('td.muted', { colSpan: headers.length }, empty)));
  for (const row of rows) body.append(h('tr', row.map((cell) => h('td', cell))));
  return h('table', h('thead', h('tr', headers.map((x) => h('th', x)))), body);
}

export function truncate(text, n) {
  const s = String(text ?? '');
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Pending permission rows with approve/deny (shared with the permissions page). */
export function permissionTable(items, after) {
  return table(['Tool', 'Action', 'Risk', 'Session / task', 'Asked', ''], items.map((p) => [
    h('code', p.tool), h('span.mono', truncate(p.action, 120)), badge(p.risk_level),
    h('span', link(`/sessions/${p.session_id}`, p.session_id), h('br'), link(`/tasks/${p.task_id}`, p.task_id)),
    time(p.created_at),
    p.status === 'pending' ? answerButtons(p, after) : badge(p.status),
  ]), 'No permission request is waiting.');
}

export function answerButtons(p, after) {
  const answer = (verb) => async () => {
    const input = await reasonDialog(`${verb === 'approve' ? 'Approve' : 'Deny'} ${p.tool}`, verb === 'approve' ? 'Approve' : 'Deny');
    if (!input) return;
    const body = input.reason ? { reason: input.reason } : undefined;
    const ok = await attempt(`Could not ${verb}`, () => api.post(`/api/v1/permissions/${p.id}/${verb}`, body));
    if (ok !== undefined) { toast(`Permission ${verb === 'approve' ? 'approved' : 'denied'}`); after && after(); }
  };
  return h('div.actions', h('button.primary', { type: 'button', dataset: { action: 'approve' }, onclick: answer('approve') }, 'Approve'),
    h('button.danger', { type: 'button', dataset: { action: 'deny' }, onclick: answer('deny') }, 'Deny'));
}
