// The `wrangler dev` Local Explorer API. It mirrors production loosely: a different base path per wrangler
// version, `{id}` instead of `instance_id`, page numbers instead of cursors, and a status body that is
// `{status}` on current wrangler but `{action}` on 4.79–4.1xx. Each difference is detected once, lazily.
import type { Dispatcher } from 'undici';
import type {
  BackendCapabilities,
  BatchCreateResult,
  ChangeStatusOptions,
  CreateInstanceInput,
  CreatedInstance,
  InstanceDetails,
  InstancePage,
  ListInstancesOptions,
  StatusAction,
  StepOutputQuery,
  WorkflowDetails,
  WorkflowSummary,
} from '../model/types';
import type { BackendStats, BatchDeleteResult, GetInstanceOptions, RequestOptions, StepOutput, WorkflowsBackend } from './backend';
import { batchResult, eachLimited, engineMessage, parseOr, seg } from './common';
import { isApiError, WorkflowsApiError } from './errors';
import { infoNumber, parseBatchDelete, parseCreated, parseInstanceDetails, parseInstanceList, parseWorkflowDetails, parseWorkflowList } from './parse';
import { Transport, type Classifier, type RetryPolicy, type Timeouts } from './transport';
import {
  assertCreateBatch,
  assertCreateInput,
  assertExistingInstanceId,
  assertEventType,
  assertIdList,
  assertListOptions,
  assertPayload,
  assertStatusChange,
  assertStepQuery,
  assertWorkflowName,
  chunk,
  invalid,
  utcDate,
} from './validate';
import type { LegacyLocalStatusBody, LocalCreateInstanceBody, CloudStatusBody } from './wire';

/** Newest first: wrangler ≥ 4.117 serves the first (and rewrites the second); 4.79–4.116 only the second. */
export const LOCAL_API_PATHS = ['/cdn-cgi/local/explorer/api', '/cdn-cgi/explorer/api'] as const;

export interface LocalBackendOptions {
  /** Where `wrangler dev` listens, e.g. http://127.0.0.1:8787. A URL that already ends in an API path is used as is. */
  baseUrl: string;
  /** Tests only: an undici dispatcher (MockAgent) instead of the backend's own Pool. */
  dispatcher?: Dispatcher;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once. Default 6. */
  maxConcurrency?: number;
}

export interface LocalWorkflowsBackend extends WorkflowsBackend {
  readonly kind: 'local';
  stats(): BackendStats;
}

const LOCAL_CAPABILITIES: BackendCapabilities = Object.freeze({
  batchCreate: false,
  deleteInstance: true,
  batchDelete: true,
  stepOutput: false,
  // The instance list of current wrangler takes date_start/date_end (Local Explorer OpenAPI in
  // /work/shared/reference/local-explorer-openapi.json; seen on 4.164). It has no `direction`: its list
  // is always newest first (workflows-api.md §4.2).
  dateFilter: true,
  cursorPaging: false,
  rollbackOnTerminate: true,
  restartFromStep: true,
  retention: false,
  reportsWaitingAsRunning: true,
});

type StatusField = 'status' | 'action';

/** wrangler 4.79–4.116 (the old API path, e.g. 4.85): no date filter on the instance list. */
const LEGACY_CAPABILITIES: BackendCapabilities = Object.freeze({ ...LOCAL_CAPABILITIES, dateFilter: false });

const localClassifier: Classifier = ({ status, errors, op }) => {
  const raw = errors.map((e) => e.message).join('; ');
  const msg = engineMessage(raw);
  if (status === 403) {
    return { kind: 'permission', message: `The local engine refused to ${op} (403${raw ? `: ${raw}` : ''}). It only accepts requests addressed to localhost or 127.0.0.1.` };
  }
  if (errors.some((e) => e.code === 10501)) return { kind: 'notFound', message: `Could not ${op}: ${raw}` };
  if (/instance\.already_exists/.test(raw)) return { kind: 'conflict', message: `Could not ${op}: an instance with this ID already exists.` };
  if (/\(instance\.cannot_terminate\)/.test(raw)) {
    return { kind: 'conflict', message: `Could not ${op}: the instance has already finished (complete, errored or terminated), so there is nothing to terminate.` };
  }
  if (/\(instance\.cannot_restart\)/.test(raw)) {
    return /not found/i.test(raw) ? { kind: 'invalidInput', message: `Could not ${op}: ${msg}.` } : { kind: 'conflict', message: `Could not ${op}: ${msg}.` };
  }
  if (/Invalid action/i.test(raw)) return { kind: 'invalidInput', message: `Could not ${op}: the local engine does not accept this action (${raw}).` };
  if (/invalid id/i.test(raw)) return { kind: 'invalidInput', message: `Could not ${op}: the engine rejected the instance ID (${msg}).` };
  if (status >= 500 && errors.some((e) => e.code === 10001)) return { kind: 'server', message: `The local engine failed to ${op}: ${msg}.` };
  return undefined;
};

