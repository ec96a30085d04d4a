// A stable, canonical JSON form of an instance: what Copy as JSON, Export, Open as JSON and Compare
// show. Keys in a fixed order and durations instead of clock times, so two runs diff meaningfully.
import { spanMs } from './format';
import type { InstanceDetails, Step } from './types';

export function canonicalInstance(d: InstanceDetails, opts: { withTimes?: boolean } = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { workflow: d.workflow, id: d.id, status: d.status };
  if (opts.withTimes) Object.assign(base, { queued: d.queued ?? null, start: d.start ?? null, end: d.end ?? null });
  return {
    ...base,
    durationMs: spanMs(d.start, d.end) ?? null,
    params: d.params ?? null,
    output: d.output ?? null,
    error: d.error ?? null,
    steps: d.steps.map((s) => canonicalStep(s, opts.withTimes ?? false)),
  };
}

function canonicalStep(s: Step, withTimes: boolean): Record<string, unknown> {
  if (s.type === 'termination') return { type: 'termination', trigger: s.trigger?.source ?? null };
  if (s.type === 'unknown') return { type: s.rawType, name: s.name ?? null };
  const out: Record<string, unknown> = { name: s.name, type: s.type, durationMs: spanMs(s.start, s.end) ?? null };
  if (withTimes) Object.assign(out, { start: s.start ?? null, end: s.end ?? null });
  if (s.type === 'step' || s.type === 'rollback') {
    out.status = s.success === true ? 'success' : s.success === false ? 'failed' : 'running';
    out.attempts = s.attempts.map((a) => ({ success: a.success ?? null, durationMs: spanMs(a.start, a.end) ?? null, error: a.error ?? null }));
    out.output = s.output ?? null;
  } else if (s.type === 'sleep') {
    out.status = s.finished ? 'finished' : 'sleeping';
  } else if (s.type === 'waitForEvent') {
    out.status = s.finished ? (s.error ? 'timedOut' : 'received') : 'waiting';
    out.eventType = s.eventType ?? null;
    out.output = s.output ?? null;
  }
  return out;
}

export function canonicalJson(d: InstanceDetails, opts: { withTimes?: boolean } = {}): string {
  return JSON.stringify(canonicalInstance(d, opts), null, 2) + '\n';
}
