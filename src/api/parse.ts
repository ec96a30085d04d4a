// Response guards: every byte that comes back is checked here, once, and turned into domain types.
// Required fields that are missing or of the wrong type throw ShapeError (→ kind 'malformedResponse');
// optional fields of the wrong type are dropped; extra fields are ignored; unknown statuses and step
// types are kept as 'unknown' so that a newer API never crashes an older extension.
import {
  INSTANCE_STATUSES,
  type CreatedInstance,
  type DoStep,
  type InstanceDetails,
  type InstanceStatus,
  type InstanceSummary,
  type KnownStatus,
  type StatusCounts,
  type Step,
  type StepAttempt,
  type StepConfig,
  type StepError,
  type WorkflowDetails,
  type WorkflowSummary,
  type WorkflowVersion,
} from '../model/types';
import type { BatchDeleteResult, StepOutput } from './backend';
import type { ApiErrorDetail } from './errors';

/** A response that does not have the shape the API promises. `path` says where, e.g. `result[3].id`. */
export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
  }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

export function expectObj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw new ShapeError(path, `should be an object but is ${describeType(v)}`);
  return v;
}

export function expectArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ShapeError(path, `should be an array but is ${describeType(v)}`);
  return v;
}

function reqStr(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ShapeError(`${path}.${key}`, `should be a string but is ${describeType(v)}`);
  return v;
}

