// The production Cloudflare API (api.cloudflare.com/client/v4). Bearer token, cursor paging, batch
// create, and a sliding-window request budget. The token lives only in a closure handed to the
// transport: it is not a property of any object, so no inspect/JSON.stringify/error can show it.
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
  WorkflowVersion,
} from '../model/types';
import type { BackendStats, BatchDeleteResult, BatchTerminateResult, GetInstanceOptions, RequestOptions, StepOutput, SubscribeOptions, WorkflowsBackend } from './backend';
import { readEventSocket } from './eventStream';
import { MAX_EVENT_BYTES } from './events';
import { batchResult, engineMessage, isFatal, matchCreatedBatch, parseOr, seg } from './common';
import {
  infoNumber,
  infoString,
  parseAccounts,
  parseBatchDelete,
  parseBatchTerminate,
  parseCreated,
  parseCreatedBatch,
  parseInstanceDetails,
  parseInstanceList,
  parseStepOutput,
  parseTokenVerify,
  parseVersions,
  parseWorkflowDetails,
  parseWorkflowList,
  type Account,
  type TokenVerification,
} from './parse';
import { isLoopback } from './address';
import { RateBudget, type RateBudgetOptions } from './rate-budget';
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
import type { BatchDeleteBody, CloudCreateInstanceBody, CloudListInstancesQuery, CloudStatusBody } from './wire';

export const CLOUD_API_BASE = 'https://api.cloudflare.com/client/v4';

export interface CloudConnectionOptions {
  apiToken: string;
  /** Default https://api.cloudflare.com/client/v4. */
  baseUrl?: string;
  /** Tests only: an undici dispatcher (MockAgent) instead of the backend's own Pool. */
  dispatcher?: Dispatcher;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  /** The envelope's `messages` on success (the API reference's envelope carries them); for the log. */
  onMessages?: (op: string, messages: { code: number; message: string }[]) => void;
}

export interface CloudBackendOptions extends Omit<CloudConnectionOptions, 'signal'> {
  accountId: string;
  /** Requests in flight at once. Default 6. */
  maxConcurrency?: number;
  /** Tune or (tests) disable the 1,200 / 5 min budget. */
  rateBudget?: Partial<Omit<RateBudgetOptions, 'service'>> | false;
}

export interface CloudWorkflowsBackend extends WorkflowsBackend {
  readonly kind: 'cloud';
  readonly accountId: string;
  stats(): BackendStats;
  terminateInstances(name: string, ids: string[], opts?: RequestOptions): Promise<BatchTerminateResult>;
  listVersions(name: string, opts?: RequestOptions): Promise<WorkflowVersion[]>;
  subscribeInstance(name: string, id: string, opts: SubscribeOptions): Promise<'ended' | 'closed'>;
}

const CLOUD_CAPABILITIES: BackendCapabilities = Object.freeze({
  batchCreate: true,
  deleteInstance: true,
  batchDelete: true,
  stepOutput: true,
  dateFilter: true,
  cursorPaging: true,
  rollbackOnTerminate: true,
  restartFromStep: true,
  retention: true,
  reportsWaitingAsRunning: false,
});

/** Checks the token before it becomes a header value; the message never repeats it. */
function bearer(token: unknown): () => string {
  if (typeof token !== 'string' || token.trim() === '') throw invalid('The API token is empty. Paste a Cloudflare API token for this connection.');
  const t = token.trim();
  // Header values must be Latin-1 without control characters; pasted tokens sometimes carry "…" or newlines.
  if (/[^\u0020-\u007e\u00a0-\u00ff]/.test(t)) throw invalid('The API token contains characters that cannot be sent (for example "…" or a line break). Copy it again from the Cloudflare dashboard.');
  const value = `Bearer ${t}`;
  return () => value;
}

const cloudClassifier: Classifier = ({ status, errors, op }) => {
  const raw = errors.map((e) => e.message).join('; ');
  const codes = new Set(errors.map((e) => e.code));
  if (codes.has(10405) || /already_exists|already exists/i.test(raw)) return { kind: 'conflict', message: `Could not ${op}: an instance with this ID already exists.` };
  if (codes.has(10415) || /duplicate_in_batch/.test(raw)) return { kind: 'invalidInput', message: `Could not ${op}: the batch lists the same instance ID twice.` };
  if (codes.has(10200) || /workflow\.not_found/.test(raw)) return { kind: 'notFound', message: `Could not ${op}: the workflow does not exist in this account.` };
  if (codes.has(10400) || /instance\.not_found/.test(raw)) return { kind: 'notFound', message: `Could not ${op}: the instance does not exist (it may have been deleted or passed its retention period).` };
  if (status === 409) return { kind: 'conflict', message: `Could not ${op}: ${raw ? engineMessage(raw) : 'the instance is not in a state that allows it'} (409).` };
  return undefined;
};

