// What an unfinished instance is doing right now, read from its step log. The API only says
// "running" (locally even while blocked in waitForEvent), so the UI derives the finer state here.
import type { DoStep, InstanceDetails, RetryConfig, SleepStep, Step, StepError, WaitForEventStep } from './types';
import { isFinal } from './status';
import { formatDuration } from './format';

export type DerivedState =
  | {
      kind: 'retrying';
      step: string;
      /** 1-based number of the attempt that is running or comes next. */
      attempt: number;
      /** Retries allowed by the step's config (attempts = limit + 1), when known. */
      limit?: number;
      /** Epoch ms of the next attempt, when the last one failed and the delay is known. */
      nextAttemptAt?: number;
      lastError?: StepError;
    }
  | { kind: 'running'; step: string; since?: number; elapsedMs?: number }
  | { kind: 'sleeping'; step: string; since?: number; elapsedMs?: number }
  | { kind: 'waitingForEvent'; step: string; eventType?: string; since?: number; elapsedMs?: number }
  | { kind: 'none' };

/** Milliseconds per unit, as the engine's duration parser (itty-time) reads them. */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  month: 2_592_000_000,
  year: 31_557_600_000,
};

/**
 * Parses a Workflows duration: a number of ms, a numeric string, or "<n> <unit>" such as
 * "500 millis", "1 second", "10 minutes". Returns undefined for "[dynamic]" and anything unreadable.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(text);
  if (!m) return undefined;
  const unit = m[2];
  const perUnit = UNIT_MS[unit] ?? (unit.endsWith('s') ? UNIT_MS[unit.slice(0, -1)] : undefined);
  return perUnit === undefined ? undefined : Number(m[1]) * perUnit;
}

/** Delay before the attempt that follows `failedAttempts` failures, the way the engine computes it. */
export function retryDelayMs(retries: RetryConfig | undefined, failedAttempts: number): number | undefined {
  const base = parseDuration(retries?.delay);
  if (base === undefined || failedAttempts < 1) return undefined;
  switch (retries?.backoff) {
    case 'exponential':
      return base * Math.pow(2, failedAttempts - 1);
    case 'linear':
      return base * failedAttempts;
    default:
      return base;
  }
}

/** Epoch ms of an ISO timestamp, or undefined when absent or unreadable. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

function isOpen(step: Step): boolean {
  switch (step.type) {
    case 'step':
    case 'rollback':
      return !step.end && step.success !== true && step.success !== false;
    case 'sleep':
    case 'waitForEvent':
      return !step.end && !step.finished && !step.error;
    default:
      return false;
  }
}

/** The step the instance is currently in: the last one without an end. */
function currentStep(details: InstanceDetails): DoStep | SleepStep | WaitForEventStep | undefined {
  for (let i = details.steps.length - 1; i >= 0; i--) {
    const step = details.steps[i];
    if (step.type === 'termination' || step.type === 'unknown') continue;
    return isOpen(step) ? step : undefined;
  }
  return undefined;
}

/** The event type a wait is for, if the step says so (production: `event_type`; locally only once received). */
function waitEventType(step: WaitForEventStep): string | undefined {
  if (step.eventType) return step.eventType;
  const out = step.output;
  if (out && typeof out === 'object' && typeof (out as { type?: unknown }).type === 'string') return (out as { type: string }).type;
  return undefined;
}

/** The event type an instance is blocked on, when knowable from its current waitForEvent step. */
export function pendingEventType(details: InstanceDetails): string | undefined {
  if (isFinal(details.status)) return undefined;
  const step = currentStep(details);
  return step?.type === 'waitForEvent' ? waitEventType(step) : undefined;
}

export function deriveState(details: InstanceDetails, now: number): DerivedState {
  if (isFinal(details.status) || details.status === 'queued') return { kind: 'none' };
  const step = currentStep(details);
  if (!step) return { kind: 'none' };
  const since = parseTime(step.start);
  const elapsedMs = since !== undefined ? Math.max(0, now - since) : undefined;
  if (step.type === 'sleep') return { kind: 'sleeping', step: step.name, since, elapsedMs };
  if (step.type === 'waitForEvent') return { kind: 'waitingForEvent', step: step.name, eventType: waitEventType(step), since, elapsedMs };

  const attempts = step.attempts ?? [];
  const last = attempts[attempts.length - 1];
  const failed = attempts.filter((a) => a.success === false || (a.end && a.error)).length;
  if (failed === 0) return { kind: 'running', step: step.name, since, elapsedMs };
  const limit = step.config?.retries?.limit;
  const lastRunning = last !== undefined && !last.end && last.success == null;
  if (lastRunning) return { kind: 'retrying', step: step.name, attempt: attempts.length, limit, lastError: lastFailure(attempts) };
  const lastEnd = parseTime(last?.end);
  const delay = retryDelayMs(step.config?.retries, failed);
  const nextAttemptAt = lastEnd !== undefined && delay !== undefined ? lastEnd + delay : undefined;
  return { kind: 'retrying', step: step.name, attempt: attempts.length + 1, limit, nextAttemptAt, lastError: lastFailure(attempts) };
}

function lastFailure(attempts: DoStep['attempts']): StepError | undefined {
  for (let i = attempts.length - 1; i >= 0; i--) {
    const e = attempts[i].error;
    if (e) return e;
  }
  return undefined;
}

/** One line for the status badge, e.g. "Retrying · attempt 3 of 4 · next in 2.00 s". */
export function describeDerivedState(state: DerivedState, now: number): string | undefined {
  switch (state.kind) {
    case 'retrying': {
      const of = state.limit !== undefined ? ` of ${state.limit + 1}` : '';
      const next = state.nextAttemptAt !== undefined && state.nextAttemptAt > now ? ` · next in ${formatDuration(state.nextAttemptAt - now)}` : '';
      return `Retrying · attempt ${state.attempt}${of}${next}`;
    }
    case 'running':
      return undefined;
    case 'sleeping':
      return state.elapsedMs !== undefined ? `Sleeping · ${formatDuration(state.elapsedMs)}` : 'Sleeping';
    case 'waitingForEvent':
      return state.eventType !== undefined ? `Waiting for event "${state.eventType}"` : 'Waiting for an event';
    default:
      return undefined;
  }
}
