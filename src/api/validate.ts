// Input checks run before any request is built: bad input is a WorkflowsApiError of kind 'invalidInput'
// and nothing goes out. The rules themselves live in model/validation.ts, shared with the input boxes.
import type { CreateInstanceInput, ListInstancesOptions, RestartFrom, StatusAction, StepOutputQuery } from '../model/types';
import { checkBatchSize, checkEventType, checkInstanceId, checkJsonPayload, checkRetention, checkWorkflowName, LIMITS } from '../model/validation';
import { WorkflowsApiError } from './errors';

export function invalid(message: string): WorkflowsApiError {
  return new WorkflowsApiError('invalidInput', message);
}

function fail(problem: string | undefined): void {
  if (problem !== undefined) throw invalid(problem);
}

function requireString(v: unknown, what: string): asserts v is string {
  if (typeof v !== 'string') throw invalid(`${what} must be a string.`);
}

/**
 * "." and ".." are path segments, not names: encodeURIComponent leaves them as they are and URL
 * normalisation would turn `…/instances/..` into the workflow's own URL.
 */
function refuseDotSegment(value: string, what: string): void {
  if (value === '.' || value === '..') throw invalid(`${what} must not be "${value}".`);
}

export function assertWorkflowName(name: unknown): asserts name is string {
  requireString(name, 'Workflow name');
  fail(checkWorkflowName(name));
  refuseDotSegment(name, 'Workflow name');
}

/** IDs for new instances follow the documented pattern. */
export function assertNewInstanceId(id: unknown): asserts id is string {
  requireString(id, 'Instance ID');
  fail(checkInstanceId(id));
}

// Existing instances may carry system-generated IDs: cron IDs up to 271 characters with '/', '*' and
// spaces, or a 64-hex Durable Object id. Only reject what can never be an instance.
const EXISTING_ID_MAX = 271;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function assertExistingInstanceId(id: unknown): asserts id is string {
  requireString(id, 'Instance ID');
  if (id.length === 0) throw invalid('Instance ID must not be empty.');
  if (id.length > EXISTING_ID_MAX) throw invalid(`Instance ID is ${id.length} characters; the limit is ${EXISTING_ID_MAX}.`);
  if (CONTROL.test(id)) throw invalid('Instance ID must not contain control characters.');
  refuseDotSegment(id, 'Instance ID');
}

export function assertEventType(type: unknown): asserts type is string {
  requireString(type, 'Event type');
  fail(checkEventType(type));
  if (CONTROL.test(type)) throw invalid('Event type must not contain control characters.');
}

export function assertPayload(value: unknown, what: string): void {
  fail(checkJsonPayload(value, what));
}

export function assertCreateInput(input: CreateInstanceInput, label = 'Instance'): void {
  if (typeof input !== 'object' || input === null) throw invalid(`${label}: the input must be an object.`);
  if (input.id !== undefined) {
    try {
      assertNewInstanceId(input.id);
    } catch (e) {
      throw invalid(label === 'Instance' ? (e as Error).message : `${label}: ${(e as Error).message}`);
    }
  }
  assertPayload(input.params, label === 'Instance' ? 'Params' : `${label} params`);
  if (input.retention !== undefined) {
    const r = input.retention as unknown;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw invalid(`${label}: retention must be an object.`);
    const prefix = label === 'Instance' ? '' : `${label}: `;
    fail(checkRetention(input.retention.successRetention, `${prefix}Success retention`));
    fail(checkRetention(input.retention.errorRetention, `${prefix}Error retention`));
  }
}

/** Validates every item up front so that a bad item in position 250 does not leave half a batch sent. */
export function assertCreateBatch(items: CreateInstanceInput[]): void {
  if (!Array.isArray(items)) throw invalid('Instances to create must be an array.');
  if (items.length === 0) fail(checkBatchSize(0));
  const seen = new Set<string>();
  items.forEach((item, i) => {
    assertCreateInput(item, `Item ${i + 1}`);
    if (item.id !== undefined) {
      if (seen.has(item.id)) throw invalid(`Item ${i + 1}: instance ID "${item.id}" appears more than once.`);
      seen.add(item.id);
    }
  });
}