/** The token goes only over TLS; plain http only to this machine (the test gateway). */
function cloudBaseUrl(given: string | undefined): string {
  if (given === undefined) return CLOUD_API_BASE;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw invalid(`The Cloudflare API base URL "${given}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(given))) throw invalid('The Cloudflare API base URL must start with https:// (plain http:// only on this machine).');
  return given;
}

function cloudTransport(opts: CloudConnectionOptions, extra: { maxConcurrency?: number; budget?: RateBudget } = {}): Transport {
  return new Transport({
    baseUrl: cloudBaseUrl(opts.baseUrl),
    service: 'Cloudflare',
    rateLimitService: 'Cloudflare',
    authorization: bearer(opts.apiToken),
    dispatcher: opts.dispatcher,
    maxConcurrency: extra.maxConcurrency,
    timeouts: opts.timeouts,
    retry: opts.retry,
    budget: extra.budget,
    classify: cloudClassifier,
    networkHint: 'Check the network connection (and any proxy).',
    onMessages: opts.onMessages,
  });
}

class CloudBackend implements CloudWorkflowsBackend {
  readonly kind = 'cloud' as const;
  readonly capabilities = CLOUD_CAPABILITIES;
  readonly accountId: string;
  readonly #t: Transport;

  constructor(opts: CloudBackendOptions) {
    if (typeof opts?.accountId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(opts.accountId)) {
      throw invalid('The account ID should be the 32-character ID shown in the Cloudflare dashboard.');
    }
    this.accountId = opts.accountId;
    const budget = opts.rateBudget === false ? undefined : new RateBudget({ ...opts.rateBudget, service: 'Cloudflare' });
    this.#t = cloudTransport(opts, { maxConcurrency: opts.maxConcurrency, budget });
  }

  describe(): string {
    return `Cloudflare account ${this.accountId}`;
  }

  stats(): BackendStats {
    return this.#t.stats();
  }

  async close(): Promise<void> {
    await this.#t.close();
  }

  #wf(name?: string): string {
    const base = `/accounts/${seg(this.accountId)}/workflows`;
    return name === undefined ? base : `${base}/${seg(name)}`;
  }

  #inst(name: string, id: string): string {
    return `${this.#wf(name)}/instances/${seg(id)}`;
  }

  #parse<T>(op: string, fn: () => T): T {
    return parseOr('Cloudflare', op, fn);
  }

  // ---- Reads ----

  async listWorkflows(opts: RequestOptions = {}): Promise<WorkflowSummary[]> {
    const op = 'list workflows';
    const all: WorkflowSummary[] = [];
    const perPage = 100;
    // The workflows list is page-based (no cursor). Stop at the reported total, a short page, or 50 pages.
    for (let page = 1; page <= 50; page++) {
      const r = await this.#t.call({ method: 'GET', path: this.#wf(), query: { page, per_page: perPage }, signal: opts.signal, op, response: 'list' });
      const items = this.#parse(op, () => parseWorkflowList(r.result));
      all.push(...items);
      const total = infoNumber(r.resultInfo, 'total_count');
      if (items.length < perPage || (total !== undefined && all.length >= total)) break;
    }
    return all;
  }

  async getWorkflow(name: string, opts: RequestOptions = {}): Promise<WorkflowDetails> {
    assertWorkflowName(name);
    const op = `get workflow "${name}"`;
    const r = await this.#t.call({ method: 'GET', path: this.#wf(name), signal: opts.signal, op });
    return this.#parse(op, () => parseWorkflowDetails(r.result));
  }

  /**
   * The first 100 versions, as the API returns them (wrangler's `workflows describe` takes
   * versions[0] as the latest: workflows-api.md §1.3; CFTS versions.ts `list`, `page`/`per_page`).
   */
  async listVersions(name: string, opts: RequestOptions = {}): Promise<WorkflowVersion[]> {
    assertWorkflowName(name);
    const op = `list versions of workflow "${name}"`;
    const r = await this.#t.call({ method: 'GET', path: `${this.#wf(name)}/versions`, query: { per_page: 100 }, signal: opts.signal, op, response: 'list' });
    return this.#parse(op, () => parseVersions(r.result));
  }

  async listInstances(name: string, opts: ListInstancesOptions = {}): Promise<InstancePage> {
    assertWorkflowName(name);
    assertListOptions(opts);
    const op = `list instances of workflow "${name}"`;
    // Cursor paging only: `page` is deprecated and "best effort" since the control-plane change.
    const query: CloudListInstancesQuery = {
      per_page: opts.perPage,
      status: opts.status,
      date_start: utcDate(opts.dateStart),
      date_end: utcDate(opts.dateEnd),
      // Newest first, asked for explicitly: the server's default order is not documented
      // (workflows-api.md §1.4; `direction` asc|desc, CFTS InstanceListParams).
      direction: opts.direction ?? 'desc',
      cursor: opts.next,
    };
    const r = await this.#t.call({ method: 'GET', path: `${this.#wf(name)}/instances`, query: { ...query }, signal: opts.signal, op, response: 'list' });
    const instances = this.#parse(op, () => parseInstanceList(r.result));
    const page: InstancePage = { instances };
    const total = infoNumber(r.resultInfo, 'total_count');
    const cursor = infoString(r.resultInfo, 'cursor');
    if (total !== undefined) page.total = total;
    if (cursor && instances.length > 0) page.next = cursor;
    return page;
  }

  async getInstance(name: string, id: string, opts: GetInstanceOptions = {}): Promise<InstanceDetails> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    const op = `get instance "${id}" of workflow "${name}"`;
    const query = { order: opts.order, simple: opts.simple === undefined ? undefined : String(opts.simple) };
    const r = await this.#t.call({ method: 'GET', path: this.#inst(name, id), query, signal: opts.signal, op, response: 'detail' });
    return this.#parse(op, () => parseInstanceDetails(r.result, { id, workflow: name }));
  }

  /**
   * GET …/instances/{id}/subscribe as a WebSocket, `cursor` = the last eventId already received.
   * Sources and guesses: api/eventStream.ts.
   */
  async subscribeInstance(name: string, id: string, opts: SubscribeOptions): Promise<'ended' | 'closed'> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    if (opts.cursor !== undefined && !(Number.isInteger(opts.cursor) && opts.cursor >= 0)) throw invalid('The event cursor must be a whole number of 0 or more.');
    const op = `follow instance "${id}" of workflow "${name}"`;
    const target = await this.#t.socketTarget(`${this.#inst(name, id)}/subscribe`, { cursor: opts.cursor }, opts.signal);
    return readEventSocket({ ...target, maxMessageBytes: MAX_EVENT_BYTES, service: 'Cloudflare', op, signal: opts.signal }, opts);
  }

  async getStepOutput(name: string, id: string, q: StepOutputQuery, opts: RequestOptions = {}): Promise<StepOutput> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    assertStepQuery(q);
    const op = `get the output of step "${q.stepName}" of instance "${id}"`;
    const r = await this.#t.call({
      method: 'GET',
      path: `${this.#inst(name, id)}/step`,
      query: { name: q.stepName, type: q.type, attempt: q.attempt },
      signal: opts.signal,
      response: 'stepOutput',
      op,
      allowBinary: true,
    });
    // A step that returned a ReadableStream comes back as raw bytes.
    if (r.binary) return { output: r.binary.bytes, contentType: r.binary.contentType };
    return this.#parse(op, () => parseStepOutput(r.result));
  }

  // ---- Writes ----

  #createBody(input: CreateInstanceInput): CloudCreateInstanceBody {
    const body: CloudCreateInstanceBody = {};
    if (input.id !== undefined) body.instance_id = input.id;
    if (input.params !== undefined) body.params = input.params;
    if (input.retention) {
      const r: NonNullable<CloudCreateInstanceBody['instance_retention']> = {};
      if (input.retention.successRetention !== undefined) r.success_retention = input.retention.successRetention;
      if (input.retention.errorRetention !== undefined) r.error_retention = input.retention.errorRetention;
      body.instance_retention = r;
    }
    return body;
  }

  async createInstance(name: string, input: CreateInstanceInput, opts: RequestOptions = {}): Promise<CreatedInstance> {
    assertWorkflowName(name);
    assertCreateInput(input);
    const op = input.id !== undefined ? `create instance "${input.id}" of workflow "${name}"` : `create an instance of workflow "${name}"`;
    const r = await this.#t.call({ method: 'POST', path: `${this.#wf(name)}/instances`, body: this.#createBody(input), signal: opts.signal, op });
    return this.#parse(op, () => parseCreated(r.result));
  }

  async createInstances(name: string, items: CreateInstanceInput[], opts: RequestOptions & { onProgress?: (done: number, total: number) => void } = {}): Promise<BatchCreateResult> {
    assertWorkflowName(name);
    assertCreateBatch(items);
    const created: (CreatedInstance | undefined)[] = new Array(items.length);
    const failures: { index: number; error: Error }[] = [];
    let done = 0;
    let fatal: Error | undefined;
    // One request per 100: a batch is all-or-nothing on the server, so a failed chunk fails its items.
    // A successful one is matched to its requests by instance id (matchCreatedBatch).
    for (const [c, part] of chunk(items, 100).entries()) {
      const offset = c * 100;
      const op = `create ${part.length} instance(s) of workflow "${name}"`;
      if (!fatal) {
        try {
          const r = await this.#t.call({ method: 'POST', path: `${this.#wf(name)}/instances/batch`, body: part.map((i) => this.#createBody(i)), signal: opts.signal, op });
          const parsed = this.#parse(op, () => parseCreatedBatch(r.result));
          const listed = Array.isArray(r.result) ? r.result.length : 0;
          const matched = matchCreatedBatch(part, parsed, listed, 'Cloudflare');
          matched.created.forEach((x, i) => (created[offset + i] = x));
          matched.failures.forEach((f) => failures.push({ index: offset + f.index, error: f.error }));
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          part.forEach((_, i) => failures.push({ index: offset + i, error }));
          if (isFatal(e)) fatal = error;
        }
      } else {
        part.forEach((_, i) => failures.push({ index: offset + i, error: fatal as Error }));
      }
      done += part.length;
      opts.onProgress?.(done, items.length);
    }
    return batchResult(items, created, failures);
  }

  async changeStatus(name: string, id: string, action: StatusAction, opts: ChangeStatusOptions = {}): Promise<void> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    assertStatusChange(action, opts.from, opts.rollback);
    let body: CloudStatusBody;
    if (action === 'restart') body = opts.from ? { status: 'restart', from: opts.from } : { status: 'restart' };
    else if (action === 'terminate') body = opts.rollback === true ? { status: 'terminate', rollback: true } : { status: 'terminate' };
    else body = { status: action };
    await this.#t.call({ method: 'PATCH', path: `${this.#inst(name, id)}/status`, body, signal: opts.signal, op: `${action} instance "${id}" of workflow "${name}"` });
  }

  async sendEvent(name: string, id: string, type: string, payload: unknown, opts: RequestOptions = {}): Promise<void> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    assertEventType(type);
    assertPayload(payload, 'Event payload');
    await this.#t.call({
      method: 'POST',
      path: `${this.#inst(name, id)}/events/${seg(type)}`,
      body: payload === undefined ? {} : payload,
      signal: opts.signal,
      op: `send event "${type}" to instance "${id}" of workflow "${name}"`,
    });
  }

  async deleteInstance(name: string, id: string, opts: RequestOptions = {}): Promise<void> {
    assertWorkflowName(name);
    assertExistingInstanceId(id);
    await this.#t.call({ method: 'DELETE', path: this.#inst(name, id), signal: opts.signal, op: `delete instance "${id}" of workflow "${name}"` });
  }

  async deleteInstances(name: string, ids: string[], opts: RequestOptions = {}): Promise<BatchDeleteResult> {
    assertWorkflowName(name);
    assertIdList(ids);
    const result: BatchDeleteResult = { deleted: [], failed: [] };
    for (const part of chunk([...new Set(ids)], 100)) {
      const op = `delete ${part.length} instance(s) of workflow "${name}"`;
      const body: BatchDeleteBody = { instances: part };
      const r = await this.#t.call({ method: 'POST', path: `${this.#wf(name)}/instances/batch/delete`, body, signal: opts.signal, op });
      const one = this.#parse(op, () => parseBatchDelete(r.result));
      result.deleted.push(...one.deleted);
      result.failed.push(...one.failed);
    }
    return result;
  }

  /**
   * POST …/instances/batch/terminate with a JSON array of 1–100 ids → {instancesTerminated, status}.
   * Source: workflows-api.md §1.2 row 20, marked [secondary] (spec-derived listing; not in the SDK,
   * not on developers.cloudflare.com when checked). GUESS: the answer is a count, not per-item results,
   * so a count short of the batch leaves every id of that batch unconfirmed rather than guessing which.
   */
  async terminateInstances(name: string, ids: string[], opts: RequestOptions = {}): Promise<BatchTerminateResult> {
    assertWorkflowName(name);
    assertIdList(ids);
    const result: BatchTerminateResult = { terminated: [], failed: [] };
    for (const part of chunk([...new Set(ids)], 100)) {
      const op = `terminate ${part.length} instance(s) of workflow "${name}"`;
      const r = await this.#t.call({ method: 'POST', path: `${this.#wf(name)}/instances/batch/terminate`, body: part, signal: opts.signal, op });
      const n = this.#parse(op, () => parseBatchTerminate(r.result));
      if (n.count === part.length) result.terminated.push(...part);
      else {
        const message = `Not confirmed: Cloudflare reports ${n.count} of ${part.length} terminated${n.status === 'already_running' ? ' (a terminate job was already running)' : ''}. Refresh to see its status.`;
        result.failed.push(...part.map((id) => ({ id, message })));
      }
    }
    return result;
  }

  async probe(opts: RequestOptions = {}): Promise<{ ok: true; latencyMs: number; detail: string }> {
    const t0 = performance.now();
    await this.#t.call({ method: 'GET', path: this.#wf(), query: { per_page: 1 }, signal: opts.signal, op: 'list workflows' });
    const latencyMs = Math.round(performance.now() - t0);
    return { ok: true, latencyMs, detail: `Cloudflare API at ${this.#t.origin}${this.#t.basePath}, account ${this.accountId}` };
  }
}