function optStr(o: Obj, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** Timestamps: string, null (not yet), or absent. Anything else is dropped. */
function optTime(o: Obj, key: string): string | null | undefined {
  const v = o[key];
  if (v === null) return null;
  return typeof v === 'string' ? v : undefined;
}

function optBool(o: Obj, key: string): boolean | null | undefined {
  const v = o[key];
  if (v === null) return null;
  return typeof v === 'boolean' ? v : undefined;
}

function optNum(o: Obj, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function optStrOrNum(o: Obj, key: string): string | number | undefined {
  const v = o[key];
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : undefined;
}

const KNOWN: ReadonlySet<string> = new Set<string>(INSTANCE_STATUSES);

export function normaliseStatus(v: unknown): InstanceStatus {
  return typeof v === 'string' && KNOWN.has(v) ? (v as KnownStatus) : 'unknown';
}

// ---- Envelope ----

export interface ParsedEnvelope {
  success: boolean;
  errors: ApiErrorDetail[];
  result: unknown;
  resultInfo: Obj | undefined;
  /** The envelope's `messages` (same {code, message} shape as errors): notices worth a log line. */
  messages: ApiErrorDetail[];
}

function parseErrorList(v: unknown): ApiErrorDetail[] {
  if (!Array.isArray(v)) return [];
  const out: ApiErrorDetail[] = [];
  for (const e of v) {
    if (isObj(e)) {
      // Cloudflare's common schema uses {code, message}; some endpoints answer {code, error}.
      const message = optStr(e, 'message') ?? optStr(e, 'error') ?? '';
      out.push({ code: optNum(e, 'code') ?? 0, message });
    } else if (typeof e === 'string') {
      out.push({ code: 0, message: e });
    }
  }
  return out;
}

export function parseEnvelope(body: unknown): ParsedEnvelope {
  const o = expectObj(body, 'response');
  const errors = parseErrorList(o.errors);
  let success: boolean;
  if (typeof o.success === 'boolean') success = o.success;
  else if (errors.length > 0) success = false;
  else throw new ShapeError('response.success', `should be a boolean but is ${describeType(o.success)}`);
  return { success, errors, result: o.result, resultInfo: isObj(o.result_info) ? o.result_info : undefined, messages: parseErrorList(o.messages).slice(0, 10) };
}

/** Errors from a body that may or may not be an envelope (error pages, proxies, WAF blocks). */
export function errorsFromBody(body: unknown): ApiErrorDetail[] {
  return isObj(body) ? parseErrorList(body.errors) : [];
}

// ---- Workflows ----

export function parseCounts(v: unknown): StatusCounts {
  const counts = Object.fromEntries(INSTANCE_STATUSES.map((s) => [s, 0])) as StatusCounts;
  if (isObj(v)) {
    for (const s of INSTANCE_STATUSES) {
      const n = v[s];
      if (typeof n === 'number' && Number.isFinite(n)) counts[s] = n;
    }
  }
  return counts;
}

export function parseWorkflowSummary(v: unknown, path = 'result'): WorkflowSummary {
  const o = expectObj(v, path);
  const w: WorkflowSummary = { name: reqStr(o, 'name', path) };
  const className = optStr(o, 'class_name');
  const scriptName = optStr(o, 'script_name');
  const createdOn = optStr(o, 'created_on');
  const modifiedOn = optStr(o, 'modified_on');
  if (className !== undefined) w.className = className;
  if (scriptName !== undefined) w.scriptName = scriptName;
  if (createdOn !== undefined) w.createdOn = createdOn;
  if (modifiedOn !== undefined) w.modifiedOn = modifiedOn;
  if (isObj(o.instances)) w.instances = parseCounts(o.instances);
  // Cloud only (CFTS WorkflowGetResponse: id, triggered_on, schedules[{cron, next_instance}]).
  const id = optStr(o, 'id');
  if (id !== undefined) w.id = id;
  if (o.triggered_on === null || typeof o.triggered_on === 'string') w.triggeredOn = o.triggered_on;
  if (Array.isArray(o.schedules)) {
    w.schedules = o.schedules
      .slice(0, 200)
      .filter(isObj)
      .flatMap((x) => (typeof x.cron === 'string' ? [typeof x.next_instance === 'string' ? { cron: x.cron, nextInstance: x.next_instance } : { cron: x.cron }] : []));
  }
  return w;
}

/** GET …/workflows/{name}/versions (CFTS versions.ts: id, class_name, created_on, modified_on, language, has_dag). */
export function parseVersions(v: unknown): WorkflowVersion[] {
  return expectArray(v, 'result').map((x, i) => {
    const o = expectObj(x, `result[${i}]`);
    const out: WorkflowVersion = { id: reqStr(o, 'id', `result[${i}]`) };
    const className = optStr(o, 'class_name');
    const createdOn = optStr(o, 'created_on');
    const modifiedOn = optStr(o, 'modified_on');
    const language = optStr(o, 'language');
    if (className !== undefined) out.className = className;
    if (createdOn !== undefined) out.createdOn = createdOn;
    if (modifiedOn !== undefined) out.modifiedOn = modifiedOn;
    if (language !== undefined) out.language = language;
    if (typeof o.has_dag === 'boolean') out.hasDag = o.has_dag;
    return out;
  });
}

export function parseWorkflowList(v: unknown): WorkflowSummary[] {
  return expectArray(v, 'result').map((w, i) => parseWorkflowSummary(w, `result[${i}]`));
}

export function parseWorkflowDetails(v: unknown): WorkflowDetails {
  const w = parseWorkflowSummary(v);
  return { ...w, instances: w.instances ?? parseCounts(undefined) };
}

// ---- Instances ----

export function parseInstanceSummary(v: unknown, path: string): InstanceSummary {
  const o = expectObj(v, path);
  const s: InstanceSummary = { id: reqStr(o, 'id', path), status: normaliseStatus(o.status) };
  const createdOn = optStr(o, 'created_on');
  const modifiedOn = optStr(o, 'modified_on');
  const startedOn = optTime(o, 'started_on');
  const endedOn = optTime(o, 'ended_on');
  const versionId = optStr(o, 'version_id');
  const trigger = optStr(o, 'trigger_source');
  if (createdOn !== undefined) s.createdOn = createdOn;
  if (modifiedOn !== undefined) s.modifiedOn = modifiedOn;
  if (startedOn !== undefined) s.startedOn = startedOn;
  if (endedOn !== undefined) s.endedOn = endedOn;
  if (versionId !== undefined) s.versionId = versionId;
  if (trigger !== undefined) s.triggerSource = trigger;
  return s;
}

export function parseInstanceList(v: unknown): InstanceSummary[] {
  return expectArray(v, 'result').map((x, i) => parseInstanceSummary(x, `result[${i}]`));
}

function parseStepError(v: unknown): StepError | null | undefined {
  if (v === null) return null;
  if (!isObj(v)) return undefined;
  return { name: optStr(v, 'name') ?? 'Error', message: optStr(v, 'message') ?? '' };
}

function parseAttempt(v: unknown): StepAttempt | undefined {
  if (!isObj(v)) return undefined;
  const a: StepAttempt = {};
  const start = optTime(v, 'start');
  const end = optTime(v, 'end');
  const success = optBool(v, 'success');
  const error = parseStepError(v.error);
  if (start !== undefined) a.start = start;
  if (end !== undefined) a.end = end;
  if (success !== undefined) a.success = success;
  if (error !== undefined) a.error = error;
  return a;
}

function parseConfig(v: unknown): StepConfig | null | undefined {
  if (v === null) return null;
  if (!isObj(v)) return undefined;
  const c: StepConfig = {};
  if (isObj(v.retries)) {
    const r = v.retries;
    c.retries = {};
    const limit = optNum(r, 'limit');
    const delay = optStrOrNum(r, 'delay');
    const backoff = optStr(r, 'backoff');
    if (limit !== undefined) c.retries.limit = limit;
    if (delay !== undefined) c.retries.delay = delay;
    if (backoff !== undefined) c.retries.backoff = backoff;
  }
  const timeout = optStrOrNum(v, 'timeout');
  const sensitive = optStr(v, 'sensitive');
  if (timeout !== undefined) c.timeout = timeout;
  if (sensitive !== undefined) c.sensitive = sensitive;
  return c;
}

function withTimes<T extends object>(target: T, o: Obj): T & { start?: string | null; end?: string | null } {
  const out: T & { start?: string | null; end?: string | null } = target;
  const start = optTime(o, 'start');
  const end = optTime(o, 'end');
  if (start !== undefined) out.start = start;
  if (end !== undefined) out.end = end;
  return out;
}

export function parseStep(v: unknown, path: string): Step {
  const o = expectObj(v, path);
  const type = o.type;
  const name = optStr(o, 'name');
  switch (type) {
    case 'step':
    case 'rollback': {
      const attempts = Array.isArray(o.attempts) ? o.attempts.map(parseAttempt).filter((a): a is StepAttempt => a !== undefined) : [];
      const step: DoStep = withTimes({ type, name: name ?? '', attempts } as DoStep, o);
      const success = optBool(o, 'success');
      const config = parseConfig(o.config);
      if (success !== undefined) step.success = success;
      if ('output' in o) step.output = o.output;
      if (config !== undefined) step.config = config;
      return step;
    }
    case 'sleep': {
      const step = withTimes({ type: 'sleep' as const, name: name ?? '' }, o) as Extract<Step, { type: 'sleep' }>;
      const finished = optBool(o, 'finished');
      const error = parseStepError(o.error);
      if (typeof finished === 'boolean') step.finished = finished;
      if (error !== undefined) step.error = error;
      return step;
    }
    case 'waitForEvent': {
      const step = withTimes({ type: 'waitForEvent' as const, name: name ?? '' }, o) as Extract<Step, { type: 'waitForEvent' }>;
      const finished = optBool(o, 'finished');
      const error = parseStepError(o.error);
      const eventType = optStr(o, 'event_type') ?? optStr(o, 'eventType');
      if (typeof finished === 'boolean') step.finished = finished;
      if (error !== undefined) step.error = error;
      if (eventType !== undefined) step.eventType = eventType;
      if ('output' in o) step.output = o.output;
      return step;
    }
    case 'termination': {
      const trigger = isObj(o.trigger) ? { source: optStr(o.trigger, 'source') } : undefined;
      return trigger ? { type: 'termination', trigger } : { type: 'termination' };
    }
    default: {
      const step = withTimes({ type: 'unknown' as const, rawType: typeof type === 'string' ? type : String(type), raw: v }, o) as Extract<Step, { type: 'unknown' }>;
      if (name !== undefined) step.name = name;
      return step;
    }
  }
}

/** Instance detail. Neither API returns the id or workflow name in the body, so the caller supplies them. */
export function parseInstanceDetails(v: unknown, ids: { id: string; workflow: string }): InstanceDetails {
  const o = expectObj(v, 'result');
  const stepsRaw = o.steps === undefined || o.steps === null ? [] : expectArray(o.steps, 'result.steps');
  const steps = stepsRaw.map((s, i) => parseStep(s, `result.steps[${i}]`));
  const d: InstanceDetails = {
    id: ids.id,
    workflow: ids.workflow,
    status: normaliseStatus(o.status),
    stepCount: optNum(o, 'step_count') ?? steps.length,
    steps,
  };
  if ('params' in o) d.params = o.params;
  if ('output' in o) d.output = o.output;
  const queued = optTime(o, 'queued');
  const start = optTime(o, 'start');
  const end = optTime(o, 'end');
  const success = optBool(o, 'success');
  const error = parseStepError(o.error);
  const versionId = optStr(o, 'versionId') ?? optStr(o, 'version_id');
  if (queued !== undefined) d.queued = queued;
  if (start !== undefined) d.start = start;
  if (end !== undefined) d.end = end;
  if (success !== undefined) d.success = success;
  if (error !== undefined) d.error = error;
  if (versionId !== undefined) d.versionId = versionId;
  if (isObj(o.trigger)) d.trigger = { source: optStr(o.trigger, 'source') };
  if (o.rollback === null) d.rollback = null;
  else if (isObj(o.rollback)) d.rollback = { outcome: optStr(o.rollback, 'outcome'), error: parseStepError(o.rollback.error) ?? null };
  return d;
}

export function parseCreated(v: unknown, path = 'result'): CreatedInstance {
  const o = expectObj(v, path);
  const c: CreatedInstance = { id: reqStr(o, 'id', path) };
  if (o.status !== undefined) c.status = normaliseStatus(o.status);
  // Kept from the cloud's create response {id, status, version_id, workflow_id, trigger_source?}
  // (workflows-api.md §1.7, CFTS InstanceCreateResponse).
  const versionId = optStr(o, 'version_id');
  const workflowId = optStr(o, 'workflow_id');
  const trigger = optStr(o, 'trigger_source');
  if (versionId !== undefined) c.versionId = versionId;
  if (workflowId !== undefined) c.workflowId = workflowId;
  if (trigger !== undefined) c.triggerSource = trigger;
  return c;
}

/**
 * A batch create response, item by item: the readable ones, and the positions of those that are not.
 * Only a result that is not a list at all is a ShapeError; the caller matches items to requests by id.
 */
export function parseCreatedBatch(v: unknown): { created: CreatedInstance[]; unreadable: number[] } {
  const list = expectArray(v, 'result');
  const created: CreatedInstance[] = [];
  const unreadable: number[] = [];
  list.forEach((x, i) => {
    try {
      created.push(parseCreated(x, `result[${i}]`));
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      unreadable.push(i);
    }
  });
  return { created, unreadable };
}

export function parseBatchDelete(v: unknown): BatchDeleteResult {
  const o = expectObj(v, 'result');
  const deleted = (Array.isArray(o.deleted) ? o.deleted : []).map((d, i) => reqStr(expectObj(d, `result.deleted[${i}]`), 'id', `result.deleted[${i}]`));
  const failed = (Array.isArray(o.errors) ? o.errors : []).map((e, i) => {
    const eo = expectObj(e, `result.errors[${i}]`);
    const code = optNum(eo, 'code');
    const message = optStr(eo, 'message') ?? 'could not be deleted';
    return { id: reqStr(eo, 'id', `result.errors[${i}]`), message: describeDeleteError(code, message) };
  });
  return { deleted, failed };
}

/** Cloud batch terminate: `{instancesTerminated, status}` ([secondary] source, see cloud.ts). */
export function parseBatchTerminate(v: unknown): { count: number; status?: string } {
  const o = expectObj(v, 'result');
  const count = o.instancesTerminated;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new ShapeError('result.instancesTerminated', `should be a whole number but is ${describeType(count)}`);
  const status = optStr(o, 'status');
  return status === undefined ? { count } : { count, status };
}

function describeDeleteError(code: number | undefined, message: string): string {
  if (code === 10400 || /instance\.not_found/.test(message)) return 'Instance not found.';
  return code === undefined ? message : `${message} [${code}]`;
}

export function parseStepOutput(v: unknown): StepOutput {
  const o = expectObj(v, 'result');
  const out: StepOutput = {};
  const status = optStr(o, 'status');
  const error = parseStepError(o.error);
  const eventType = optStr(o, 'event_type');
  if (status !== undefined) out.status = status;
  if (error !== undefined) out.error = error;
  if (eventType !== undefined) out.eventType = eventType;
  if ('output' in o) out.output = o.output;
  return out;
}

// ---- Account setup ----

export interface TokenVerification {
  id: string;
  status: 'active' | 'disabled' | 'expired' | (string & {});
  expiresOn?: string;
  notBefore?: string;
}

export function parseTokenVerify(v: unknown): TokenVerification {
  const o = expectObj(v, 'result');
  const t: TokenVerification = { id: reqStr(o, 'id', 'result'), status: reqStr(o, 'status', 'result') };
  const expiresOn = optStr(o, 'expires_on');
  const notBefore = optStr(o, 'not_before');
  if (expiresOn !== undefined) t.expiresOn = expiresOn;
  if (notBefore !== undefined) t.notBefore = notBefore;
  return t;
}

export interface Account {
  id: string;
  name: string;
  type?: string;
}

export function parseAccounts(v: unknown): Account[] {
  return expectArray(v, 'result').map((a, i) => {
    const o = expectObj(a, `result[${i}]`);
    const acc: Account = { id: reqStr(o, 'id', `result[${i}]`), name: reqStr(o, 'name', `result[${i}]`) };
    const type = optStr(o, 'type');
    if (type !== undefined) acc.type = type;
    return acc;
  });
}

// ---- result_info ----

export function infoNumber(info: Obj | undefined, key: string): number | undefined {
  return info ? optNum(info, key) : undefined;
}

export function infoString(info: Obj | undefined, key: string): string | undefined {
  return info ? optStr(info, key) : undefined;
}
