// The one way to show untrusted text (step names, errors, outputs, ids, event types, workflow,
// account and server messages). Each surface of VS Code interprets something different — Markdown
// links in notifications, `$(icon)` in quick picks and the status bar, Markdown and HTML in hovers —
// so there is one function per surface. All of them make bidi controls and invisible characters
// visible with the same marker and shorten long values, so that what the user reads is what is there.

/** Characters that are invisible, reorder text or control layout: shown as `‹U+XXXX›`. */
// Combining marks (U+034F, variation selectors) are listed on purpose: alone they are invisible.
const HIDDEN =
  // eslint-disable-next-line no-misleading-character-class
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/gu;

/** The marker for one hidden character; the same on every surface, webview included. */
export function hiddenCharMarker(codePoint: number): string {
  return `‹U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}›`;
}

/** True when `text` holds a character that `markHidden` would replace. */
export function hasHiddenCharacters(text: string): boolean {
  HIDDEN.lastIndex = 0;
  const found = HIDDEN.test(text);
  HIDDEN.lastIndex = 0;
  return found;
}

/**
 * Replaces hidden characters with their marker. `keep` lists characters a surface lays out itself
 * (newline and tab in multi-line surfaces).
 */
export function markHidden(text: string, keep = ''): string {
  return text.replace(HIDDEN, (ch) => (keep.includes(ch) ? ch : hiddenCharMarker(ch.codePointAt(0) ?? 0)));
}

/** Cuts to `max` code points with an ellipsis, never inside a surrogate pair. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Per-surface limits, in code points of the original text. */
export const DISPLAY_LIMITS = {
  notification: 300,
  modalDetail: 2000,
  quickPickLabel: 120,
  quickPickDescription: 160,
  quickPickDetail: 300,
  treeLabel: 120,
  treeDescription: 160,
  markdown: 2000,
  panelTitle: 60,
  statusBar: 60,
  webview: 4000,
  webviewLine: 200,
} as const;

const ICON = /\$\(([A-Za-z0-9-]+(?:~[A-Za-z0-9-]+)?)\)/g;
/** An icon not yet escaped, so escaping twice does not show a backslash. */
const LIVE_ICON = /(?<!\\)\$\(([A-Za-z0-9-]+(?:~[A-Za-z0-9-]+)?)\)/g;
const NEWLINES = /\r\n|\r|\n/g;

function oneLine(text: string): string {
  return text.replace(NEWLINES, ' ⏎ ').replace(/\t/g, ' ');
}

