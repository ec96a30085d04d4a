// Human-readable times and durations for tree descriptions, tooltips and reports.

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const d = now - t;
  const future = d < 0;
  const abs = Math.abs(d);
  const text =
    abs < 45_000 ? 'just now' :
    abs < 3_600_000 ? `${Math.round(abs / 60_000)}m` :
    abs < 86_400_000 ? `${Math.round(abs / 3_600_000)}h` :
    `${Math.round(abs / 86_400_000)}d`;
  return text === 'just now' ? text : future ? `in ${text}` : `${text} ago`;
}

/** Duration between two timestamps, or until now while still running. */
export function spanMs(start: string | null | undefined, end: string | null | undefined, now = Date.now()): number | undefined {
  if (!start) return undefined;
  const s = Date.parse(start);
  const e = end ? Date.parse(end) : now;
  return Number.isNaN(s) || Number.isNaN(e) ? undefined : Math.max(0, e - s);
}

/** One-line JSON preview, cut to `max` characters. */
export function previewJson(value: unknown, max = 200): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'undefined';
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
