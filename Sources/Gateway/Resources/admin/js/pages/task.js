// One task: fields, runs, cancel/retry, and the live log followed over the log WebSocket
// (`/api/v1/logs/{taskID}/stream` on this origin, admin ticket), with search and stream colours.
import { api, socketURL } from '../api.js';
import { h, clear, badge, time, link, fields, attempt, toast, errorBox, debounce } from '../ui.js';
import { subscribe } from '../events.js';
import { table } from './dashboard.js';

const MAX_LINES = 20000; // older lines are dropped from the page (the store keeps them)

export async function render(main, { id }) {
  const head = h('div');
  const details = h('div.panel');
  const runs = h('div');
  main.append(h('h1', 'Task ', h('code', id)), head, details);

  async function loadTask() {
    try {
      const t = await api.get(`/api/v1/tasks/${id}`);
      const actions = h('div.actions');
      if (t.status === 'pending' || t.status === 'running') {
        actions.append(h('button.danger#cancel-task', { type: 'button', onclick: async () => {
          if (await attempt('Could not cancel', () => api.post(`/api/v1/tasks/${id}/cancel`)) !== undefined) toast('Cancel requested');
        } }, 'Cancel'));
      }
      if (t.status === 'failed') {
        actions.append(h('button', { type: 'button', onclick: async () => {
          if (await attempt('Could not retry', () => api.post(`/api/v1/tasks/${id}/retry`, { force: true })) !== undefined) { toast('Retry started'); follow(); }
        } }, 'Retry'));
      }
      clear(head).append(h('div.toolbar', h('span#task-status', badge(t.status)), actions));
      clear(details).append(fields([
        ['Session', link(`/sessions/${t.session_id}`, t.session_id)], ['Prompt', h('pre.json', t.prompt)],
        ['Retries', `${t.retry_count} of ${t.max_retries}`], ['Timeout', `${t.timeout_seconds} s`],
        ['Parked', t.dispatch_parked_reason], ['Created', time(t.created_at)], ['Updated', time(t.updated_at)],
      ]));
      const list = await api.get(`/api/v1/tasks/${id}/runs`, { limit: 100 });
      clear(runs).append(table(['Attempt', 'Status', 'Runner', 'Exit', 'Error', 'Started', 'Ended'], list.items.map((r) => [
        String(r.attempt), badge(r.status), r.runner_id || '—', r.exit_code ?? '', r.error || '', time(r.started_at), time(r.ended_at),
      ]), 'No run yet (the task waits for a runner).'));
    } catch (err) {
      clear(details).append(errorBox(err, 'Could not load the task'));
    }
  }

  const search = h('input#log-search', { type: 'search', placeholder: 'Search the log' });
  const streamFilter = h('select#log-stream', ['all', 'stdout', 'stderr', 'system'].map((s) => h('option', { value: s }, s)));
  const autoScroll = h('input', { type: 'checkbox', checked: true });
  const state = h('span.muted#log-state', 'connecting…');
  const count = h('span.muted#log-count');
  const log = h('div.log#log', { role: 'log', 'aria-live': 'off' });
  main.append(h('h2', 'Runs'), runs, h('h2', 'Log'),
    h('div.toolbar', h('label', 'Search', search), h('label', 'Stream', streamFilter),
      h('label.inline', autoScroll, 'Follow the end'), state, count),
    log);

  const lines = []; // {stream, content, sequence, runID, el}
  let socket = null;
  let closed = false;
  let last = null; // {runID, sequence}
  let retryTimer = null;

  function matches(line) {
    const q = search.value.trim().toLowerCase();
    const s = streamFilter.value;
    return (s === 'all' || line.stream === s) && (!q || line.content.toLowerCase().includes(q));
  }

  function paint(line) {
    const q = search.value.trim();
    const content = h('span.text');
    if (q) {
      const lower = line.content.toLowerCase();
      let at = 0;
      for (let i = lower.indexOf(q.toLowerCase()); i >= 0; i = lower.indexOf(q.toLowerCase(), at)) {
        content.append(line.content.slice(at, i), h('mark', line.content.slice(i, i + q.length)));
        at = i + q.length;
      }
      content.append(line.content.slice(at));
    } else {
      content.textContent = line.content;
    }
    clear(line.el).append(h('span.seq', String(line.sequence)), content);
    line.el.hidden = !matches(line);
  }

  function repaint() {
    for (const line of lines) paint(line);
    count.textContent = `${lines.filter((l) => !l.el.hidden).length} of ${lines.length} lines`;
  }
  search.addEventListener('input', debounce(repaint, 150));
  streamFilter.addEventListener('change', repaint);

  function add(frame) {
    const line = { stream: frame.stream, content: frame.content, sequence: frame.sequence, runID: frame.run_id,
      el: h(`span.line.${frame.stream === 'stderr' || frame.stream === 'system' ? frame.stream : 'stdout'}`, { dataset: { stream: frame.stream } }) };
    last = { runID: frame.run_id, sequence: frame.sequence };
    paint(line);
    lines.push(line);
    log.append(line.el);
    while (lines.length > MAX_LINES) lines.shift().el.remove();
    count.textContent = `${lines.length} lines`;
    if (autoScroll.checked) log.scrollTop = log.scrollHeight;
  }

  async function follow() {
    if (closed) return;
    clearTimeout(retryTimer);
    state.textContent = 'connecting…';
    let address;
    try {
      const query = last ? { run_id: last.runID, after_sequence: last.sequence } : {};
      address = await socketURL(`/api/v1/logs/${id}/stream`, query);
    } catch (err) {
      state.textContent = `log unavailable: ${err.message}`;
      retryTimer = setTimeout(follow, 3000);
      return;
    }
    if (closed) return;
    if (socket) socket.close();
    const mine = new WebSocket(address);
    socket = mine;
    // Events of a replaced socket (a retry opened a new one) are ignored.
    mine.addEventListener('open', () => { if (socket === mine) state.textContent = 'following live'; });
    mine.addEventListener('message', (message) => {
      if (socket !== mine) return;
      let frame;
      try { frame = JSON.parse(message.data); } catch { return; }
      if (frame.type === 'log') add(frame);
      else if (frame.type === 'error') state.textContent = `log error: ${frame.message}`;
    });
    mine.addEventListener('close', (event) => {
      if (closed || socket !== mine) return;
      if (event.code === 1000) {
        // The server ends the stream when the task is over.
        state.textContent = `ended (${event.reason || 'task finished'})`;
        loadTask();
      } else {
        state.textContent = 'disconnected; reconnecting…';
        retryTimer = setTimeout(follow, 2000);
      }
    });
  }

  await loadTask();
  follow();
  const reload = debounce(loadTask, 300);
  const off = subscribe('task.', (frame) => { if (frame.id === id) reload(); });
  return () => {
    closed = true;
    off();
    clearTimeout(retryTimer);
    if (socket) socket.close();
  };
}
