// Small pieces both backends share.
import type { BatchCreateResult, CreateInstanceInput, CreatedInstance } from '../model/types';
import { isApiError, WorkflowsApiError, type ErrorKind } from './errors';
import { ShapeError } from './parse';

/** Path segment: workflow names, instance IDs (cron IDs carry '/', '*' and spaces) and event types. */
export const seg = (s: string): string => encodeURIComponent(s);

/** Runs a parser over a response and turns a shape problem into kind 'malformedResponse'. */
export function parseOr<T>(service: string, op: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ShapeError) {
      const svc = service.charAt(0).toUpperCase() + service.slice(1);
      throw new WorkflowsApiError('malformedResponse', `${svc} sent a response that could not be read (${op}): ${e.message}.`);
    }
    throw e;
  }
}

/** After one of these, the next item would fail the same way: stop and report the rest as not attempted. */
const FATAL: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['auth', 'permission', 'rateLimited', 'network', 'timeout', 'cancelled', 'unsupported']);

export function isFatal(e: unknown): boolean {
  return isApiError(e) && FATAL.has(e.kind);
}

/**
 * Runs `work` over `items` with at most `concurrency` at once, in order of start. Once a fatal error
 * happens, the items not yet started fail with that same error instead of being attempted.
 */
export async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>, signal?: AbortSignal): Promise<{ index: number; error: Error }[]> {
  const failures: { index: number; error: Error }[] = [];
  let next = 0;
  let fatal: Error | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      if (!fatal && signal?.aborted) fatal = new WorkflowsApiError('cancelled', 'Cancelled before this item was sent.');
      if (fatal) {
        failures.push({ index: i, error: fatal });
        continue;
      }
      try {
        await work(items[i], i);
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        failures.push({ index: i, error });
        if (isFatal(e)) fatal = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return failures.sort((a, b) => a.index - b.index);
}

/** Collects per-item outcomes of a create batch in input order. */
export function batchResult(items: readonly CreateInstanceInput[], created: (CreatedInstance | undefined)[], failures: { index: number; error: Error }[]): BatchCreateResult {
  return {
    created: created.filter((c): c is CreatedInstance => c !== undefined),
    failed: failures.map((f) => {
      const id = items[f.index]?.id;
      return id === undefined ? { index: f.index, error: f.error } : { index: f.index, id, error: f.error };
    }),
  };
}

/** Strips the engine's "WorkflowError: (instance.cannot_terminate) " prefix for a readable message. */
export function engineMessage(message: string): string {
  return message.replace(/^\w*Error:\s*/, '').replace(/^\([\w.]+\)\s*/, '');
}

/**
 * Matches a batch create response to the requests by instance id, not by position: the server does not
 * promise to answer in order. Requests without an id take the generated ids the response lists beyond
 * the requested ones, in order, and only while the counts agree. Whatever is left cannot be accounted
 * for: those requests fail, and the message names the ids that were created, so a retry of just the
 * failed ones does not run into duplicate ids.
 */
export function matchCreatedBatch(
  part: readonly CreateInstanceInput[],
  response: { created: CreatedInstance[]; unreadable: number[] },
  listed: number,
  service: string,
): { created: (CreatedInstance | undefined)[]; failures: { index: number; error: Error }[] } {
  const created: (CreatedInstance | undefined)[] = new Array(part.length);
  const byId = new Map(response.created.map((c) => [c.id, c]));
  const requested = new Set(part.flatMap((p) => (p.id === undefined ? [] : [p.id])));
  part.forEach((p, i) => {
    if (p.id !== undefined && byId.has(p.id)) created[i] = byId.get(p.id);
  });
  const generated = response.created.filter((c) => !requested.has(c.id));
  const anonymous = part.flatMap((p, i) => (p.id === undefined ? [i] : []));
  if (generated.length === anonymous.length && response.unreadable.length === 0) anonymous.forEach((i, k) => (created[i] = generated[k]));
  const missing = part.flatMap((_, i) => (created[i] === undefined ? [i] : []));
  if (missing.length === 0) return { created, failures: [] };
  const made = response.created.map((c) => c.id);
  const shown = made.slice(0, 20).map((id) => `"${id}"`).join(', ') + (made.length > 20 ? ` and ${made.length - 20} more` : '');
  const why =
    listed !== part.length ? `${service} answered ${part.length} requests with ${listed} results` :
    response.unreadable.length > 0 ? `${service} sent ${response.unreadable.length} result(s) that could not be read` :
    `${service} did not list this instance among the created ones`;
  const error = new WorkflowsApiError(
    'malformedResponse',
    `Not confirmed: ${why}. It may or may not exist; check before creating it again. ${made.length > 0 ? `Created in the same batch: ${shown}.` : 'None of the batch was confirmed as created.'}`,
  );
  return { created, failures: missing.map((index) => ({ index, error })) };
}
