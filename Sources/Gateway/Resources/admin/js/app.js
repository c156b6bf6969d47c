// The admin UI's router: history-API paths (the server answers every unknown path with
// index.html), one module per page. A page module exports render(main, params) and may return
// a cleanup function (closing sockets, unsubscribing) that runs when the page is left.
import { h, clear, errorBox } from './ui.js';
import { startEvents, isLive } from './events.js';

const routes = [
  [/^\/$/, () => import('./pages/dashboard.js')],
  [/^\/sessions$/, () => import('./pages/sessions.js')],
  [/^\/sessions\/(?<id>[^/]+)$/, () => import('./pages/session.js')],
  [/^\/tasks\/(?<id>[^/]+)$/, () => import('./pages/task.js')],
  [/^\/permissions$/, () => import('./pages/permissions.js')],
  [/^\/tunnels$/, () => import('./pages/tunnels.js')],
  [/^\/streams$/, () => import('./pages/streams.js')],
  [/^\/streams\/(?<id>[^/]+)$/, () => import('./pages/stream.js')],
  [/^\/runners$/, () => import('./pages/runners.js')],
  [/^\/keys$/, () => import('./pages/keys.js')],
  [/^\/agent-configs$/, () => import('./pages/agent-configs.js')],
  [/^\/providers$/, () => import('./pages/providers.js')],
  [/^\/webhooks$/, () => import('./pages/webhooks.js')],
  [/^\/audit$/, () => import('./pages/audit.js')],
  [/^\/status$/, () => import('./pages/status.js')],
];

const main = document.getElementById('app');
let cleanup = null;
let rendering = 0;

async function render() {
  const mine = ++rendering;
  if (cleanup) {
    try { cleanup(); } catch { /* a page's cleanup must not break navigation */ }
    cleanup = null;
  }
  const path = location.pathname.replace(/\/+$/, '') || '/';
  for (const a of document.querySelectorAll('#nav a')) {
    const href = a.getAttribute('href');
    a.classList.toggle('active', href === '/' ? path === '/' : path === href || path.startsWith(href + '/'));
  }
  const route = routes.find(([pattern]) => pattern.test(path));
  clear(main);
  if (!route) {
    main.append(h('h1', 'Not found'), h('p', 'No page at ', h('code', path), '. ', h('a', { href: '/' }, 'Go to the dashboard.')));
    return;
  }
  const params = path.match(route[0]).groups || {};
  try {
    const page = await route[1]();
    if (mine !== rendering) return;
    main.dataset.page = path.split('/')[1] || 'dashboard';
    const result = await page.render(main, params, new URLSearchParams(location.search));
    if (mine !== rendering) { if (typeof result === 'function') result(); return; }
    cleanup = typeof result === 'function' ? result : null;
  } catch (err) {
    if (mine !== rendering) return;
    clear(main).append(h('h1', 'Something went wrong'), errorBox(err, 'This page could not be shown'));
  }
}

export function navigate(href) {
  history.pushState(null, '', href);
  render();
}

document.addEventListener('click', (event) => {
  const a = event.target.closest('a');
  if (!a || a.target || a.hasAttribute('download') || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const target = new URL(a.href, location.origin);
  if (target.origin !== location.origin || target.pathname.startsWith('/api/') || target.pathname.includes('/view')) return;
  event.preventDefault();
  if (target.pathname + target.search !== location.pathname + location.search) navigate(target.pathname + target.search);
});
window.addEventListener('popstate', render);
// Unhandled failures still end as a message on the page, never a blank one.
window.addEventListener('unhandledrejection', (event) => {
  const holder = document.getElementById('toasts');
  if (holder && event.reason) holder.append(errorBox(event.reason));
});

// Test hooks (Tests/e2e/test_admin_ui.py).
window.marionetteAdmin = { navigate, isLive, get page() { return main.dataset.page; } };

startEvents();
render();
