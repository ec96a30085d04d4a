// The timeline model: every step of an instance placed on one shared time axis, with its attempts,
// backoff gaps, sleeps and waits as segments. Pure data, so the webview builds it from the details
// the host sends, and tests check it without a browser.
import type { DoStep, InstanceDetails, SleepStep, Step, StepAttempt, StepError, UnknownStep, WaitForEventStep } from './types';
import { isFinal } from './status';
import { parseTime, retryDelayMs } from './derived';

export type RowKind = 'step' | 'rollback' | 'sleep' | 'waitForEvent' | 'unknown';

export type RowOutcome =
  | 'success'
  | 'failed'
  | 'running'
  | 'retrying'
  | 'sleeping'
  | 'waiting'
  | 'received'
  | 'timedOut'
  /** Left unfinished when the instance ended (terminated, errored elsewhere). */
  | 'cancelled'
  | 'unknown';

export type SegmentKind = 'attempt' | 'backoff' | 'sleep' | 'wait' | 'span';
export type SegmentOutcome = 'success' | 'failure' | 'running' | 'pending' | 'received' | 'timedOut' | 'cancelled' | 'unknown';

/** Offsets are ms from `Timeline.origin`. */
export interface TimelineSegment {
  kind: SegmentKind;
  start: number;
  end: number;
  /** Still in progress: `end` is "now" (or the instance end when it stopped). */
  open: boolean;
  outcome: SegmentOutcome;
  /** 1-based attempt number (attempt segments) or the attempt the backoff precedes. */
  attempt?: number;
  error?: StepError;
  /** Backoff still running: when the engine plans the next attempt, if the delay is known. */
  expectedEnd?: number;
}

export interface TimelineRow {
  /** Position in `details.steps`. */
  index: number;
  /** Full engine name with the `-N` suffix: the row's identity across refreshes. */
  name: string;
  base: string;
  occurrence: number;
  kind: RowKind;
  /** The wire type when `kind` is 'unknown'. */
  rawType?: string;
  start?: number;
  end?: number;
  open: boolean;
  outcome: RowOutcome;
  segments: TimelineSegment[];
  attempts: number;
  failedAttempts: number;
  /** Last error of the step (final error, timeout, or last failed attempt). */
  error?: StepError;
  eventType?: string;
  /** When a waited-for event arrived (offset), if the event carries a timestamp. */
  receivedAt?: number;
  durationMs?: number;
}

export type MarkerKind = 'queued' | 'start' | 'end' | 'termination' | 'rollback' | 'now';

export interface TimelineMarker {
  kind: MarkerKind;
  at: number;
  label: string;
}

/** An idle stretch shortened on the axis when "hide idle time" is on. */
export interface IdleGap {
  start: number;
  end: number;
  /** Total ms removed from the axis by this gap and all gaps before it. */
  removedThrough: number;
}

export interface TimelineTotals {
  steps: number;
  byKind: Record<RowKind, number>;
  attempts: number;
  failedAttempts: number;
  retries: number;
  /** The whole axis, origin to end. */
  spanMs: number;
  /** Time covered by at least one running attempt (or an unknown step's span). */
  busyMs: number;
  idleMs: number;
  sleepMs: number;
  waitMs: number;
  backoffMs: number;
}

export interface Timeline {
  /** Epoch ms of offset 0; undefined when the instance has no timestamps at all. */
  origin?: number;
  /** End of the axis (real ms offset). */
  end: number;
  /** Axis length after idle gaps are shortened (equals `end` when none are). */
  displayEnd: number;
  /** Display ms kept for each shortened gap. */
  gapKeepMs: number;
  gaps: IdleGap[];
  rows: TimelineRow[];
  markers: TimelineMarker[];
  totals: TimelineTotals;
  /** Some row is still open, so the axis grows with time. */
  live: boolean;
}

export interface TimelineOptions {
  /** Epoch ms that open segments extend to. */
  now: number;
  hideIdle?: boolean;
  /** Idle stretches longer than this are shortened to this length (default: see `defaultIdleThreshold`). */
  idleThresholdMs?: number;
}

/** The threshold scales with the real work, so a 1 h sleep next to 30 ms steps does not flatten them. */
export function defaultIdleThreshold(busyMs: number): number {
  return Math.max(50, Math.round(busyMs * 0.05));
}