export function assertIdList(ids: string[]): void {
  if (!Array.isArray(ids)) throw invalid('Instance IDs must be an array.');
  if (ids.length === 0) fail(checkBatchSize(0));
  ids.forEach((id) => assertExistingInstanceId(id));
}

export function assertPerPage(perPage: number | undefined): void {
  if (perPage === undefined) return;
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw invalid(`Page size must be a whole number from 1 to 100; got ${perPage}.`);
}

export function assertListOptions(opts: ListInstancesOptions): void {
  assertPerPage(opts.perPage);
  if (opts.direction !== undefined && opts.direction !== 'asc' && opts.direction !== 'desc') throw invalid('Direction must be "asc" or "desc".');
  for (const [key, v] of [
    ['Start date', opts.dateStart],
    ['End date', opts.dateEnd],
  ] as const) {
    if (v !== undefined && (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v)))) {
      throw invalid(`${key} "${String(v).slice(0, 60)}" is not an RFC 3339 date-time with a time zone, e.g. 2026-11-01T00:00:00Z.`);
    }
  }
  if (opts.dateStart !== undefined && opts.dateEnd !== undefined && Date.parse(opts.dateStart) > Date.parse(opts.dateEnd)) throw invalid('The start date is after the end date.');
}

// Date bounds: RFC 3339 with an explicit offset, so "midnight" is never read in an unknown zone.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The API wants "ISO 8601 with no timezone offsets and in UTC" (API reference, instances list
 * `date_start`/`date_end`: https://developers.cloudflare.com/api/resources/workflows/subresources/instances/methods/list;
 * the same words in the Local Explorer OpenAPI): a validated bound with any offset, sent in UTC.
 */
export function utcDate(v: string | undefined): string | undefined {
  return v === undefined ? undefined : new Date(Date.parse(v)).toISOString().replace('.000Z', 'Z');
}

const ACTIONS: readonly StatusAction[] = ['pause', 'resume', 'terminate', 'restart'];

export function assertStatusChange(action: StatusAction, from: RestartFrom | undefined, rollback: boolean | undefined): void {
  if (!ACTIONS.includes(action)) throw invalid(`Unknown action "${String(action)}"; expected one of ${ACTIONS.join(', ')}.`);
  if (from !== undefined) {
    if (action !== 'restart') throw invalid('A step to restart from only applies to restart.');
    requireString(from.name, 'Step name');
    if (from.name.length === 0 || from.name.length > LIMITS.stepName) throw invalid(`Step name must be 1–${LIMITS.stepName} characters.`);
    if (from.count !== undefined && (!Number.isInteger(from.count) || from.count < 1)) throw invalid('Step count must be a whole number of at least 1.');
    if (from.type !== undefined && !['do', 'sleep', 'waitForEvent'].includes(from.type)) throw invalid('Step type must be do, sleep or waitForEvent.');
  }
  if (rollback === true && action !== 'terminate') throw invalid('Rollback only applies to terminate.');
}

export function assertStepQuery(q: StepOutputQuery): void {
  requireString(q.stepName, 'Step name');
  // The name carries the "-N" suffix, so allow a few characters beyond the 256 of the base name.
  if (q.stepName.length === 0 || q.stepName.length > LIMITS.stepName + 12) throw invalid('Step name must not be empty or longer than the step name limit.');
  if (q.type !== 'step' && q.type !== 'waitForEvent') throw invalid('Step type must be "step" or "waitForEvent".');
  if (q.attempt !== undefined && (!Number.isInteger(q.attempt) || q.attempt < 1)) throw invalid('Attempt must be a whole number of at least 1.');
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