function coerce(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/**
 * Notification (`show*Message`) and modal message text: one line; `[label](target)` never forms a
 * link (VS Code's notification parser needs `](` adjacent, so a space goes between).
 */
export function forNotification(value: unknown, max: number = DISPLAY_LIMITS.notification): string {
  return markHidden(oneLine(shorten(coerce(value), max))).replace(/\]\(/g, '] (');
}

/** A modal dialog's `detail`: may span lines, rendered as plain text. */
export function forModalDetail(value: unknown, max: number = DISPLAY_LIMITS.modalDetail): string {
  return markHidden(shorten(coerce(value), max).replace(/\r\n?/g, '\n'), '\n\t').replace(/\]\(/g, '] (');
}

/** `\$(name)` is how VS Code's label renderer is told an icon is text. */
function escapeIcons(text: string): string {
  return text.replace(LIVE_ICON, '\\$($1)');
}

/** Quick-pick item label: one line, `$(icon)` shown as text. */
export function forQuickPickLabel(value: unknown, max: number = DISPLAY_LIMITS.quickPickLabel): string {
  return escapeIcons(markHidden(oneLine(shorten(coerce(value), max))));
}

/** Quick-pick item description (also rendered with icons). */
export function forQuickPickDescription(value: unknown, max: number = DISPLAY_LIMITS.quickPickDescription): string {
  return escapeIcons(markHidden(oneLine(shorten(coerce(value), max))));
}

/** Quick-pick item detail (also rendered with icons). */
export function forQuickPickDetail(value: unknown, max: number = DISPLAY_LIMITS.quickPickDetail): string {
  return escapeIcons(markHidden(oneLine(shorten(coerce(value), max))));
}

/** Quick-pick or input box title. */
export function forQuickPickTitle(value: unknown, max: number = DISPLAY_LIMITS.quickPickDetail): string {
  return escapeIcons(markHidden(oneLine(shorten(coerce(value), max))));
}

/** CodeLens title: rendered with icons, one line. */
export function forCodeLensTitle(value: unknown, max: number = DISPLAY_LIMITS.quickPickDetail): string {
  return escapeIcons(markHidden(oneLine(shorten(coerce(value), max))));
}

/**
 * Tree item label. The tree renders labels without icon syntax, so `$(…)` stays as typed (a
 * backslash would show); newlines and hidden characters are made visible.
 */
export function forTreeLabel(value: unknown, max: number = DISPLAY_LIMITS.treeLabel): string {
  return markHidden(oneLine(shorten(coerce(value), max)));
}

/** Tree item description. */
export function forTreeDescription(value: unknown, max: number = DISPLAY_LIMITS.treeDescription): string {
  return markHidden(oneLine(shorten(coerce(value), max)));
}

/** Webview panel title (the editor tab). */
export function forPanelTitle(value: unknown, max: number = DISPLAY_LIMITS.panelTitle): string {
  return markHidden(oneLine(shorten(coerce(value), max)));
}

/** Status bar item text or plain tooltip: icons shown as text. */
export function forStatusBar(value: unknown, max: number = DISPLAY_LIMITS.statusBar): string {
  return escapeIcons(markHidden(oneLine(shorten(coerce(value), max))));
}

/**
 * Text inside a Markdown tooltip, hover or CodeLens tooltip. Every Markdown and HTML punctuation is
 * backslash-escaped (links, emphasis, tags, entities, autolinks via `:`/`@`/`.`), and `$(icon)` is
 * escaped the way VS Code's Markdown renderer honours when theme icons are on. Newlines become
 * hard breaks. The MarkdownString carrying it must keep `isTrusted` and `supportHtml` off.
 */
export function forMarkdown(value: unknown, max: number = DISPLAY_LIMITS.markdown): string {
  const text = markHidden(shorten(coerce(value), max).replace(/\r\n?/g, '\n'), '\n');
  // Split on icons (odd parts are their names) so their parentheses stay adjacent for VS Code's
  // `\$(name)` escape, and escape everything else.
  return text
    .split(ICON)
    .map((part, i) => (i % 2 ? `\\$(${part})` : part.replace(/[\\`*_{}[\]()#+\-.!|<>~=&:@$"']/g, '\\$&')))
    .join('')
    .replace(/\n/g, '  \n');
}

/**
 * Arguments of a `command:` link the extension builds itself: percent-encoded including the
 * characters encodeURIComponent leaves (`(`, `)`, `!`, `*`, `'`, `~`), so no value ends the link.
 */
export function forCommandUri(args: unknown): string {
  return encodeURIComponent(JSON.stringify(args)).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A plain tooltip (string, not Markdown) on a tree item or CodeLens. */
export function forPlainTooltip(value: unknown, max: number = DISPLAY_LIMITS.markdown): string {
  return markHidden(shorten(coerce(value), max).replace(/\r\n?/g, '\n'), '\n');
}

/** Webview text, set with `textContent` (never HTML): hidden characters marked, newlines kept. */
export function forWebview(value: unknown, max: number = DISPLAY_LIMITS.webview): string {
  return markHidden(shorten(coerce(value), max), '\n\t');
}

/** Webview text on one line (timeline rows, header, titles). */
export function forWebviewLine(value: unknown, max: number = DISPLAY_LIMITS.webviewLine): string {
  return markHidden(oneLine(shorten(coerce(value), max)));
}
