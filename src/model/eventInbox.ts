// The waiting-for-event inbox, pure parts: which instances wait in a `step.waitForEvent`, grouped by
// event type; which instance details to (re)fetch on a scan (bounded, cached); and "Send Event to All"
// bookkeeping: chunked sending within a request budget and a ledger so a retry never sends twice.
import { deriveState, parseDuration, parseTime } from './derived';
import { formatDuration } from './format';

/** Shown for a wait whose type neither the step data nor the workspace source tells. */
export const UNKNOWN_TYPE_LABEL = 'unknown type';

/**
 * A `waitForEvent` without a `timeout` waits 24 hours: the local engine's default (workers-sdk
 * `packages/workflows-shared/src/context.ts`, recorded in /work/shared/reference/workflows-api.md §1.9),
 * and Cloudflare's docs for `step.waitForEvent` ("the default timeout is 24 hours").
 */
export const DEFAULT_WAIT_TIMEOUT_MS = 24 * 3_600_000;

/** Where an entry's event type came from. */
export type TypeSource = 'step' | 'source' | 'unknown';

export interface WaitingEntry {
  id: string;
  workflow: string;
  /** The open waitForEvent step's name (with the engine's `-N` suffix). */
  step: string;
  eventType?: string;
  typeSource: TypeSource;
  /** Epoch ms at which the wait began (the step's start), when known. */
  since?: number;
  /** The wait's timeout in ms, when known (source literal or the documented default). */
  timeoutMs?: number;
}

/** The open waitForEvent an instance is blocked in, from its step log; undefined when it is not waiting. */
export function openWait(details: Parameters<typeof deriveState>[0], now: number): { step: string; eventType?: string; since?: number } | undefined {
  const s = deriveState(details, now);
  if (s.kind !== 'waitingForEvent') return undefined;
  const out: { step: string; eventType?: string; since?: number } = { step: s.step };
  if (s.eventType !== undefined) out.eventType = s.eventType;
  if (s.since !== undefined) out.since = s.since;
  return out;
}

/**
 * The timeout a source call states: a literal duration, the default when the options object has no
 * `timeout`, undefined when it is computed at run time (or there is no call to read).
 */
export function sourceTimeoutMs(call: { timeout?: string | number; timeoutDynamic?: boolean } | undefined): number | undefined {
  if (!call || call.timeoutDynamic) return undefined;
  if (call.timeout === undefined) return DEFAULT_WAIT_TIMEOUT_MS;
  return parseDuration(call.timeout);
}

export interface TypeGroup {
  /** Undefined for the "unknown type" group. */
  type?: string;
  entries: WaitingEntry[];
  /** Longest wait in the group (ms), when any start is known. */
  oldestMs?: number;
}

/** Entries grouped by type: known types by count (then name), "unknown type" last; oldest wait first inside. */
export function groupByType(entries: readonly WaitingEntry[], now: number): TypeGroup[] {
  const byType = new Map<string | undefined, WaitingEntry[]>();
  for (const e of entries) byType.set(e.eventType, [...(byType.get(e.eventType) ?? []), e]);
  const groups: TypeGroup[] = [...byType.entries()].map(([type, list]) => {
    const sorted = [...list].sort((a, b) => (a.since ?? Infinity) - (b.since ?? Infinity) || a.id.localeCompare(b.id));
    const starts = sorted.map((e) => e.since).filter((s): s is number => s !== undefined);
    const g: TypeGroup = { entries: sorted };
    if (type !== undefined) g.type = type;
    if (starts.length) g.oldestMs = Math.max(0, now - Math.min(...starts));
    return g;
  });
  return groups.sort((a, b) => {
    if ((a.type === undefined) !== (b.type === undefined)) return a.type === undefined ? 1 : -1;
    return b.entries.length - a.entries.length || (a.type ?? '').localeCompare(b.type ?? '');
  });
}

/** "waiting 2.0 h · times out in 22.0 h", "waiting 5.0 s · timeout unknown". */
export function describeWait(e: Pick<WaitingEntry, 'since' | 'timeoutMs'>, now: number): string {
  const waited = e.since !== undefined ? Math.max(0, now - e.since) : undefined;
  const parts = [waited !== undefined ? `waiting ${formatDuration(waited)}` : 'waiting'];
  if (e.timeoutMs === undefined) parts.push('timeout unknown');
  else if (waited === undefined) parts.push(`timeout ${formatDuration(e.timeoutMs)}`);
  else if (e.timeoutMs - waited > 0) parts.push(`times out in ${formatDuration(e.timeoutMs - waited)}`);
  else parts.push('timeout passed');
  return parts.join(' · ');
}

/**
 * Whether an event of `type` reached the instance at or after `sinceMs` (a send that timed out may
 * still have arrived): a finished waitForEvent whose received output (`{type, payload, timestamp}`,
 * observed.md §1) has that type, received then; without a readable timestamp, received at all while
 * no wait is open any more.
 */
export function eventArrived(details: Parameters<typeof deriveState>[0], type: string, sinceMs: number, now: number): boolean {
  let untimed = false;
  for (const step of details.steps) {
    if (step.type !== 'waitForEvent' || !step.output || typeof step.output !== 'object') continue;
    const out = step.output as { type?: unknown; timestamp?: unknown };
    if (out.type !== type) continue;
    const at = parseTime(out.timestamp);
    if (at === undefined) untimed = true;
    else if (at >= sinceMs) return true;
  }
  return untimed && !openWait(details, now);
}

// ---- Which details to fetch on a scan -------------------------------------------------------------

export interface ScanCacheEntry {
  fetchedAt: number;
  /** The instance was waiting for an event when last fetched. */
  waiting: boolean;
}

