// One stream: its state, stop, and the stream viewer page (/streams/{id}/view, served by this
// origin too) embedded with a fresh control token in the fragment, so input works from here.
import { api } from '../api.js';
import { h, clear, badge, time, link, fields, attempt, toast, errorBox, debounce } from '../ui.js';
import { subscribe } from '../events.js';

export async function render(main, { id }) {
  const head = h('div');
  const details = h('div.panel');
  const viewer = h('div');
  main.append(h('h1', 'Stream ', h('code', id)), head, viewer, details);
  let stream = null;

  async function load() {
    try {
      stream = await api.get(`/api/v1/streams/${id}`);
      const stop = ['stopped', 'failed'].includes(stream.state) ? null : h('button.danger#stop-stream', { type: 'button', onclick: async () => {
        if (await attempt('Could not stop the stream', () => api.del(`/api/v1/streams/${id}`)) !== undefined) { toast('Stream stopped'); load(); }
      } }, 'Stop');
      clear(head).append(h('div.toolbar', h('span#stream-state', badge(stream.state)), stop));
      clear(details).append(fields([
        ['Session', link(`/sessions/${stream.session_id}`, stream.session_id)], ['Type', stream.type],
        ['Size', stream.width ? `${stream.width}×${stream.height}` : ''], ['Frame rate', stream.fps ? `${stream.fps} fps` : ''],
        ['Codec', stream.video_codec], ['Input', stream.input ? 'yes' : 'no'], ['Viewers', String(stream.viewer_count ?? 0)],
        ['Error', stream.error ? `${stream.error} (${stream.error_code || ''})` : ''], ['Created', time(stream.created_at)], ['Started', time(stream.started_at)],
      ]));
    } catch (err) {
      clear(details).append(errorBox(err, 'Could not load the stream'));
    }
  }
  await load();

  async function embed() {
    clear(viewer);
    if (!stream || ['stopped', 'failed'].includes(stream.state)) {
      viewer.append(h('p.muted', 'The stream is not running, so there is nothing to watch.'));
      return;
    }
    try {
      const role = stream.input ? 'control' : 'view';
      const token = await api.post(`/api/v1/streams/${id}/tokens`, { role, ttl_seconds: 3600 });
      // The token rides in the fragment, which is never sent to the server (api.md §10.5).
      const frame = h('iframe.viewer#stream-viewer', {
        src: `/streams/${encodeURIComponent(id)}/view#token=${encodeURIComponent(token.token)}`,
        title: `Stream ${id}`, allow: 'autoplay; clipboard-read; clipboard-write; fullscreen',
      });
      viewer.append(frame, h('p.muted', `Click the picture to control the ${stream.type} (${role} token, valid 1 h).`));
    } catch (err) {
      viewer.append(errorBox(err, 'Could not open the viewer'));
    }
  }
  await embed();
  const reload = debounce(load, 400);
  return subscribe('stream.', (frame) => { if (frame.id === id) reload(); });
}