/**
 * "reserve stock-2" → base "reserve stock", occurrence 2. Same result as status.ts `splitStepName`,
 * without a regex: it runs once per row, and names may be long or contain line breaks.
 */
export function splitName(name: string): { base: string; count: number } {
  const dash = name.lastIndexOf('-');
  if (dash < 0 || dash === name.length - 1) return { base: name, count: 1 };
  for (let i = dash + 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) return { base: name, count: 1 };
  }
  return { base: name.slice(0, dash), count: Number(name.slice(dash + 1)) };
}

interface Clock {
  origin: number;
  /** Where open segments stop: now, or the instance end when it already ended. */
  openEnd: number;
  instanceFinal: boolean;
}

function offset(clock: Clock, value: unknown): number | undefined {
  const t = parseTime(value);
  return t === undefined ? undefined : t - clock.origin;
}

function earliestTime(details: InstanceDetails): number | undefined {
  let min = parseTime(details.queued) ?? parseTime(details.start);
  const consider = (v: unknown) => {
    const t = parseTime(v);
    if (t !== undefined && (min === undefined || t < min)) min = t;
  };
  consider(details.start);
  // Steps are usually after the instance start; checking the first few guards against clock skew cheaply.
  for (let i = 0; i < Math.min(details.steps.length, 3); i++) consider((details.steps[i] as { start?: unknown }).start);
  return min;
}

function attemptFailed(a: StepAttempt): boolean {
  return a.success === false || (!!a.end && !!a.error && a.success !== true);
}

function buildDoRow(step: DoStep, index: number, clock: Clock): TimelineRow {
  const { base, count } = splitName(step.name);
  const attempts = Array.isArray(step.attempts) ? step.attempts : [];
  const segments: TimelineSegment[] = [];
  let failedAttempts = 0;
  let lastError: StepError | undefined;
  let prevEnd: number | undefined;
  const stepEnd = offset(clock, step.end);
  const stepClosed = stepEnd !== undefined || step.success === true || step.success === false;

  for (let i = 0; i < attempts.length; i++) {
    const a = attempts[i];
    const start = offset(clock, a.start);
    if (start === undefined) continue;
    if (prevEnd !== undefined && start > prevEnd) {
      segments.push({ kind: 'backoff', start: prevEnd, end: start, open: false, outcome: 'success', attempt: i + 1 });
    }
    const end = offset(clock, a.end);
    const failed = attemptFailed(a);
    if (failed) {
      failedAttempts++;
      if (a.error) lastError = a.error;
    }
    let outcome: SegmentOutcome;
    if (a.success === true) outcome = 'success';
    else if (failed) outcome = 'failure';
    else if (end === undefined) outcome = clock.instanceFinal || stepClosed ? 'cancelled' : 'running';
    else outcome = 'unknown';
    const segEnd = end ?? Math.max(start, stepEnd ?? clock.openEnd);
    segments.push({ kind: 'attempt', start, end: segEnd, open: end === undefined && outcome === 'running', outcome, attempt: i + 1, error: a.error ?? undefined });
    prevEnd = segEnd;
  }

  const start = offset(clock, step.start) ?? segments[0]?.start;
  const last = attempts[attempts.length - 1];
  let outcome: RowOutcome;
  if (step.success === true) outcome = 'success';
  else if (step.success === false) outcome = 'failed';
  else if (stepEnd !== undefined) outcome = last?.success === true ? 'success' : last && attemptFailed(last) ? 'failed' : 'unknown';
  else if (clock.instanceFinal) outcome = 'cancelled';
  else if (last && attemptFailed(last)) outcome = 'retrying';
  else outcome = failedAttempts > 0 ? 'retrying' : 'running';

  // Waiting for the next attempt: show the backoff growing, with the engine's planned retry time.
  if (outcome === 'retrying' && last && attemptFailed(last) && prevEnd !== undefined) {
    const delay = retryDelayMs(step.config?.retries ?? undefined, failedAttempts);
    const end = Math.max(prevEnd, clock.openEnd);
    segments.push({ kind: 'backoff', start: prevEnd, end, open: true, outcome: 'pending', attempt: attempts.length + 1, expectedEnd: delay !== undefined ? prevEnd + delay : undefined });
  }
  if (segments.length === 0 && start !== undefined) {
    // A step without attempt data (cloud `simple`, or an old engine): one bar for the whole step.
    const end = stepEnd ?? Math.max(start, clock.openEnd);
    const segOutcome: SegmentOutcome = outcome === 'success' ? 'success' : outcome === 'failed' ? 'failure' : outcome === 'cancelled' ? 'cancelled' : stepEnd === undefined ? 'running' : 'unknown';
    segments.push({ kind: 'attempt', start, end, open: stepEnd === undefined && segOutcome === 'running', outcome: segOutcome, attempt: 1 });
  }
  const end = stepEnd ?? (segments.length ? segments[segments.length - 1].end : undefined);
  const open = stepEnd === undefined && (outcome === 'running' || outcome === 'retrying');
  return {
    index,
    name: step.name,
    base,
    occurrence: count,
    kind: step.type,
    start,
    end,
    open,
    outcome,
    segments,
    attempts: attempts.length,
    failedAttempts,
    error: lastError,
    durationMs: start !== undefined && end !== undefined ? end - start : undefined,
  };
}

