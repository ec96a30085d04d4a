// Cloudflare allows 1,200 API requests per 5 minutes per token, counted together with the dashboard,
// and blocks the token for the next five minutes when it is exceeded. A polling tree can get there, so
// the cloud backend counts its own requests in a sliding window and stops short of the limit: reads
// (polling) give up first, keeping a reserve for the user's own actions.
import { WorkflowsApiError } from './errors';

export interface RateBudgetOptions {
  /** Requests allowed per window. Default 1,200. */
  limit: number;
  /** Default 5 minutes. */
  windowMs: number;
  /** Kept free of our own traffic for the dashboard and wrangler. Default 20. */
  headroom: number;
  /** Slots only writes may use, so a busy poll never blocks "Terminate". Default 80. */
  writeReserve: number;
  /** How long a read may wait for a slot before failing fast. Default 2 s. */
  maxWaitMs: number;
  /** Name used in messages. */
  service: string;
  now: () => number;
}

export type BudgetUse = 'read' | 'write';

export function formatRetryAt(at: Date): string {
  // Round up to the minute so that retrying at the shown time actually works.
  const d = new Date(Math.ceil(at.getTime() / 60_000) * 60_000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function rateLimitedError(service: string, retryAt: Date, extra: { status?: number; cfRay?: string; request?: string; errors?: { code: number; message: string }[] } = {}): WorkflowsApiError {
  return new WorkflowsApiError('rateLimited', `Rate limited by ${service}; retry at ${formatRetryAt(retryAt)}`, { ...extra, retryAt });
}

export class RateBudget {
  readonly options: RateBudgetOptions;
  /** Send times inside the window, oldest first. */
  #stamps: number[] = [];
  #blockedUntil = 0;

  constructor(options: Partial<RateBudgetOptions> = {}) {
    this.options = {
      limit: 1200,
      windowMs: 5 * 60_000,
      headroom: 20,
      writeReserve: 80,
      maxWaitMs: 2000,
      service: 'Cloudflare',
      now: Date.now,
      ...options,
    };
  }

  #prune(now: number): void {
    const cutoff = now - this.options.windowMs;
    let i = 0;
    while (i < this.#stamps.length && this.#stamps[i] <= cutoff) i++;
    if (i > 0) this.#stamps.splice(0, i);
  }

  #cap(use: BudgetUse): number {
    const { limit, headroom, writeReserve } = this.options;
    return Math.max(1, limit - headroom - (use === 'read' ? writeReserve : 0));
  }

  /** When a slot for `use` frees up, or now if one is free. */
  #nextFree(use: BudgetUse, now: number): number {
    this.#prune(now);
    let at = now;
    const over = this.#stamps.length - this.#cap(use);
    if (over >= 0) at = this.#stamps[over] + this.options.windowMs;
    return Math.max(at, this.#blockedUntil);
  }

  /** Takes a slot now if there is one (no waiting); used before automatic retries. */
  tryTake(use: BudgetUse): boolean {
    const now = this.options.now();
    if (this.#nextFree(use, now) > now) return false;
    this.#stamps.push(now);
    return true;
  }

  /**
   * Takes a slot, waiting up to `maxWaitMs` for reads; otherwise throws kind 'rateLimited' with the
   * time at which a slot frees up.
   */
  async acquire(use: BudgetUse, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.options.now();
      const at = this.#nextFree(use, now);
      if (at <= now) {
        this.#stamps.push(now);
        return;
      }
      const wait = at - now;
      if (use === 'write' || wait > this.options.maxWaitMs) throw rateLimitedError(this.options.service, new Date(at));
      await sleep(wait, signal);
    }
  }

  /** The server said 429: nothing goes out before `until`. */
  blockUntil(until: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, until);
  }

  snapshot(): { used: number; limit: number; remaining: number; windowMs: number; blockedUntil?: Date } {
    const now = this.options.now();
    this.#prune(now);
    const used = this.#stamps.length;
    const snap: { used: number; limit: number; remaining: number; windowMs: number; blockedUntil?: Date } = {
      used,
      limit: this.options.limit,
      remaining: Math.max(0, this.#cap('write') - used),
      windowMs: this.options.windowMs,
    };
    if (this.#blockedUntil > now) snap.blockedUntil = new Date(this.#blockedUntil);
    return snap;
  }
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