export interface ScanLimits {
  /** Detail requests one scan may make. */
  maxFetches: number;
  /** A waiting instance is re-checked after this long (it may have timed out, or received an event elsewhere). */
  waitingTtlMs: number;
  /** A running instance that was not waiting is re-checked after this long (it may have reached a wait). */
  otherTtlMs: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxFetches: 10, waitingTtlMs: 120_000, otherTtlMs: 30_000 };

/**
 * The candidates (unfinished instances from one list call) whose details a scan fetches: never-seen
 * ones first, then the stalest past their TTL; at most `maxFetches`. `unchecked` counts candidates
 * never fetched and left for a later scan.
 */
export function planDetailFetches(candidates: readonly string[], cache: ReadonlyMap<string, ScanCacheEntry>, now: number, limits: ScanLimits = DEFAULT_SCAN_LIMITS): { fetch: string[]; unchecked: number } {
  const unseen = candidates.filter((id) => !cache.has(id));
  const stale = candidates
    .filter((id) => {
      const c = cache.get(id);
      return c !== undefined && now - c.fetchedAt >= (c.waiting ? limits.waitingTtlMs : limits.otherTtlMs);
    })
    .sort((a, b) => (cache.get(a)?.fetchedAt ?? 0) - (cache.get(b)?.fetchedAt ?? 0));
  const fetch = [...unseen, ...stale].slice(0, Math.max(0, limits.maxFetches));
  const fetched = new Set(fetch);
  return { fetch, unchecked: unseen.filter((id) => !fetched.has(id)).length };
}

// ---- Send Event to All ---------------------------------------------------------------------------

/** Stable JSON (sorted keys) so that the same payload typed twice is recognised as the same. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => stableJson(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface SendTarget {
  connectionId: string;
  workflow: string;
  id: string;
}

/**
 * Which instances already got an event (same connection, workflow, type and payload): a retry, or
 * the same "Send Event to All" run again, sends only to the rest. Bounded (oldest sends forgotten first).
 */
export class SentLedger {
  readonly #sent = new Map<string, number>();
  constructor(private readonly max = 10_000) {}

  #key(t: SendTarget, type: string, payload: unknown): string {
    return JSON.stringify([t.connectionId, t.workflow, t.id, type, stableJson(payload)]);
  }

  has(t: SendTarget, type: string, payload: unknown): boolean {
    return this.#sent.has(this.#key(t, type, payload));
  }

  record(t: SendTarget, type: string, payload: unknown, at = Date.now()): void {
    const k = this.#key(t, type, payload);
    this.#sent.delete(k);
    this.#sent.set(k, at);
    while (this.#sent.size > this.max) this.#sent.delete(this.#sent.keys().next().value as string);
  }

  /** Splits targets into those still to send and those that already got this event. */
  split<T extends SendTarget>(targets: readonly T[], type: string, payload: unknown): { toSend: T[]; already: T[] } {
    const toSend: T[] = [];
    const already: T[] = [];
    const seen = new Set<string>();
    for (const t of targets) {
      const k = this.#key(t, type, payload);
      if (seen.has(k)) continue;
      seen.add(k);
      (this.#sent.has(k) ? already : toSend).push(t);
    }
    return { toSend, already };
  }
}

export interface ChunkedSendOptions {
  /** Instances per chunk; the budget is checked before each chunk. */
  chunkSize: number;
  /** Requests in flight inside a chunk. */
  concurrency: number;
  /** Write requests the budget still allows right now (undefined: no budget, e.g. the local engine). */
  remaining?: () => number | undefined;
  cancelled?: () => boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ChunkedSendResult<T> {
  ok: T[];
  failed: { target: T; message: string; rateLimited?: boolean }[];
  /** Not attempted: cancelled, or the budget ran out (a later retry sends to these). */
  notSent: T[];
  stoppedBy?: 'cancelled' | 'budget';
}

/**
 * Sends to each target once, a chunk at a time: before each chunk the budget is asked how many writes
 * it still allows, and the chunk is cut to that (stopping when it is none). A rate-limited failure
 * stops the run too: what was not attempted is returned as `notSent`, never as failed.
 */
export async function sendInChunks<T>(targets: readonly T[], send: (t: T) => Promise<void>, opts: ChunkedSendOptions, isRateLimited: (e: unknown) => boolean = () => false): Promise<ChunkedSendResult<T>> {
  const result: ChunkedSendResult<T> = { ok: [], failed: [], notSent: [] };
  let i = 0;
  let stop: ChunkedSendResult<T>['stoppedBy'];
  while (i < targets.length && !stop) {
    if (opts.cancelled?.()) {
      stop = 'cancelled';
      break;
    }
    const allowed = opts.remaining?.();
    const size = Math.min(Math.max(1, opts.chunkSize), allowed === undefined ? Infinity : allowed);
    if (size <= 0) {
      stop = 'budget';
      break;
    }
    const chunk = targets.slice(i, i + size);
    i += chunk.length;
    let next = 0;
    const workers = Array.from({ length: Math.min(Math.max(1, opts.concurrency), chunk.length) }, async () => {
      while (next < chunk.length) {
        const t = chunk[next++];
        if (stop) {
          result.notSent.push(t);
          continue;
        }
        try {
          await send(t);
          result.ok.push(t);
        } catch (e) {
          const limited = isRateLimited(e);
          if (limited) stop = 'budget';
          result.failed.push({ target: t, message: e instanceof Error ? e.message : String(e), ...(limited ? { rateLimited: true } : {}) });
        }
        opts.onProgress?.(result.ok.length + result.failed.length, targets.length);
      }
    });
    await Promise.all(workers);
  }
  result.notSent.push(...targets.slice(i));
  if (stop) result.stoppedBy = stop;
  return result;
}
