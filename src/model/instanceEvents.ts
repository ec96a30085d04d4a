// An instance's event stream folded into the InstanceDetails every surface already shows, so a panel
// (or a watch) can follow a running instance from its events alone, with no detail requests.
//
// The events are Cloudflare's `WorkflowInstanceEvent` (every event: instanceId, eventId increasing,
// timestamp in ms; then one of workflow_*, step_*, attempt_*, sleep_*, wait_*, rollback_*), from
// https://developers.cloudflare.com/workflows/build/subscribe-to-instance-events/#event-fields
// (cloudflare-docs src/content/docs/workflows/build/subscribe-to-instance-events.mdx). The
// subscription replays every retained event first, then live ones, and ends after workflow_completed,
// workflow_errored or workflow_terminated; a `cursor` resumes after the event with that eventId.
// Checked against the local engine's own implementation (miniflare 5.20261117, workflows-shared
// `subscription.ts`, `buildWorkflowSubscriptionEvent` and `Engine.nextWorkflowEvent`): step names carry
// the engine's `-N` suffix, exactly like the detail endpoint's `steps[].name`.
import type { DoStep, InstanceDetails, InstanceStatus, SleepStep, Step, StepConfig, StepError, WaitForEventStep } from './types';

/** One event, already checked field by field (api/events.ts). Unknown types are kept and ignored here. */
export interface InstanceEvent {
  eventId: number;
  /** ms since the epoch. */
  timestamp: number;
  type: string;
  stepName?: string;
  attempt?: number;
  error?: StepError;
  output?: unknown;
  params?: unknown;
  config?: StepConfig;
  durationMs?: number;
  eventType?: string;
  retryDelayMs?: number;
  /** Length of the message it came in (set by the parser): what holding its payload costs, roughly. */
  size?: number;
}

/** The events after which the subscription ends (the docs, "Subscribe to all events"). */
export const TERMINAL_EVENT_TYPES: readonly string[] = ['workflow_completed', 'workflow_errored', 'workflow_terminated'];

export function isTerminalEvent(e: Pick<InstanceEvent, 'type'>): boolean {
  return TERMINAL_EVENT_TYPES.includes(e.type);
}

const STATUS_OF: Record<string, InstanceStatus> = {
  workflow_queued: 'queued',
  workflow_started: 'running',
  workflow_running: 'running',
  workflow_paused: 'paused',
  workflow_waiting_for_pause: 'waitingForPause',
  workflow_waiting: 'waiting',
  workflow_completed: 'complete',
  workflow_errored: 'errored',
  workflow_terminated: 'terminated',
  rollback_started: 'rollingBack',
};

/**
 * What one fold may hold, whatever the server sends: steps (a detail response of this many is tens of
 * MiB already), attempts per step (an `attempt` of 1e9 must not allocate a billion rows) and payload
 * characters (outputs, errors, params; past the budget an output reads as Cloudflare's own truncation
 * marker, so the view offers to load it in full, and an error keeps its first characters).
 */
// `attempts` bounds the whole instance: 20,000 steps × 1,000 attempts each would still be 20 million rows.
export const FOLD_LIMITS = Object.freeze({ steps: 20_000, attemptsPerStep: 1_000, attempts: 50_000, payloadChars: 64 * 1024 * 1024, errorCharsOverBudget: 1_000 });
/** Cloudflare's marker for an output its logs cut (model/replayTest.ts reads it the same way). */
export const TRUNCATED_OUTPUT = '[...output truncated]';

