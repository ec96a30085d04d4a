// Following one instance by its event stream: folds the events into details, reconnects with the
// cursor (the last eventId) when the stream closes early, and says "unavailable" when the stream
// cannot be had, so the caller polls instead. Used by the instance view and Watch on cloud connections.
import { InstanceEventFold, type FoldSeed } from '../model/instanceEvents';
import type { InstanceDetails } from '../model/types';
import type { WorkflowsBackend } from './backend';
import { WorkflowsApiError } from './errors';
import { STREAM_UNAVAILABLE } from './eventStream';
import { backoffDelay } from './transport';

export interface FollowHandlers {
  /** New details after a batch of events (at most one call per `batchMs`). */
  onDetails(details: InstanceDetails, fold: InstanceEventFold): void;
  /** The instance ended (terminal event seen); nothing more will come. */
  onEnd(details: InstanceDetails): void;
  /** The stream cannot be had (or could not be kept): poll instead. Called at most once. */
  onUnavailable(reason: Error): void;
  /** A reconnect is coming (for the log). */
  onReconnect?(attempt: number, delayMs: number, reason: string): void;
}

export interface FollowScheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface FollowOptions {
  seed: FoldSeed;
  /** Shared memory of backends whose stream failed: consulted before connecting, told after a failure. */
  availability: StreamAvailability;
  /** Reconnects in a row (each after a failure) before giving up. Default 5. */
  maxReconnects?: number;
  /** First reconnect wait; doubles, with jitter, up to maxDelayMs. Default 1 s and 30 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Events are applied at once but reported at most this often. Default 50 ms. */
  batchMs?: number;
  scheduler?: FollowScheduler;
  now?: () => number;
}

export interface Follower {
  readonly fold: InstanceEventFold;
  stop(): void;
}

const realScheduler: FollowScheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * A backend whose stream could not be opened is not asked again for this long, so ten open panels on
 * an account without the endpoint cost one failed attempt, not ten, and each poll instead.
 */
export const UNAVAILABLE_FOR_MS = 5 * 60_000;

/**
 * Which backends recently failed to stream. Owned by whoever owns the backends (the connection
 * registry), so the memory lives and dies with them; keyed weakly, so a dropped backend (a new token)
 * is asked afresh.
 */
export class StreamAvailability {
  private readonly unavailableUntil = new WeakMap<WorkflowsBackend, number>();

  constructor(private readonly forMs = UNAVAILABLE_FOR_MS) {}

  /** The backend can stream (cloud) and has not recently failed to. */
  canFollow(backend: WorkflowsBackend, now = Date.now()): boolean {
    return typeof backend.subscribeInstance === 'function' && (this.unavailableUntil.get(backend) ?? 0) <= now;
  }

  markUnavailable(backend: WorkflowsBackend, now = Date.now()): void {
    this.unavailableUntil.set(backend, now + this.forMs);
  }
}

export function followInstance(backend: WorkflowsBackend, workflow: string, id: string, handlers: FollowHandlers, opts: FollowOptions): Follower {
  const fold = new InstanceEventFold(opts.seed);
  const scheduler = opts.scheduler ?? realScheduler;
  const now = opts.now ?? Date.now;
  const policy = { maxRetries: opts.maxReconnects ?? 5, baseDelayMs: opts.baseDelayMs ?? 1000, maxDelayMs: opts.maxDelayMs ?? 30_000 };
  const batchMs = opts.batchMs ?? 50;
  let stopped = false;
  let controller: AbortController | undefined;
  let flushTimer: unknown;
  let waitTimer: unknown;
  let dirty = false;
  let everOpened = false;

  const flush = () => {
    if (flushTimer !== undefined) scheduler.clearTimeout(flushTimer);
    flushTimer = undefined;
    if (!dirty || stopped) return;
    dirty = false;
    handlers.onDetails(fold.details(), fold);
  };
  const giveUp = (reason: Error, remember = true) => {
    if (stopped) return;
    flush();
    stopped = true;
    if (remember && !everOpened) opts.availability.markUnavailable(backend, now());
    handlers.onUnavailable(reason);
  };

  async function run(failures: number): Promise<void> {
    if (stopped) return;
    if (!opts.availability.canFollow(backend, now())) return giveUp(new WorkflowsApiError('unsupported', 'The event stream is not available for this connection right now.', { code: STREAM_UNAVAILABLE }), false);
    controller = new AbortController();
    let opened = false;
    let reason: string;
    // A stream that says "ended" while no final event was applied (a terminal event at or below the
    // cursor, or a lie) is not an end: it reconnects, and counts as a failure even though it opened.
    let falseEnd = false;
    try {
      const end = await (backend.subscribeInstance as NonNullable<WorkflowsBackend['subscribeInstance']>)(workflow, id, {
        cursor: fold.cursor,
        signal: controller.signal,
        onOpen: () => {
          opened = true;
          everOpened = true;
        },
        onEvent: (e) => {
          if (stopped || !fold.apply(e)) return;
          dirty = true;
          flushTimer ??= scheduler.setTimeout(flush, batchMs);
        },
      });
      if (stopped) return;
      flush();
      if (fold.ended) {
        stopped = true;
        handlers.onEnd(fold.details());
        return;
      }
      falseEnd = end === 'ended';
      reason = falseEnd ? 'the stream said the instance ended, but sent no final event' : 'the stream closed before the instance ended';
    } catch (e) {
      if (stopped) return;
      const err = e instanceof Error ? e : new Error(String(e));
      // Never opened at all, or a stream that sent something unreadable: poll instead.
      if (!everOpened || (e instanceof WorkflowsApiError && (e.kind === 'malformedResponse' || e.kind === 'tooLarge' || e.kind === 'auth' || e.kind === 'permission' || e.kind === 'notFound'))) return giveUp(err);
      reason = err.message;
    }
    // It had opened before: reconnect from the cursor. An attempt that opened resets the count.
    const next = opened && !falseEnd ? 1 : failures + 1;
    if (next > policy.maxRetries) return giveUp(new Error(`The event stream kept failing (${reason}).`));
    const delay = backoffDelay(next, policy);
    handlers.onReconnect?.(next, delay, reason);
    await new Promise<void>((resolve) => {
      waitTimer = scheduler.setTimeout(() => {
        waitTimer = undefined;
        resolve();
      }, delay);
    });
    return run(next);
  }

  void run(0).catch((e: unknown) => giveUp(e instanceof Error ? e : new Error(String(e))));
  return {
    fold,
    stop() {
      stopped = true;
      if (flushTimer !== undefined) scheduler.clearTimeout(flushTimer);
      if (waitTimer !== undefined) scheduler.clearTimeout(waitTimer);
      controller?.abort();
    },
  };
}