function buildSleepRow(step: SleepStep, index: number, clock: Clock): TimelineRow {
  const { base, count } = splitName(step.name);
  const start = offset(clock, step.start);
  const stepEnd = offset(clock, step.end);
  let outcome: RowOutcome;
  let segOutcome: SegmentOutcome;
  if (step.error) [outcome, segOutcome] = ['failed', 'failure'];
  else if (step.finished || stepEnd !== undefined) [outcome, segOutcome] = ['success', 'success'];
  else if (clock.instanceFinal) [outcome, segOutcome] = ['cancelled', 'cancelled'];
  else [outcome, segOutcome] = ['sleeping', 'pending'];
  const open = outcome === 'sleeping';
  const end = stepEnd ?? (start !== undefined ? Math.max(start, clock.openEnd) : undefined);
  const segments: TimelineSegment[] = start !== undefined && end !== undefined ? [{ kind: 'sleep', start, end, open, outcome: segOutcome }] : [];
  return { index, name: step.name, base, occurrence: count, kind: 'sleep', start, end, open, outcome, segments, attempts: 0, failedAttempts: 0, error: step.error ?? undefined, durationMs: start !== undefined && end !== undefined ? end - start : undefined };
}

function receivedEvent(output: unknown): { type?: string; timestamp?: unknown } | undefined {
  if (!output || typeof output !== 'object') return undefined;
  const o = output as { type?: unknown; timestamp?: unknown };
  return { type: typeof o.type === 'string' ? o.type : undefined, timestamp: o.timestamp };
}

function buildWaitRow(step: WaitForEventStep, index: number, clock: Clock): TimelineRow {
  const { base, count } = splitName(step.name);
  const start = offset(clock, step.start);
  const stepEnd = offset(clock, step.end);
  const event = receivedEvent(step.output);
  let outcome: RowOutcome;
  let segOutcome: SegmentOutcome;
  if (step.error?.name === 'WorkflowTimeoutError') [outcome, segOutcome] = ['timedOut', 'timedOut'];
  else if (step.error) [outcome, segOutcome] = ['failed', 'failure'];
  else if (event) [outcome, segOutcome] = ['received', 'received'];
  else if (step.finished || stepEnd !== undefined) [outcome, segOutcome] = ['success', 'success'];
  else if (clock.instanceFinal) [outcome, segOutcome] = ['cancelled', 'cancelled'];
  else [outcome, segOutcome] = ['waiting', 'pending'];
  const open = outcome === 'waiting';
  const end = stepEnd ?? (start !== undefined ? Math.max(start, clock.openEnd) : undefined);
  const segments: TimelineSegment[] = start !== undefined && end !== undefined ? [{ kind: 'wait', start, end, open, outcome: segOutcome, error: step.error ?? undefined }] : [];
  return {
    index,
    name: step.name,
    base,
    occurrence: count,
    kind: 'waitForEvent',
    start,
    end,
    open,
    outcome,
    segments,
    attempts: 0,
    failedAttempts: 0,
    error: step.error ?? undefined,
    eventType: step.eventType ?? event?.type,
    receivedAt: event ? offset(clock, event.timestamp) : undefined,
    durationMs: start !== undefined && end !== undefined ? end - start : undefined,
  };
}