function iso(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** What the fold starts from: the instance's identity and what only a detail call knows (version, trigger). */
export interface FoldSeed {
  id: string;
  workflow: string;
  versionId?: string;
  trigger?: { source?: string };
}

/**
 * Folds events into details. Events at or before the cursor are skipped, so a reconnect that replays
 * a little (or a server that ignores the cursor) never doubles a step or an attempt.
 */
export class InstanceEventFold {
  /** The last eventId applied: what a reconnect passes as `cursor`. */
  cursor: number | undefined;
  /** A terminal event was applied: the stream has nothing more to say. */
  ended = false;
  /** Events applied so far. */
  applied = 0;
  /** Payload characters held so far (FOLD_LIMITS.payloadChars). */
  private held = 0;
  /** Attempt rows held so far, filler rows included (FOLD_LIMITS.attempts). */
  private attempts = 0;
  private readonly d: InstanceDetails;
  /** Open do/rollback steps, sleeps and waits by name (names are unique thanks to the `-N` suffix). */
  private readonly byName = new Map<string, DoStep | SleepStep | WaitForEventStep>();

  constructor(seed: FoldSeed) {
    this.d = { id: seed.id, workflow: seed.workflow, status: 'queued', stepCount: 0, steps: [] };
    if (seed.versionId !== undefined) this.d.versionId = seed.versionId;
    if (seed.trigger !== undefined) this.d.trigger = seed.trigger;
  }

  /** Applies one event; false when it was skipped (already seen, or a type this version ignores). */
  apply(e: InstanceEvent): boolean {
    if (this.cursor !== undefined && e.eventId <= this.cursor) return false;
    this.cursor = e.eventId;
    this.applied++;
    const at = iso(e.timestamp);
    const d = this.d;
    const status = STATUS_OF[e.type];
    if (status !== undefined) d.status = status;
    switch (e.type) {
      case 'workflow_queued':
        d.queued ??= at;
        return true;
      case 'workflow_started':
        d.start ??= at;
        if (e.params !== undefined) d.params = this.afford(e) ? e.params : TRUNCATED_OUTPUT;
        return true;
      case 'workflow_running':
      case 'workflow_paused':
      case 'workflow_waiting_for_pause':
      case 'workflow_waiting':
        return true;
      case 'workflow_completed':
        d.end = at;
        d.success = true;
        d.output = this.afford(e) ? e.output : TRUNCATED_OUTPUT;
        d.error = null;
        this.ended = true;
        return true;
      case 'workflow_errored':
        d.end = at;
        d.success = false;
        d.error = this.error(e);
        this.ended = true;
        return true;
      case 'workflow_terminated':
        d.end = at;
        this.ended = true;
        return true;
      case 'step_started':
      case 'rollback_step_started': {
        const step: DoStep = { type: e.type === 'step_started' ? 'step' : 'rollback', name: e.stepName ?? '', start: at, end: null, success: null, attempts: [] };
        if (e.config !== undefined) step.config = e.config;
        return this.add(step);
      }
      case 'attempt_started':
      case 'rollback_attempt_started': {
        const step = this.doStep(e.stepName);
        if (!step || step.attempts.length >= FOLD_LIMITS.attemptsPerStep || this.attempts >= FOLD_LIMITS.attempts) return false;
        step.attempts.push({ start: at, end: null, success: null, error: null });
        this.attempts++;
        return true;
      }
      case 'attempt_completed':
      case 'attempt_errored':
      case 'rollback_attempt_completed':
      case 'rollback_attempt_errored': {
        const step = this.doStep(e.stepName);
        // `attempt` is 1-based; an attempt whose start was not seen (filtered stream) is added here.
        if (!step) return false;
        const n = e.attempt !== undefined && e.attempt >= 1 ? Math.floor(e.attempt) : step.attempts.length;
        if (n > FOLD_LIMITS.attemptsPerStep || this.attempts + Math.max(0, n - step.attempts.length) > FOLD_LIMITS.attempts) return false;
        while (step.attempts.length < n) {
          step.attempts.push({ start: null, end: null, success: null, error: null });
          this.attempts++;
        }
        const a = step.attempts[Math.max(0, n - 1)] ?? step.attempts[step.attempts.length - 1];
        if (!a) return false;
        a.end = at;
        const ok = e.type.endsWith('_completed');
        a.success = ok;
        a.error = ok ? null : this.error(e);
        return true;
      }
      case 'step_completed':
      case 'rollback_step_completed': {
        const step = this.doStep(e.stepName);
        if (!step) return false;
        step.end = at;
        step.success = true;
        if (e.output !== undefined) step.output = this.afford(e) ? e.output : TRUNCATED_OUTPUT;
        return true;
      }
      case 'step_errored':
      case 'rollback_step_errored': {
        const step = this.doStep(e.stepName);
        if (!step) return false;
        step.end = at;
        step.success = false;
        return true;
      }
      case 'sleep_started':
        return this.add({ type: 'sleep', name: e.stepName ?? '', start: at, end: null, finished: false, error: null });
      case 'sleep_completed': {
        const step = this.byName.get(e.stepName ?? '');
        if (step?.type !== 'sleep') return false;
        step.end = at;
        step.finished = true;
        return true;
      }
      case 'wait_started': {
        const step: WaitForEventStep = { type: 'waitForEvent', name: e.stepName ?? '', start: at, end: null, finished: false, error: null };
        if (e.eventType !== undefined) step.eventType = e.eventType;
        return this.add(step);
      }
      case 'wait_completed':
      case 'wait_timed_out': {
        const step = this.byName.get(e.stepName ?? '');
        if (step?.type !== 'waitForEvent') return false;
        step.end = at;
        step.finished = true;
        // GUESS: the event carries no payload and no error text; the detail endpoint's wording for a
        // timed-out wait is not reproduced, only that it timed out.
        if (e.type === 'wait_timed_out') step.error = { name: 'TimeoutError', message: 'The wait for the event timed out.' };
        return true;
      }
      case 'rollback_started':
        return true;
      case 'rollback_completed':
        d.rollback = { outcome: 'complete', error: null };
        return true;
      case 'rollback_errored':
        d.rollback = { outcome: 'failed', error: null };
        return true;
      default:
        return false;
    }
  }

  /** Whether the event's payload still fits the budget; if so, it is counted. */
  private afford(e: InstanceEvent): boolean {
    const cost = e.size ?? 0;
    if (this.held + cost > FOLD_LIMITS.payloadChars) return false;
    this.held += cost;
    return true;
  }

  private error(e: InstanceEvent): StepError | null {
    if (!e.error) return null;
    if (this.afford(e)) return e.error;
    return { name: e.error.name.slice(0, 200), message: e.error.message.slice(0, FOLD_LIMITS.errorCharsOverBudget) };
  }

  private add(step: DoStep | SleepStep | WaitForEventStep): boolean {
    // A replayed start (same name) replaces nothing: the first one stands.
    if (this.byName.has(step.name) || this.d.steps.length >= FOLD_LIMITS.steps) return false;
    this.byName.set(step.name, step);
    this.d.steps.push(step);
    this.d.stepCount = this.d.steps.length;
    return true;
  }

  private doStep(name: string | undefined): DoStep | undefined {
    const step = this.byName.get(name ?? '');
    return step?.type === 'step' || step?.type === 'rollback' ? step : undefined;
  }

  /** A copy of the details so far, safe to hand on while more events arrive. */
  details(): InstanceDetails {
    const steps: Step[] = this.d.steps.map((s) => (s.type === 'step' || s.type === 'rollback' ? { ...s, attempts: s.attempts.map((a) => ({ ...a })) } : { ...s }));
    return { ...this.d, steps };
  }
}

/** The kinds of step the fold builds (a detail response can also hold terminations and unknown kinds). */
function foldable(s: Step): s is DoStep | SleepStep | WaitForEventStep {
  return s.type === 'step' || s.type === 'rollback' || s.type === 'sleep' || s.type === 'waitForEvent';
}

/**
 * The fold's details shown on top of what a detail request said (`base`). Undefined while the fold has
 * not caught up with it (the replay of history is shorter than the fetched steps: showing it would step
 * back). A step that had finished in `base` keeps that version, which carries what events do not (a
 * received event's payload, the wording of a timeout); fields the events did not set keep base's value.
 */
export function mergeFolded(base: InstanceDetails, folded: InstanceDetails, ended: boolean): InstanceDetails | undefined {
  const known = base.steps.filter(foldable);
  if (!ended && folded.steps.length < known.length) return undefined;
  const steps = folded.steps.map((s, i) => {
    const b = known[i];
    return b && b.type === s.type && b.name === s.name && b.end ? b : s;
  });
  return { ...base, ...folded, steps, stepCount: Math.max(folded.stepCount, steps.length) };
}