/** A backend for one Cloudflare account. Nothing is sent until the first call. */
export function cloudBackend(opts: CloudBackendOptions): CloudWorkflowsBackend {
  return new CloudBackend(opts);
}

/**
 * Is the token valid and active? User-owned tokens answer at GET /user/tokens/verify, account-owned
 * ones at GET /accounts/{account_id}/tokens/verify (both return {id, status, expires_on?, not_before?}:
 * https://developers.cloudflare.com/api/resources/accounts/subresources/tokens/methods/verify and
 * https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify). 401 → 'auth'.
 */
export async function verifyToken(opts: CloudConnectionOptions & { accountId?: string }): Promise<TokenVerification> {
  if (opts.accountId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(opts.accountId)) throw invalid('The account ID should be the 32-character ID shown in the Cloudflare dashboard.');
  const t = cloudTransport(opts);
  try {
    const op = opts.accountId === undefined ? 'verify the API token' : `verify the account API token for account ${opts.accountId}`;
    const path = opts.accountId === undefined ? '/user/tokens/verify' : `/accounts/${seg(opts.accountId)}/tokens/verify`;
    const r = await t.call({ method: 'GET', path, signal: opts.signal, op });
    return parseOr('Cloudflare', op, () => parseTokenVerify(r.result));
  } finally {
    await t.close();
  }
}

/** GET /accounts, every page: the accounts this token can see, for the account picker. */
export async function listAccounts(opts: CloudConnectionOptions): Promise<Account[]> {
  const t = cloudTransport(opts);
  try {
    const op = 'list the accounts this token can access';
    const all: Account[] = [];
    const perPage = 50;
    for (let page = 1; page <= 40; page++) {
      const r = await t.call({ method: 'GET', path: '/accounts', query: { page, per_page: perPage }, signal: opts.signal, op, response: 'list' });
      const items = parseOr('Cloudflare', op, () => parseAccounts(r.result));
      all.push(...items);
      const totalPages = infoNumber(r.resultInfo, 'total_pages');
      const total = infoNumber(r.resultInfo, 'total_count');
      if (items.length === 0 || (totalPages !== undefined ? page >= totalPages : total !== undefined ? all.length >= total : items.length < perPage)) break;
    }
    return all;
  } finally {
    await t.close();
  }
}

export type { Account, TokenVerification };
