// A collapsible JSON viewer. Children are built only when a node is opened and long arrays and
// strings come in pieces, so a megabyte of output costs nothing until someone looks at it.
import { formatBytes } from './format';
import { clip, h, icon } from './dom';
import { markHidden } from '../../model/display';

/** Characters of a string shown before a "Show all" button. */
export const STRING_PREVIEW = 2_000;
const CHUNK = 200;

/** Text that may be huge: a preview, and the rest on request. Always a text node, never HTML. */
export function textBlock(text: string, limit = STRING_PREVIEW, className = 'text-block'): HTMLElement {
  const span = h('span', { class: className });
  if (text.length <= limit) {
    span.textContent = markHidden(text, '\n\t');
    return span;
  }
  const shown = document.createTextNode(markHidden(text.slice(0, limit), '\n\t'));
  const more = h(
    'button',
    {
      class: 'link-button show-all',
      attrs: { type: 'button' },
      on: {
        click: () => {
          shown.data = markHidden(text, '\n\t');
          more.remove();
        },
      },
    },
    `… Show all (${formatBytes(text.length)})`,
  );
  span.append(shown, more);
  return span;
}

function primitive(value: unknown): HTMLElement {
  if (value === null) return h('span', { class: 'json-null' }, 'null');
  switch (typeof value) {
    case 'string':
      return h('span', { class: 'json-string' }, '"', textBlock(value, STRING_PREVIEW, 'json-text'), '"');
    case 'number':
      return h('span', { class: 'json-number' }, String(value));
    case 'boolean':
      return h('span', { class: 'json-boolean' }, String(value));
    case 'undefined':
      return h('span', { class: 'json-null' }, 'undefined');
    default:
      return h('span', { class: 'json-other' }, clip(String(value), 200));
  }
}

function summary(value: object): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  const n = Object.keys(value).length;
  return `{${n}}`;
}

function entry(key: string | undefined, value: unknown, depth: number, expandDepth: number): HTMLElement {
  const keyEl = key !== undefined ? h('span', { class: 'json-key' }, textBlock(key, 300, 'json-key-text'), h('span', { class: 'json-punct' }, ': ')) : null;
  if (value === null || typeof value !== 'object') return h('div', { class: 'json-entry' }, keyEl, primitive(value));
  return node(keyEl, value, depth, expandDepth);
}

function node(keyEl: HTMLElement | null, value: object, depth: number, expandDepth: number): HTMLElement {
  const isArray = Array.isArray(value);
  const keys = isArray ? null : Object.keys(value);
  const size = isArray ? value.length : keys!.length;
  const wrapper = h('div', { class: 'json-entry json-node' });
  if (size === 0) {
    wrapper.append(...[keyEl, h('span', { class: 'json-punct' }, isArray ? '[]' : '{}')].filter((x): x is HTMLElement => !!x));
    return wrapper;
  }
  const children = h('div', { class: 'json-children', attrs: { role: 'group' } });
  const chevron = icon('chevron-right', 'json-chevron');
  const toggle = h('button', { class: 'json-toggle', attrs: { type: 'button', 'aria-expanded': 'false' } }, chevron, keyEl, h('span', { class: 'json-summary' }, summary(value)));
  let built = 0;
  const buildMore = () => {
    const end = Math.min(size, built + CHUNK);
    const frag = document.createDocumentFragment();
    for (let i = built; i < end; i++) {
      if (isArray) frag.append(entry(undefined, (value as unknown[])[i], depth + 1, expandDepth));
      else {
        const k = keys![i];
        frag.append(entry(k, (value as Record<string, unknown>)[k], depth + 1, expandDepth));
      }
    }
    built = end;
    children.querySelector(':scope > .json-more')?.remove();
    children.append(frag);
    if (built < size) {
      children.append(h('button', { class: 'link-button json-more', attrs: { type: 'button' }, on: { click: buildMore } }, `Show ${Math.min(CHUNK, size - built)} more of ${size - built} remaining`));
    }
  };
  const setOpen = (open: boolean) => {
    toggle.setAttribute('aria-expanded', String(open));
    chevron.className = `codicon codicon-chevron-${open ? 'down' : 'right'} json-chevron`;
    if (open && built === 0) buildMore();
    children.hidden = !open;
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  wrapper.append(toggle, children);
  setOpen(depth < expandDepth);
  return wrapper;
}

/** A JSON value as a tree, opened `expandDepth` levels deep. */
export function jsonTree(value: unknown, expandDepth = 2): HTMLElement {
  return h('div', { class: 'json-view' }, entry(undefined, value, 0, expandDepth));
}

/** Pretty JSON text for copying; undefined values become "undefined" rather than nothing. */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