class LocalBackend implements LocalWorkflowsBackend {
  readonly kind = 'local' as const;
  readonly #baseUrl: string;
  readonly #t: Transport;
  /** Set when the caller passed the API path itself. */
  readonly #fixedPrefix: string | undefined;
  #prefix: Promise<string> | undefined;
  #legacy = false;
  #statusField: StatusField | undefined;
  #batchDelete = true;

  constructor(opts: LocalBackendOptions) {
    if (typeof opts?.baseUrl !== 'string') throw invalid('The local engine URL is missing.');
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw invalid(`"${opts.baseUrl}" is not a URL; expected something like http://127.0.0.1:8787.`);
    }
    let path = url.pathname.replace(/\/+$/, '');
    const at = path.indexOf('/cdn-cgi/');
    if (at >= 0) {
      this.#fixedPrefix = path.slice(at);
      this.#legacy = this.#fixedPrefix === LOCAL_API_PATHS[1];
      path = path.slice(0, at);
    }
    this.#baseUrl = `${url.origin}${path}`;
    this.#t = new Transport({
      baseUrl: this.#baseUrl,
      service: `the local engine at ${this.#baseUrl}`,
      rateLimitService: 'the local engine',
      dispatcher: opts.dispatcher,
      maxConcurrency: opts.maxConcurrency,
      timeouts: { connectMs: 3_000, ...opts.timeouts },
      retry: opts.retry,
      classify: localClassifier,
      networkHint: 'Make sure `wrangler dev` is running there.',
    });
  }

  /** By version: known once the API path has been detected (the first call). */
  get capabilities(): BackendCapabilities {
    return this.#legacy ? LEGACY_CAPABILITIES : LOCAL_CAPABILITIES;
  }

  describe(): string {
    return `local engine at ${this.#baseUrl}`;
  }

  stats(): BackendStats {
    return this.#t.stats();
  }

  async close(): Promise<void> {
    await this.#t.close();
  }

  // ---- API path detection ----

  #apiPrefix(): Promise<string> {
    if (this.#fixedPrefix !== undefined) return Promise.resolve(this.#fixedPrefix);
    if (!this.#prefix) {
      // Shared by concurrent first calls and deliberately not tied to any one caller's AbortSignal.
      const p = this.#detect();
      this.#prefix = p;
      p.catch(() => {
        if (this.#prefix === p) this.#prefix = undefined; // try again on the next call
      });
    }
    return this.#prefix;
  }

  async #detect(): Promise<string> {
    for (const prefix of LOCAL_API_PATHS) {
      try {
        // A JSON envelope with a list, not merely a 200: on old wrangler the new path falls through to the Worker.
        const r = await this.#t.call({ method: 'GET', path: `${prefix}/workflows`, op: 'find the Local Explorer API' });
        if (Array.isArray(r.result)) {
          this.#legacy = prefix === LOCAL_API_PATHS[1];
          return prefix;
        }
      } catch (e) {
        if (isApiError(e) && ['network', 'timeout', 'cancelled', 'rateLimited'].includes(e.kind)) throw e;
      }
    }
    throw new WorkflowsApiError(
      'unsupported',
      `No Workflows Local Explorer API answered at ${this.#baseUrl} (tried ${LOCAL_API_PATHS.join(' and ')}). It needs wrangler 4.79 or newer with the local explorer enabled.`,
    );
  }

  async #path(rest: string): Promise<string> {
    return `${await this.#apiPrefix()}${rest}`;
  }

  #wf(name: string): string {
    return `/workflows/${seg(name)}`;
  }

  #inst(name: string, id: string): string {
    return `/workflows/${seg(name)}/instances/${seg(id)}`;
  }

  #parse<T>(op: string, fn: () => T): T {
    return parseOr(this.#t.service, op, fn);
  }

  // ---- Reads ----

  async listWorkflows(opts: RequestOptions = {}): Promise<WorkflowSummary[]> {
    const op = 'list workflows';
    const r = await this.#t.call({ method: 'GET', path: await this.#path('/workflows'), signal: opts.signal, op, response: 'list' });
    return this.#parse(op, () => parseWorkflowList(r.result));
  }

  async getWorkflow(name: string, opts: RequestOptions = {}): Promise<WorkflowDetails> {
    assertWorkflowName(name);
    const op = `get workflow "${name}"`;
    const r = await this.#t.call({ method: 'GET', path: await this.#path(this.#wf(name)), signal: opts.signal, op });
    return this.#parse(op, () => parseWorkflowDetails(r.result));
  }

  async listInstances(name: string, opts: ListInstancesOptions = {}): Promise<InstancePage> {
    assertWorkflowName(name);
    assertListOptions(opts);
    let page = 1;
    if (opts.next !== undefined) {
      // Locally `next` is a page number; anything else did not come from this backend.
      if (!/^[1-9]\d{0,8}$/.test(opts.next)) throw invalid(`"${opts.next}" is not a page token from the local engine.`);
      page = Number(opts.next);
    }
    // The local engine does not know rollingBack: nothing can be in it.
    if (opts.status === 'rollingBack') return { instances: [], total: 0 };
    const op = `list instances of workflow "${name}"`;
    const path = await this.#path(`${this.#wf(name)}/instances`);
    const dated = opts.dateStart !== undefined || opts.dateEnd !== undefined;
    if (dated && this.#legacy) throw new WorkflowsApiError('unsupported', 'This wrangler version cannot filter instances by date; wrangler 4.117 or newer can.');
    const r = await this.#t.call({
      method: 'GET',
      path,
      query: { page, per_page: opts.perPage, status: opts.status, date_start: utcDate(opts.dateStart), date_end: utcDate(opts.dateEnd) },
      signal: opts.signal,
      op,
      response: 'list',
    });
    let instances = this.#parse(op, () => parseInstanceList(r.result));
    if (dated) {
      // An engine that ignored the bounds must not show instances outside them.
      const lo = opts.dateStart !== undefined ? Date.parse(opts.dateStart) : -Infinity;
      const hi = opts.dateEnd !== undefined ? Date.parse(opts.dateEnd) : Infinity;
      instances = instances.filter((i) => i.createdOn === undefined || (Date.parse(i.createdOn) >= lo && Date.parse(i.createdOn) <= hi));
    }
    const totalPages = infoNumber(r.resultInfo, 'total_pages');
    const total = infoNumber(r.resultInfo, 'total_count');
    const out: InstancePage = { instances };
    if (total !== undefined) out.total = total;
    if (totalPages !== undefined ? page < totalPages : instances.length > 0 && instances.length >= (opts.perPage ?? 25)) out.next = String(page + 1);
    return out;
  }

  async getInstance(name: string, id: string, opts: GetInstanceOptions = {}): Promise<InstanceDetails> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    const op = `get instance "${id}" of workflow "${name}"`;
    const r = await this.#t.call({ method: 'GET', path: await this.#path(this.#inst(name, id)), signal: opts.signal, op, response: 'detail' });
    const d = this.#parse(op, () => parseInstanceDetails(r.result, { id, workflow: name }));
    // The local API has no `order` parameter; steps come oldest first.
    if (opts.order === 'desc') d.steps.reverse();
    return d;
  }

  async getStepOutput(name: string, id: string, query: StepOutputQuery, opts: RequestOptions = {}): Promise<StepOutput> {
    assertStepQuery(query);
    // No /step endpoint locally, but the local detail is never truncated: read the step from it.
    const d = await this.getInstance(name, id, opts);
    const step = d.steps.find((s) => s.name === query.stepName && (query.type === 'step' ? s.type === 'step' || s.type === 'rollback' : s.type === 'waitForEvent'));
    if (!step || (step.type !== 'step' && step.type !== 'rollback' && step.type !== 'waitForEvent')) {
      throw new WorkflowsApiError('notFound', `Instance "${id}" of workflow "${name}" has no ${query.type} named "${query.stepName}".`);
    }
    const out: StepOutput = { output: step.output };
    if (step.type === 'waitForEvent') {
      out.status = step.end ? (step.error ? 'errored' : 'complete') : 'running';
      out.error = step.error ?? null;
      if (step.eventType !== undefined) out.eventType = step.eventType;
      return out;
    }
    const attempt = query.attempt !== undefined ? step.attempts[query.attempt - 1] : step.attempts[step.attempts.length - 1];
    if (query.attempt !== undefined && !attempt) throw new WorkflowsApiError('notFound', `Step "${query.stepName}" has no attempt ${query.attempt}.`);
    out.status = step.success === true ? 'complete' : step.success === false ? 'errored' : 'running';
    out.error = attempt?.error ?? null;
    return out;
  }

  // ---- Writes ----

  async createInstance(name: string, input: CreateInstanceInput, opts: RequestOptions = {}): Promise<CreatedInstance> {
    assertWorkflowName(name);
    assertCreateInput(input);
    // The Local Explorer create body is {id, params} only: retention would be silently dropped.
    if (input.retention && (input.retention.successRetention !== undefined || input.retention.errorRetention !== undefined)) {
      throw invalid('Instance retention applies to Cloudflare accounts only; the local engine keeps instances until they are deleted.');
    }
    const op = input.id !== undefined ? `create instance "${input.id}" of workflow "${name}"` : `create an instance of workflow "${name}"`;
    const path = await this.#path(`${this.#wf(name)}/instances`);
    if (input.id !== undefined && this.#legacy) {
      // Wrangler 4.85's engine answers a duplicate ID with success and keeps the old instance, so ask first.
      await this.#assertAbsent(name, input.id, op, opts.signal);
    }
    const body: LocalCreateInstanceBody = {};
    if (input.id !== undefined) body.id = input.id;
    if (input.params !== undefined) body.params = input.params;
    const r = await this.#t.call({ method: 'POST', path, body, signal: opts.signal, op });
    return this.#parse(op, () => parseCreated(r.result));
  }

  async #assertAbsent(name: string, id: string, op: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.#t.call({ method: 'GET', path: await this.#path(this.#inst(name, id)), signal, op: `check whether instance "${id}" exists` });
    } catch (e) {
      if (isApiError(e, 'notFound')) return;
      throw e;
    }
    throw new WorkflowsApiError('conflict', `Could not ${op}: an instance with this ID already exists.`, { status: 409 });
  }

  async createInstances(name: string, items: CreateInstanceInput[], opts: RequestOptions & { onProgress?: (done: number, total: number) => void } = {}): Promise<BatchCreateResult> {
    assertWorkflowName(name);
    assertCreateBatch(items);
    // No batch endpoint locally: one POST per item, a few at a time.
    const created: (CreatedInstance | undefined)[] = new Array(items.length);
    let done = 0;
    const failures = await eachLimited(
      items,
      4,
      async (item, i) => {
        try {
          created[i] = await this.createInstance(name, item, { signal: opts.signal });
        } finally {
          opts.onProgress?.(++done, items.length);
        }
      },
      opts.signal,
    );
    return batchResult(items, created, failures);
  }

  async changeStatus(name: string, id: string, action: StatusAction, opts: ChangeStatusOptions = {}): Promise<void> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    assertStatusChange(action, opts.from, opts.rollback);
    const path = await this.#path(`${this.#inst(name, id)}/status`);
    const op = `${action} instance "${id}" of workflow "${name}"`;
    const first: StatusField = this.#statusField ?? (this.#legacy ? 'action' : 'status');
    try {
      await this.#t.call({ method: 'PATCH', path, body: statusBody(first, action, opts), signal: opts.signal, op });
      this.#statusField = first;
    } catch (e) {
      if (!isShapeRejection(e, first)) {
        // Any answer other than a 400 means the engine understood the body's shape.
        if (isApiError(e) && e.status !== undefined && e.status !== 400) this.#statusField = first;
        throw e;
      }
      // The engine rejected the body's shape without applying anything, so the other shape is safe to try.
      const other: StatusField = first === 'status' ? 'action' : 'status';
      await this.#t.call({ method: 'PATCH', path, body: statusBody(other, action, opts), signal: opts.signal, op });
      this.#statusField = other;
    }
  }

  async sendEvent(name: string, id: string, type: string, payload: unknown, opts: RequestOptions = {}): Promise<void> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    assertEventType(type);
    assertPayload(payload, 'Event payload');
    await this.#t.call({
      method: 'POST',
      path: await this.#path(`${this.#inst(name, id)}/events/${seg(type)}`),
      body: payload === undefined ? {} : payload,
      signal: opts.signal,
      op: `send event "${type}" to instance "${id}" of workflow "${name}"`,
    });
  }

  async deleteInstance(name: string, id: string, opts: RequestOptions = {}): Promise<void> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    const del = async () => this.#t.call({ method: 'DELETE', path: await this.#path(this.#inst(name, id)), signal: opts.signal, op: `delete instance "${id}" of workflow "${name}"` });
    try {
      await del();
    } catch (e) {
      // wrangler 4.85 restarts the engine's worker around deletes and answers a delete caught in that
      // with 503 "Your worker restarted mid-request. Please try sending the request again" (seen in
      // 13 of 80 deletes under load). Whether it was applied is unknown: look, and send it once more
      // only if the instance is still there, so a done delete is never reported as "not found".
      if (!isApiError(e, 'server') || e.status !== 503) throw e;
      try {
        await this.getInstance(name, id, { simple: true, signal: opts.signal });
      } catch (look) {
        // The engine's own "instance not found" (an API error body), not a bare 404 from a restarting server.
        if (isApiError(look, 'notFound') && look.errors.length > 0) return;
        throw e;
      }
      try {
        await del();
      } catch (again) {
        // Applied after the look after all: deleted is what was asked for.
        if (isApiError(again, 'notFound') && again.errors.length > 0) return;
        throw again;
      }
    }
  }

  async deleteInstances(name: string, ids: string[], opts: RequestOptions = {}): Promise<BatchDeleteResult> {
    assertWorkflowName(name);
    assertIdList(ids);
    const result: BatchDeleteResult = { deleted: [], failed: [] };
    for (const part of chunk([...new Set(ids)], 100)) {
      const r = this.#batchDelete ? await this.#batchDeleteOnce(name, part, opts.signal) : undefined;
      if (r) {
        result.deleted.push(...r.deleted);
        result.failed.push(...r.failed);
        continue;
      }
      const failures = await eachLimited(part, 4, (id) => this.deleteInstance(name, id, { signal: opts.signal }), opts.signal);
      const failedAt = new Set(failures.map((f) => f.index));
      part.forEach((id, i) => {
        if (!failedAt.has(i)) result.deleted.push(id);
      });
      for (const f of failures) result.failed.push({ id: part[f.index], message: isApiError(f.error, 'notFound') ? 'Instance not found.' : f.error.message });
    }
    return result;
  }

  /** undefined when this engine has no batch endpoint (wrangler < 4.125 answers a plain 404). */
  async #batchDeleteOnce(name: string, ids: string[], signal?: AbortSignal): Promise<BatchDeleteResult | undefined> {
    const op = `delete ${ids.length} instance(s) of workflow "${name}"`;
    try {
      const r = await this.#t.call({ method: 'POST', path: await this.#path(`${this.#wf(name)}/instances/batch/delete`), body: { instances: ids }, signal, op });
      return this.#parse(op, () => parseBatchDelete(r.result));
    } catch (e) {
      if (isApiError(e, 'notFound') && e.errors.length === 0) {
        this.#batchDelete = false;
        return undefined;
      }
      throw e;
    }
  }

  async probe(opts: RequestOptions = {}): Promise<{ ok: true; latencyMs: number; detail: string }> {
    const prefix = await this.#apiPrefix();
    const t0 = performance.now();
    await this.#t.call({ method: 'GET', path: `${prefix}/workflows`, signal: opts.signal, op: 'list workflows' });
    const latencyMs = Math.round(performance.now() - t0);
    const version = this.#legacy ? 'wrangler 4.79–4.116 path' : 'wrangler ≥ 4.117 path';
    const shape = this.#statusField ? `; status changes send {${this.#statusField}}` : '';
    return { ok: true, latencyMs, detail: `Local Explorer API at ${this.#baseUrl}${prefix} (${version}${shape})` };
  }
}