function buildUnknownRow(step: UnknownStep, index: number, clock: Clock): TimelineRow {
  const name = typeof step.name === 'string' ? step.name : `(${step.rawType})`;
  const { base, count } = splitName(name);
  const start = offset(clock, step.start);
  const stepEnd = offset(clock, step.end);
  const open = stepEnd === undefined && !clock.instanceFinal;
  const end = stepEnd ?? (start !== undefined ? Math.max(start, clock.openEnd) : undefined);
  const segments: TimelineSegment[] = start !== undefined && end !== undefined ? [{ kind: 'span', start, end, open, outcome: open ? 'running' : 'unknown' }] : [];
  return { index, name, base, occurrence: count, kind: 'unknown', rawType: step.rawType, start, end, open, outcome: open ? 'running' : 'unknown', segments, attempts: 0, failedAttempts: 0, durationMs: start !== undefined && end !== undefined ? end - start : undefined };
}

function buildRow(step: Step, index: number, clock: Clock): TimelineRow | undefined {
  switch (step.type) {
    case 'step':
    case 'rollback':
      return buildDoRow(step, index, clock);
    case 'sleep':
      return buildSleepRow(step, index, clock);
    case 'waitForEvent':
      return buildWaitRow(step, index, clock);
    case 'termination':
      return undefined;
    default:
      return buildUnknownRow(step as UnknownStep, index, clock);
  }
}

