// Service status (GET /api/status): database, listeners and SFU.
import { api } from '../api.js';
import { h, clear, badge, errorBox } from '../ui.js';
import { table } from './dashboard.js';

export async function render(main) {
  const holder = h('div');
  main.append(h('h1', 'Service status'), holder, h('button', { type: 'button', onclick: () => load() }, 'Check again'));
  async function load() {
    try {
      const status = await api.get('/api/status');
      clear(holder).append(table(['Service', 'Port', 'Status', 'Message'], status.services.map((s) => [
        s.name, s.port ? String(s.port) : '—', badge(s.status), s.message || '',
      ]), 'No service reported.'));
    } catch (err) {
      clear(holder).append(errorBox(err, 'Could not read the status'));
    }
  }
  await load();
}
