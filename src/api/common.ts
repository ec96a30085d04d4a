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