/** Sorted, merged intervals where some attempt (real work) was executing. */
function busyIntervals(rows: TimelineRow[]): [number, number][] {
  const spans: [number, number][] = [];
  for (const row of rows) for (const s of row.segments) if (s.kind === 'attempt' || s.kind === 'span') spans.push([s.start, s.end]);
  // Steps run one after another almost always, so the list is nearly sorted already.
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

function findGaps(busy: [number, number][], end: number, threshold: number): IdleGap[] {
  const gaps: IdleGap[] = [];
  let removed = 0;
  let cursor = 0;
  const consider = (s: number, e: number) => {
    if (e - s > threshold) {
      removed += e - s - threshold;
      gaps.push({ start: s, end: e, removedThrough: removed });
    }
  };
  for (const [s, e] of busy) {
    consider(cursor, s);
    cursor = Math.max(cursor, e);
  }
  consider(cursor, end);
  return gaps;
}

export function buildTimeline(details: InstanceDetails, options: TimelineOptions): Timeline {
  const origin = earliestTime(details);
  const instanceFinal = isFinal(details.status);
  const instanceEnd = parseTime(details.end);
  const base = origin ?? options.now;
  const clock: Clock = { origin: base, instanceFinal, openEnd: (instanceFinal && instanceEnd !== undefined ? instanceEnd : options.now) - base };

  const rows: TimelineRow[] = [];
  const byKind: Record<RowKind, number> = { step: 0, rollback: 0, sleep: 0, waitForEvent: 0, unknown: 0 };
  let attempts = 0;
  let failedAttempts = 0;
  let retries = 0;
  let sleepMs = 0;
  let waitMs = 0;
  let backoffMs = 0;
  let end = 0;
  let live = false;
  let termination: Extract<Step, { type: 'termination' }> | undefined;
  for (let i = 0; i < details.steps.length; i++) {
    const step = details.steps[i];
    if (step.type === 'termination') termination = step;
    const row = buildRow(step, i, clock);
    if (!row) continue;
    rows.push(row);
    byKind[row.kind]++;
    attempts += row.attempts;
    failedAttempts += row.failedAttempts;
    retries += Math.max(0, row.attempts - 1);
    if (row.open) live = true;
    for (const s of row.segments) {
      if (s.end > end) end = s.end;
      if (s.expectedEnd !== undefined && s.expectedEnd > end) end = s.expectedEnd;
      if (s.kind === 'sleep') sleepMs += s.end - s.start;
      else if (s.kind === 'wait') waitMs += s.end - s.start;
      else if (s.kind === 'backoff') backoffMs += s.end - s.start;
    }
  }

  const markers: TimelineMarker[] = [];
  const queuedAt = offset(clock, details.queued);
  const startAt = offset(clock, details.start);
  const endAt = instanceEnd !== undefined ? instanceEnd - base : undefined;
  if (queuedAt !== undefined) markers.push({ kind: 'queued', at: queuedAt, label: 'Queued' });
  if (startAt !== undefined && startAt !== queuedAt) markers.push({ kind: 'start', at: startAt, label: 'Started' });
  if (endAt !== undefined) {
    end = Math.max(end, endAt);
    markers.push({ kind: 'end', at: endAt, label: endLabel(details.status) });
  }
  if (termination || details.status === 'terminated') {
    const source = termination?.trigger?.source;
    markers.push({ kind: 'termination', at: endAt ?? clock.openEnd, label: source ? `Terminated (${source})` : 'Terminated' });
  }
  if (details.rollback) {
    const outcome = details.rollback.outcome ? ` ${details.rollback.outcome}` : '';
    markers.push({ kind: 'rollback', at: endAt ?? clock.openEnd, label: `Rollback${outcome}` });
  }
  if (!instanceFinal) {
    live = true;
    end = Math.max(end, clock.openEnd);
    markers.push({ kind: 'now', at: clock.openEnd, label: 'Now' });
  }

  const busy = busyIntervals(rows);
  const busyMs = busy.reduce((sum, [s, e]) => sum + (e - s), 0);
  const gapKeepMs = options.idleThresholdMs ?? defaultIdleThreshold(busyMs);
  const gaps = options.hideIdle ? findGaps(busy, end, gapKeepMs) : [];
  const displayEnd = end - (gaps.length ? gaps[gaps.length - 1].removedThrough : 0);

  return {
    origin,
    end,
    displayEnd,
    gapKeepMs,
    gaps,
    rows,
    markers,
    live,
    totals: { steps: rows.length, byKind, attempts, failedAttempts, retries, spanMs: end, busyMs, idleMs: Math.max(0, end - busyMs), sleepMs, waitMs, backoffMs },
  };
}

function endLabel(status: InstanceDetails['status']): string {
  switch (status) {
    case 'complete':
      return 'Completed';
    case 'errored':
      return 'Errored';
    case 'terminated':
      return 'Ended';
    default:
      return 'Ended';
  }
}

/** Index of the last gap starting at or before `t` (on the given scale), or -1. */
function gapBefore(gaps: IdleGap[], t: number, display: boolean, keep: number): number {
  let lo = 0;
  let hi = gaps.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const g = gaps[mid];
    const removedBefore = g.removedThrough - (g.end - g.start - keep);
    const gapStart = display ? g.start - removedBefore : g.start;
    if (gapStart <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Real offset → position on the (possibly compressed) axis. */
export function toDisplay(timeline: Pick<Timeline, 'gaps' | 'gapKeepMs'>, t: number): number {
  const { gaps, gapKeepMs: keep } = timeline;
  const i = gapBefore(gaps, t, false, keep);
  if (i < 0) return t;
  const g = gaps[i];
  const len = g.end - g.start;
  const removedBefore = g.removedThrough - (len - keep);
  if (t >= g.end) return t - g.removedThrough;
  return g.start - removedBefore + ((t - g.start) * keep) / len;
}

/** Position on the axis → real offset (inverse of `toDisplay`). */
export function fromDisplay(timeline: Pick<Timeline, 'gaps' | 'gapKeepMs'>, d: number): number {
  const { gaps, gapKeepMs: keep } = timeline;
  const i = gapBefore(gaps, d, true, keep);
  if (i < 0) return d;
  const g = gaps[i];
  const len = g.end - g.start;
  const removedBefore = g.removedThrough - (len - keep);
  const displayStart = g.start - removedBefore;
  if (d >= displayStart + keep) return d + g.removedThrough;
  return g.start + ((d - displayStart) * len) / keep;
}

/** The row for a step name, e.g. to keep a selection across refreshes. */
export function findRow(timeline: Timeline, name: string): TimelineRow | undefined {
  return timeline.rows.find((r) => r.name === name);
}
