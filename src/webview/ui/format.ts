// Time and size formatting for the instance view.
import { formatDuration } from '../../model/format';
import { formatBytes } from '../../model/validation';

export { formatBytes, formatDuration };
export type TimeMode = 'relative' | 'absolute';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local wall-clock time with milliseconds: "14:03:07.250". */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Local date and time: "2026-11-29 14:03:07.250". */
export function formatDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(epochMs)}`;
}

/** Offset from the timeline origin: "+0 ms", "+1.25 s", "+3 m 20 s". */
export function formatOffset(ms: number): string {
  return `+${formatDuration(Math.max(0, ms))}`;
}

/** A point in time on the instance's axis, in the chosen mode. */
export function formatAt(offsetMs: number, origin: number | undefined, mode: TimeMode): string {
  if (mode === 'absolute' && origin !== undefined) return formatClock(origin + offsetMs);
  return formatOffset(offsetMs);
}

// One formatter for all counts: toLocaleString builds a new one per call, which shows in scroll profiles.
const COUNT_FORMAT = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return COUNT_FORMAT.format(n);
}

/** Axis tick spacing: a 1-2-5 step giving roughly `targetPx` between ticks. */
export function niceTickStep(pxPerMs: number, targetPx = 110): number {
  const raw = targetPx / pxPerMs;
  const exp = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * exp >= raw) return m * exp;
  return 10 * exp;
}
