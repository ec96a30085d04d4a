// Tiny DOM helpers. Text always goes in as text nodes, never parsed as HTML: step names, errors and
// outputs come from user code and may contain markup. Bidi controls and invisible characters are shown
// as the same ‹U+XXXX› marker as everywhere else (copy actions send the original, not the DOM text).
import { hasHiddenCharacters, markHidden } from '../../model/display';

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  /** Attributes other than `style` and `on*`: CSP blocks inline styles, and handlers go in `on`. */
  attrs?: Record<string, string | number | boolean | undefined>;
  title?: string;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    if (props.class) el.className = props.class;
    if (props.title !== undefined) el.title = markHidden(clip(props.title, 500), '\n');
    if (props.attrs) {
      for (const [name, value] of Object.entries(props.attrs)) {
        if (value === undefined || value === false) continue;
        el.setAttribute(name, value === true ? '' : String(value));
      }
    }
    if (props.on) {
      for (const [event, handler] of Object.entries(props.on)) el.addEventListener(event, handler as EventListener);
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(markHidden(String(c), '\n\t')) : c);
  }
}

/** A codicon glyph; decorative, so hidden from screen readers. */
export function icon(name: string, extra = ''): HTMLSpanElement {
  return h('span', { class: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

export function clear(el: Element): void {
  el.replaceChildren();
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Bidirectional overrides and invisible characters: shown as markers, and worth a warning. */
export function hasInvisibleCharacters(text: string): boolean {
  return hasHiddenCharacters(text);
}

export function button(label: string, iconName: string | undefined, onClick: () => void, opts: { secondary?: boolean; title?: string; iconOnly?: boolean; attrs?: Props['attrs'] } = {}): HTMLButtonElement {
  const b = h(
    'button',
    {
      class: `btn${opts.secondary ? ' secondary' : ''}${opts.iconOnly ? ' icon-only' : ''}`,
      title: opts.title ?? (opts.iconOnly ? label : undefined),
      attrs: { type: 'button', 'aria-label': opts.iconOnly ? label : undefined, ...opts.attrs },
      on: { click: () => onClick() },
    },
    iconName ? icon(iconName) : null,
    opts.iconOnly ? null : h('span', null, label),
  );
  return b;
}