function statusBody(field: StatusField, action: StatusAction, opts: ChangeStatusOptions): CloudStatusBody | LegacyLocalStatusBody {
  const extra: { from?: ChangeStatusOptions['from']; rollback?: boolean } = {};
  if (action === 'restart' && opts.from) extra.from = opts.from;
  if (action === 'terminate' && opts.rollback === true) extra.rollback = true;
  return { [field]: action, ...extra } as CloudStatusBody | LegacyLocalStatusBody;
}

/**
 * The engine refused the body's *shape* (the field name), not the action: current wrangler answers
 * `{action}` with "Invalid input"; 4.85 answers `{status}` with "Invalid action 'undefined'". Engine
 * errors such as `(instance.cannot_terminate)` are never shape rejections.
 */
function isShapeRejection(e: unknown, sent: StatusField): boolean {
  if (!isApiError(e) || e.status !== 400) return false;
  return e.errors.some((x) => {
    if (/\(instance\./.test(x.message)) return false;
    return sent === 'status' ? /Invalid action 'undefined'|\baction\b/i.test(x.message) : x.message === 'Invalid input' || /\bstatus\b/i.test(x.message);
  });
}

/** A backend for a `wrangler dev` session. Nothing is sent until the first call. */
export function localBackend(opts: LocalBackendOptions): LocalWorkflowsBackend {
  return new LocalBackend(opts);
}
