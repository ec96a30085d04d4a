// Per-step statistics over recent instances of a workflow, for the CodeLens and hovers above step
// calls. Steps are matched by base name (the `-N` suffix stripped), so loops aggregate.
import { spanMs } from './format';
import { splitStepName } from './status';
import type { InstanceDetails, InstanceStatus } from './types';

export interface StepRun {
  instanceId: string;
  instanceStatus: InstanceStatus;
  /** Engine name with suffix, for selecting the row in the instance view. */
  stepName: string;
  outcome: 'success' | 'failure' | 'running';
  durationMs?: number;
  attempts: number;
  error?: string;
  start?: string | null;
}

export interface StepStats {
  runs: number;
  successes: number;
  failures: number;
  medianMs?: number;
  /** Attempts beyond the first, summed over runs. */
  retries: number;
  lastError?: string;
  /** Newest first. */
  recent: StepRun[];
}

function describeError(e: { name: string; message: string }): string {
  return e.message ? `${e.name}: ${e.message}` : e.name;
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `instances` newest first. */
export function computeStepStats(instances: InstanceDetails[]): Map<string, StepStats> {
  const byName = new Map<string, StepRun[]>();
  for (const d of instances) {
    for (const s of d.steps) {
      if (s.type === 'termination' || s.type === 'unknown' || !s.name) continue;
      const base = splitStepName(s.name).base;
      let run: StepRun;
      if (s.type === 'sleep' || s.type === 'waitForEvent') {
        const failed = !!s.error;
        run = { instanceId: d.id, instanceStatus: d.status, stepName: s.name, outcome: failed ? 'failure' : s.finished ? 'success' : 'running', durationMs: s.end ? spanMs(s.start, s.end) : undefined, attempts: 1, error: s.error ? describeError(s.error) : undefined, start: s.start };
      } else {
        const lastErr = [...s.attempts].reverse().find((a) => a.error)?.error;
        const outcome = s.success === true ? 'success' : s.success === false ? 'failure' : 'running';
        run = { instanceId: d.id, instanceStatus: d.status, stepName: s.name, outcome, durationMs: outcome === 'running' ? undefined : spanMs(s.start, s.end ?? undefined), attempts: s.attempts.length, error: lastErr ? describeError(lastErr) : undefined, start: s.start };
      }
      const list = byName.get(base) ?? [];
      list.push(run);
      byName.set(base, list);
    }
  }
  const out = new Map<string, StepStats>();
  for (const [name, runs] of byName) {
    const finished = runs.filter((r) => r.outcome !== 'running');
    out.set(name, {
      runs: runs.length,
      successes: runs.filter((r) => r.outcome === 'success').length,
      failures: runs.filter((r) => r.outcome === 'failure').length,
      medianMs: median(finished.map((r) => r.durationMs).filter((x): x is number => x !== undefined)),
      retries: runs.reduce((n, r) => n + Math.max(0, r.attempts - 1), 0),
      lastError: runs.find((r) => r.error)?.error,
      recent: runs,
    });
  }
  return out;
}
