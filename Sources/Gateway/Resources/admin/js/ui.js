// Small DOM helpers shared by the pages: element builder, error display, toasts, dialogs, badges,
// time formatting, and the server-paged table.
import { ApiError } from './api.js';

/** h('tag.class#id', {attrs, on*: handlers}, ...children) */
export function h(spec, attrs, ...children) {
  const [, tag = 'div', rest = ''] = spec.match(/^([a-z0-9]*)(.*)$/i);
  const el = document.createElement(tag || 'div');
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A readable error box: the API's message and code, never a stack trace. */
export function errorBox(err, what) {
  const isApi = err instanceof ApiError;
  const message = isApi ? err.message : (err && err.message) || String(err);
  const meta = isApi ? [err.status ? `HTTP ${err.status}` : null, err.code, err.requestId && `request ${err.requestId}`].filter(Boolean).join(' · ') : '';
  return h('div.error-box', { role: 'alert' },
    h('strong', what ? `${what}: ` : 'Error: '), message,
    meta ? h('div.code', meta) : null);
}

export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const el = h(`div.toast${kind === 'error' ? '.error' : ''}`, { role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/** Runs an action; failures become an error toast. Returns the result or undefined. */
export async function attempt(what, fn) {
  try {
    return await fn();
  } catch (err) {
    toast(`${what}: ${err.message}${err.code ? ` (${err.code})` : ''}`, 'error');
    return undefined;
  }
}

export function badge(status) {
  return h(`span.badge.${String(status || 'unknown').replace(/[^a-z0-9_-]/gi, '')}`, String(status ?? '—'));
}

export function time(ts) {
  if (!ts) return '—';
  const date = new Date(typeof ts === 'number' ? ts : ts);
  if (Number.isNaN(date.getTime())) return String(ts);
  return date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function labels(map) {
  const entries = Object.entries(map || {});
  if (!entries.length) return '';
  return h('span.mono', entries.map(([k, v]) => `${k}=${v}`).join(', '));
}

export function link(href, text) {
  return h('a', { href }, text);
}

export function fields(pairs) {
  const dl = h('dl.fields');
  for (const [name, value] of pairs) {
    if (value === undefined) continue;
    dl.append(h('dt', name), h('dd', value === null || value === '' ? '—' : value));
  }
  return dl;
}

export function json(value) {
  return h('pre.json', JSON.stringify(value, null, 2));
}

export function copyButton(text, label = 'Copy') {
  return h('button', {
    type: 'button',
    onclick: async (event) => {
      try {
        await navigator.clipboard.writeText(text);
        toast('Copied to the clipboard');
      } catch {
        // Clipboard access needs a secure context or permission: select the text instead.
        const holder = event.target.previousElementSibling;
        if (holder) window.getSelection().selectAllChildren(holder);
        toast('Select and copy the text by hand (clipboard not available)');
      }
    },
  }, label);
}

/** A secret shown once (raw key, token, webhook secret). */
export function secretOnce(title, value, note = 'Shown only once: copy it now.') {
  return h('div.secret', { role: 'status' },
    h('strong', title), ' ', h('span.muted', note), h('div', h('code.secret-value', value), ' ', copyButton(value)));
}

/**
 * A modal form. fields: [{name, label, type ('text'|'number'|'select'|'checkbox'|'textarea'|'checks'),
 * options, value, required, placeholder}]. submit(values) may throw: the error is shown in the
 * dialog and it stays open. Resolves with submit's result, or undefined when cancelled.
 */
export function formDialog(title, fieldList, submit, { submitLabel = 'Save' } = {}) {
  return new Promise((resolve) => {
    const inputs = {};
    const form = h('form.form', { method: 'dialog' });
    for (const f of fieldList) {
      let input;
      if (f.type === 'select') {
        input = h('select', { name: f.name }, f.options.map((o) => {
          const [value, text] = Array.isArray(o) ? o : [o, o];
          return h('option', { value, selected: value === f.value }, text);
        }));
      } else if (f.type === 'checkbox') {
        input = h('input', { type: 'checkbox', name: f.name, checked: !!f.value });
      } else if (f.type === 'textarea') {
        input = h('textarea', { name: f.name, placeholder: f.placeholder || '', required: !!f.required }, f.value || '');
      } else if (f.type === 'checks') {
        const boxes = f.options.map((o) => h('label', h('input', { type: 'checkbox', value: o, checked: (f.value || []).includes(o) }), o));
        input = h('div.checks', { dataset: { name: f.name } }, boxes);
      } else {
        input = h('input', { type: f.type || 'text', name: f.name, value: f.value ?? '', placeholder: f.placeholder || '', required: !!f.required });
      }
      inputs[f.name] = input;
      form.append(h(`label${f.full || f.type === 'textarea' || f.type === 'checks' ? '.full' : ''}`, f.label, input));
    }
    const errorHolder = h('div.full');
    const ok = h('button.primary', { type: 'submit' }, submitLabel);
    const cancel = h('button', { type: 'button' }, 'Cancel');
    form.append(errorHolder);
    const dialog = h('dialog', h('h3', title), form, h('div.buttons', cancel, ok));
    document.body.append(dialog);
    const done = (value) => { dialog.close(); dialog.remove(); resolve(value); };
    cancel.addEventListener('click', () => done(undefined));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(undefined); });
    const run = async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const values = {};
      for (const f of fieldList) {
        const input = inputs[f.name];
        if (f.type === 'checkbox') values[f.name] = input.checked;
        else if (f.type === 'checks') values[f.name] = [...input.querySelectorAll('input:checked')].map((i) => i.value);
        else if (f.type === 'number') values[f.name] = input.value === '' ? undefined : Number(input.value);
        else values[f.name] = input.value.trim();
      }
      ok.disabled = true;
      clear(errorHolder);
      try {
        done(await submit(values));
      } catch (err) {
        errorHolder.append(errorBox(err));
        ok.disabled = false;
      }
    };
    form.addEventListener('submit', run);
    ok.addEventListener('click', run);
    dialog.showModal();
    const first = form.querySelector('input, select, textarea');
    if (first) first.focus();
  });
}

/** Asks for an optional reason; resolves to {reason} or undefined when cancelled. */
export function reasonDialog(title, submitLabel) {
  return formDialog(title, [{ name: 'reason', label: 'Reason (optional)', full: true }], async (v) => v, { submitLabel });
}

/**
 * A table whose rows come page by page from the server (cursor paging, api.md §1.6).
 * load(cursor) → {items, has_more, next_cursor, total_count}; columns: [{title, render(item)}].
 */
export function pagedTable({ columns, load, empty = 'Nothing here yet.', id }) {
  const body = h('tbody');
  const table = h('table', { id }, h('thead', h('tr', columns.map((c) => h('th', c.title)))), body);
  const info = h('span.muted');
  const prev = h('button', { type: 'button', disabled: true }, '← Previous');
  const next = h('button', { type: 'button', disabled: true }, 'Next →');
  const errorHolder = h('div');
  const root = h('div.paged', errorHolder, table, h('div.pager', prev, next, info));
  const cursors = [null]; // cursors[i] loads page i
  let page = 0;
  let generation = 0;

  async function show(index) {
    const mine = ++generation;
    try {
      const result = await load(cursors[index]);
      if (mine !== generation) return;
      clear(errorHolder);
      page = index;
      clear(body);
      const items = (result && result.items) || [];
      if (!items.length) body.append(h('tr', h('td.muted', { colSpan: columns.length }, empty)));
      for (const item of items) {
        body.append(h('tr', { dataset: { id: item.id || '' } }, columns.map((c) => h(`td${c.wrap ? '.wrap' : ''}`, c.render(item)))));
      }
      cursors[index + 1] = result && result.has_more ? result.next_cursor : undefined;
      cursors.length = index + 2;
      prev.disabled = index === 0;
      next.disabled = !cursors[index + 1];
      const total = result && typeof result.total_count === 'number' ? ` of ${result.total_count}` : '';
      info.textContent = `Page ${index + 1} · ${items.length} shown${total}`;
    } catch (err) {
      if (mine !== generation) return;
      clear(errorHolder).append(errorBox(err, 'Could not load the list'));
    }
  }
  prev.addEventListener('click', () => show(page - 1));
  next.addEventListener('click', () => show(page + 1));
  return {
    el: root,
    reload: () => show(page),
    reset: () => { cursors.length = 1; return show(0); },
  };
}

/** Calls fn at most once per `ms` (trailing), for bursts of live events. */
export function debounce(fn, ms = 400) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}

export function pageHeader(title, ...buttons) {
  return h('div.toolbar.header', h('h1', title), h('div.actions', buttons));
}
