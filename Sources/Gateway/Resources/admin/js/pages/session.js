// One session: its fields and actions, its tasks (paged, live), a task form, its tunnels and streams.
import { api } from '../api.js';
import { h, clear, badge, time, link, labels, fields, pagedTable, debounce, attempt, toast, errorBox } from '../ui.js';
import { subscribe } from '../events.js';
import { sessionActions } from './sessions.js';
import { truncate } from './dashboard.js';
import { navigate } from '../app.js';

export async function render(main, { id }) {
  const head = h('div');
  const details = h('div.panel');
  main.append(h('h1', 'Session ', h('code', id)), head, details);
  async function loadSession() {
    try {
      const s = await api.get(`/api/v1/sessions/${id}`);
      clear(head).append(h('div.toolbar', badge(s.status), sessionActions(s, loadSession)));
      clear(details).append(fields([
        ['Name', s.name || ''], ['Agent', s.agent], ['Permission policy', s.permission_policy],
        ['Runner', s.runner_id || '—'], ['Workspace', h('code', s.workspace_id)], ['Network policy', s.network_policy],
        ['Lifecycle', s.lifecycle_mode], ['Suspend reason', s.suspend_reason], ['Labels', labels(s.labels)],
        ['Created', time(s.created_at)], ['Last activity', time(s.last_activity_at)],
      ]));
    } catch (err) {
      clear(details).append(errorBox(err, 'Could not load the session'));
    }
  }
  await loadSession();

  const prompt = h('textarea#task-prompt', { placeholder: 'Prompt (for the command agent: a shell command)', rows: 3 });
  const submit = h('button.primary#create-task', { type: 'submit' }, 'Run task');
  const taskForm = h('form.panel', h('label', 'New task', prompt), h('div.form-buttons', submit));
  taskForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!prompt.value.trim()) { toast('Enter a prompt first', 'error'); return; }
    submit.disabled = true;
    const task = await attempt('Could not create the task', () => api.post(`/api/v1/sessions/${id}/tasks`, { prompt: prompt.value }));
    submit.disabled = false;
    if (task) navigate(`/tasks/${task.id}`);
  });

  const tasks = pagedTable({
    id: 'session-tasks',
    empty: 'No task yet.',
    columns: [
      { title: 'Task', render: (t) => link(`/tasks/${t.id}`, t.id) },
      { title: 'Status', render: (t) => badge(t.status) },
      { title: 'Prompt', render: (t) => h('span.mono', truncate(t.prompt, 100)), wrap: true },
      { title: 'Parked', render: (t) => t.dispatch_parked_reason || '' },
      { title: 'Created', render: (t) => time(t.created_at) },
    ],
    load: (cursor) => api.get(`/api/v1/sessions/${id}/tasks`, { cursor, limit: 50 }),
  });
  const tunnels = pagedTable({
    empty: 'No open tunnel.',
    columns: [
      { title: 'Tunnel', render: (t) => h('code', t.id) },
      { title: 'Type', render: (t) => t.type },
      { title: 'Port', render: (t) => String(t.local_port) },
      { title: 'URL', render: (t) => h('a', { href: t.public_url, target: '_blank', rel: 'noopener' }, t.public_url), wrap: true },
      { title: 'Status', render: (t) => badge(t.status) },
    ],
    load: (cursor) => api.get(`/api/v1/sessions/${id}/tunnels`, { cursor }),
  });
  const streams = pagedTable({
    empty: 'No stream.',
    columns: [
      { title: 'Stream', render: (s) => link(`/streams/${s.id}`, s.id) },
      { title: 'Type', render: (s) => s.type },
      { title: 'State', render: (s) => badge(s.state) },
      { title: 'Viewers', render: (s) => String(s.viewer_count ?? 0) },
    ],
    load: (cursor) => api.get(`/api/v1/sessions/${id}/streams`, { cursor }),
  });
  main.append(taskForm, h('h2', 'Tasks'), tasks.el,
    h('h2', 'Tunnels ', h('a', { href: `/tunnels?session_id=${id}` }, '(open one)')), tunnels.el,
    h('h2', 'Streams ', h('a', { href: `/streams?session_id=${id}` }, '(start one)')), streams.el);
  await Promise.all([tasks.reset(), tunnels.reset(), streams.reset()]);

  const mine = (frame) => frame.id === id || (frame.data && frame.data.session_id === id);
  const reloadTasks = debounce(() => tasks.reload(), 400);
  const reloadSession = debounce(loadSession, 400);
  const reloadTunnels = debounce(() => tunnels.reload(), 400);
  const reloadStreams = debounce(() => streams.reload(), 400);
  const offs = [
    subscribe('task.', (f) => mine(f) && reloadTasks()),
    subscribe('session.', (f) => mine(f) && reloadSession()),
    subscribe('runner.', (f) => mine(f) && reloadSession()),
    subscribe('tunnel.', (f) => mine(f) && reloadTunnels()),
    subscribe('stream.', (f) => mine(f) && reloadStreams()),
  ];
  return () => offs.forEach((off) => off());
}
