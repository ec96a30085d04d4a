// Test-data builders for InstanceDetails: steps are appended on a virtual clock, so each test says
// what happened ("3 attempts, the first two failed, 50 ms backoff") instead of spelling out timestamps.
import type { DoStep, InstanceDetails, InstanceStatus, RetryConfig, SleepStep, Step, StepAttempt, StepError, UnknownStep, WaitForEventStep } from '../../../src/model/types';

export const T0 = Date.parse('2026-11-29T10:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

export interface AttemptSpec {
  /** How long the attempt ran; omit to leave it running. */
  ms?: number;
  /** Error message: the attempt failed. */
  fail?: string;
  /** Idle time before this attempt starts (the backoff). */
  after?: number;
}

export interface DoSpec {
  attempts?: AttemptSpec[];
  retries?: RetryConfig;
  timeout?: string | number;
  output?: unknown;
  /** Leave the step without an end even when all attempts ended (waiting for a retry). */
  open?: boolean;
  /** The step gave up: success false. */
  failed?: boolean;
}

export class InstanceBuilder {
  private readonly steps: Step[] = [];
  private readonly counts = new Map<string, number>();
  /** Virtual clock, epoch ms. */
  now: number;
  private readonly details: Partial<InstanceDetails>;

  constructor(opts: { workflow?: string; id?: string; start?: number; params?: unknown; queuedFor?: number } = {}) {
    const start = opts.start ?? T0;
    this.now = start + (opts.queuedFor ?? 0);
    this.details = { id: opts.id ?? 'inst-1', workflow: opts.workflow ?? 'order-pipeline', params: opts.params ?? {}, queued: iso(start), start: iso(this.now) };
  }

  /** Engine-style name with its occurrence suffix: "load-1", "load-2", … */
  private name(base: string): string {
    const n = (this.counts.get(base) ?? 0) + 1;
    this.counts.set(base, n);
    return `${base}-${n}`;
  }

  idle(ms: number): this {
    this.now += ms;
    return this;
  }

  do(base: string, spec: DoSpec = {}): this {
    const specs = spec.attempts ?? [{ ms: 5 }];
    const start = this.now + (specs[0]?.after ?? 0);
    const attempts: StepAttempt[] = [];
    let running = false;
    for (const a of specs) {
      this.now += a.after ?? 0;
      const aStart = this.now;
      if (a.ms === undefined) {
        attempts.push({ start: iso(aStart), end: null, success: null, error: null });
        running = true;
        break;
      }
      this.now += a.ms;
      const error: StepError | null = a.fail !== undefined ? { name: 'Error', message: a.fail } : null;
      attempts.push({ start: iso(aStart), end: iso(this.now), success: a.fail === undefined, error });
    }
    const lastOk = attempts[attempts.length - 1]?.success === true;
    const closed = !running && !spec.open && (lastOk || spec.failed === true);
    const step: DoStep = {
      type: 'step',
      name: this.name(base),
      start: iso(start),
      end: closed ? iso(this.now) : null,
      success: closed ? lastOk : null,
      output: closed && lastOk ? (spec.output ?? null) : undefined,
      attempts,
      config: { retries: spec.retries ?? { limit: 5, delay: 1000, backoff: 'exponential' }, timeout: spec.timeout ?? '10 minutes' },
    };
    this.steps.push(step);
    this.now += 2;
    return this;
  }

  /** `ms` undefined: still sleeping. */
  sleep(base: string, ms?: number): this {
    const start = this.now;
    if (ms !== undefined) this.now += ms;
    const step: SleepStep = { type: 'sleep', name: this.name(base), start: iso(start), end: ms !== undefined ? iso(this.now) : null, finished: ms !== undefined, error: null };
    this.steps.push(step);
    if (ms !== undefined) this.now += 2;
    return this;
  }

  /** `received` or `timeout` ends the wait after `ms`; neither leaves it waiting. */
  waitForEvent(base: string, spec: { ms?: number; received?: { type: string; payload?: unknown }; timeout?: boolean; eventType?: string } = {}): this {
    const start = this.now;
    const ends = spec.received !== undefined || spec.timeout === true;
    if (ends) this.now += spec.ms ?? 100;
    const step: WaitForEventStep = {
      type: 'waitForEvent',
      name: this.name(base),
      start: iso(start),
      end: ends ? iso(this.now) : null,
      finished: ends,
      error: spec.timeout ? { name: 'WorkflowTimeoutError', message: '' } : null,
      output: spec.received ? { type: spec.received.type, payload: spec.received.payload ?? {}, timestamp: iso(this.now) } : null,
      eventType: spec.eventType,
    };
    this.steps.push(step);
    if (ends) this.now += 2;
    return this;
  }

  unknown(rawType: string, base: string, ms = 10): this {
    const start = this.now;
    this.now += ms;
    const step: UnknownStep = { type: 'unknown', rawType, name: this.name(base), start: iso(start), end: iso(this.now), raw: { type: rawType } };
    this.steps.push(step);
    return this;
  }

  terminated(source = 'api'): this {
    this.steps.push({ type: 'termination', trigger: { source } });
    return this;
  }

  /** Finishes the instance; statuses without an end (running, paused…) leave `end` null. */
  build(status: InstanceStatus = 'complete', extra: Partial<InstanceDetails> = {}): InstanceDetails {
    const final = status === 'complete' || status === 'errored' || status === 'terminated';
    return {
      ...(this.details as InstanceDetails),
      status,
      end: final ? iso(this.now) : null,
      success: status === 'complete' ? true : status === 'errored' ? false : null,
      output: status === 'complete' ? { ok: true } : null,
      error: null,
      stepCount: this.steps.length,
      steps: [...this.steps],
      ...extra,
    };
  }
}

/** An instance with `n` quick successful steps, like the bulk-import fixture. */
export function bulkInstance(n: number, status: InstanceStatus = 'complete'): InstanceDetails {
  const b = new InstanceBuilder({ workflow: 'bulk-import', id: `bulk-${n}` });
  for (let i = 0; i < n; i++) b.do(`import row ${i}`, { attempts: [{ ms: 3 }], output: i });
  return b.build(status, { params: { count: n }, output: { rows: n } });
}
