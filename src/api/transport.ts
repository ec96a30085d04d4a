// HTTP for both backends, on undici: one keep-alive Pool per backend, bounded concurrency, connect/
// headers/body timeouts plus an overall deadline, cancellation by AbortSignal, and retries of idempotent
// reads through undici's own retry interceptor (our callback only decides *whether* and *when*).
// Every failure leaves here as a WorkflowsApiError; nothing in it ever carries the credential.
import type { Dispatcher, Pool, RetryHandler } from 'undici';
import { undici } from './undici';
import type { BackendStats } from './backend';
import { WorkflowsApiError, type ApiErrorDetail, type ErrorKind } from './errors';
import { errorsFromBody, parseEnvelope, ShapeError, type Obj } from './parse';
import { rateLimitedError, type RateBudget } from './rate-budget';

export interface Timeouts {
  /** TCP/TLS connect. */
  connectMs: number;
  /** From sending the request to the response headers. */
  headersMs: number;
  /** Longest pause between two body chunks. */
  bodyMs: number;
  /** The whole call once it has a connection slot: retries and waits included. */
  requestMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000, requestMs: 60_000 };

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff; doubles per retry, with jitter. */
  baseDelayMs: number;
  /** Longest single wait; a Retry-After beyond it is not waited for. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 8_000 };

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * Most bytes one response may carry, by what the call reads: a server (or the Workflow code behind
 * it) must not be able to make the extension hold an unbounded body in memory.
 */
export const RESPONSE_LIMITS = {
  /** One page of a list (workflows, instances, accounts). */
  list: 16 * 1024 * 1024,
  /** One instance with its steps (locally with every step's full output). */
  detail: 64 * 1024 * 1024,
  /** One step's full output. */
  stepOutput: 64 * 1024 * 1024,
  /** Everything else: status changes, creates, errors, probes. */
  other: 4 * 1024 * 1024,
} as const;
export type ResponseKind = keyof typeof RESPONSE_LIMITS;

/**
 * Deepest JSON nesting accepted. JSON.parse copes with any depth, but structuredClone (webview and
 * extension-host messages) and JSON.stringify recurse and overflow the stack on deep values.
 */
export const MAX_JSON_DEPTH = 128;

/** True when the JSON text nests arrays/objects deeper than `max` (strings are skipped). */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function sizeText(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${Math.round(n / 1024)} KiB`;
}

export interface CallOptions {
  method: Method;
  /** Path below the transport's base, with every dynamic segment already URL-encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON-encoded when defined. */
  body?: unknown;
  signal?: AbortSignal;
  /** What the user asked for, for messages: "pause instance "x" of workflow "y"". */
  op: string;
  /** Accept a non-JSON 2xx body (step output streams come back as application/octet-stream). */
  allowBinary?: boolean;
  /** Which size limit applies (RESPONSE_LIMITS); default `other`. */
  response?: ResponseKind;
}

export interface CallResult {
  status: number;
  result: unknown;
  resultInfo?: Obj;
  /** Set instead of `result` when `allowBinary` and the body was not JSON. */
  binary?: { bytes: Uint8Array; contentType: string };
}

export interface ErrorContext {
  status: number;
  errors: ApiErrorDetail[];
  op: string;
  method: Method;
  headers: Record<string, string | string[] | undefined>;
  /** True when the body was not a Cloudflare envelope (a proxy page, plain "404 Not Found", …). */
  foreignBody: boolean;
}

/** A backend's own reading of an error response (codes, engine messages); undefined = use the defaults. */
export type Classifier = (ctx: ErrorContext) => { kind: ErrorKind; message: string } | undefined;

export interface TransportConfig {
  /** Origin plus optional base path, e.g. https://api.cloudflare.com/client/v4. */
  baseUrl: string;
  /** Who answers, for messages: "Cloudflare", "the local engine at http://127.0.0.1:8787". */
  service: string;
  /** Short name for the rate-limit message. */
  rateLimitService: string;
  /** Returns the Authorization header value. A function, so the secret stays in the caller's closure. */
  authorization?: () => string;
  /** Injected dispatcher (tests: MockAgent). Otherwise the transport owns a Pool. */
  dispatcher?: Dispatcher;
  maxConcurrency?: number;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  budget?: RateBudget;
  classify?: Classifier;
  /** Hint appended to network errors, e.g. "Make sure `wrangler dev` is running." */
  networkHint?: string;
  /** Lower response limits (tests). */
  limits?: Partial<Record<ResponseKind, number>>;
  /** Called with a successful envelope's non-empty `messages` (Cloudflare's notices, e.g. deprecations). */
  onMessages?: (op: string, messages: ApiErrorDetail[]) => void;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
// Transient socket failures worth another try for a read.
const RETRY_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EHOSTUNREACH', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
// Failures where the request provably never reached the server: even a mutation may be retried.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

type RetryCallback = NonNullable<RetryHandler.RetryOptions['retry']>;
type RetryErr = Error & { code?: string; statusCode?: number; headers?: Record<string, string | string[] | undefined> };

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

type UndiciHeaders = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2];

/**
 * Everything one call shares with the interceptors and the retry callback, handed to undici as the
 * request's `opaque`. Cancellation aborts the attempt in flight through its own controller, so undici
 * needs no AbortSignal (listening to one costs more per request than the rest of the client).
 */
class CallState {
  aborted = false;
  timedOut = false;
  reason: Error | undefined;
  /** A successful response has started arriving; see StartObserver. */
  bodyStarted = false;
  /** The connection-level controller of the attempt in flight. */
  current: Dispatcher.DispatchController | undefined;
  #listeners: ((reason: Error) => void)[] = [];

  abort(reason: Error, timedOut = false): void {
    if (this.aborted) return;
    this.aborted = true;
    this.timedOut = timedOut;
    this.reason = reason;
    this.current?.abort(reason);
    for (const l of this.#listeners.splice(0)) l(reason);
  }

  onAbort(listener: (reason: Error) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** setTimeout as a promise that rejects when the call is aborted. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.aborted) return reject(this.reason);
      const off = this.onAbort((reason) => {
        clearTimeout(timer);
        reject(reason);
      });
      const timer = setTimeout(() => {
        off();
        resolve();
      }, ms);
    });
  }
}


/**
 * Passes everything through; records each attempt's controller (for cancellation) and when a
 * successful response starts. A failure after that point happened mid-body: undici would try to resume
 * it with a Range request, which this API never honours, so such a read is reported at once instead.
 */
class StartObserver implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly state: CallState,
  ) {}
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.state.current = controller;
    if (this.state.aborted && this.state.reason) controller.abort(this.state.reason);
    this.inner.onRequestStart?.(controller, context);
  }
  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: UndiciHeaders, socket: import('node:stream').Duplex): void {
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }
  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: UndiciHeaders, statusMessage?: string): void {
    if (statusCode < 300) this.state.bodyStarted = true;
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk);
  }
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: UndiciHeaders): void {
    this.inner.onResponseEnd?.(controller, trailers);
  }
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.inner.onResponseError?.(controller, error);
  }
}

/** A FIFO semaphore: at most `max` calls in flight; queued calls leave the queue when aborted. */
class Limiter {
  #active = 0;
  #queue: { start: () => void; onAbort: () => void }[] = [];
  constructor(readonly max: number) {}

  get active(): number {
    return this.#active;
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#active >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const entry = {
          start: () => {
            signal?.removeEventListener('abort', entry.onAbort);
            resolve();
          },
          onAbort: () => {
            this.#queue = this.#queue.filter((e) => e !== entry);
            reject(signal?.reason);
          },
        };
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        signal?.addEventListener('abort', entry.onAbort, { once: true });
        this.#queue.push(entry);
      });
    } else {
      this.#active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.#queue.shift();
      // Hand the slot straight to the next caller; only free it when nobody waits.
      if (next) next.start();
      else this.#active--;
    }
  }
}

export class Transport {
  readonly origin: string;
  readonly basePath: string;
  readonly service: string;
  readonly timeouts: Timeouts;
  readonly retryPolicy: RetryPolicy;
  #config: TransportConfig;
  #own: Pool | undefined;
  #dispatcher: Dispatcher;
  #limiter: Limiter;
  #requests = 0;
  #retries = 0;

  constructor(config: TransportConfig) {
    const url = new URL(config.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WorkflowsApiError('invalidInput', `Unsupported URL ${url.protocol}//…; use http:// or https://.`);
    if (url.username || url.password) throw new WorkflowsApiError('invalidInput', 'Put credentials in the token field, not in the URL.');
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.service = config.service;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.retryPolicy = { ...DEFAULT_RETRY, ...config.retry };
    this.#config = config;
    const max = config.maxConcurrency ?? 6;
    this.#limiter = new Limiter(max);
    let base = config.dispatcher;
    if (!base) {
      this.#own = new (undici().Pool)(this.origin, {
        connections: max,
        pipelining: 1,
        connect: { timeout: this.timeouts.connectMs },
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
        keepAliveTimeout: 10_000,
      });
      base = this.#own;
    }
    // Sits below the retry interceptor: counts every attempt that reaches the wire, retries included,
    // and notes when a response body has started (see StartObserver).
    const counting: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
      this.#requests++;
      const state = (opts as { opaque?: unknown }).opaque;
      return dispatch(opts, state instanceof CallState ? new StartObserver(handler, state) : handler);
    };
    // Options come per request (see #send); the global default only turns throwOnError off so the final
    // failed response reaches us with its body and Cloudflare error codes.
    this.#dispatcher = base.compose(counting, undici().interceptors.retry({ throwOnError: false }));
  }

  stats(): BackendStats {
    const s: BackendStats = { requests: this.#requests, retries: this.#retries, inFlight: this.#limiter.active };
    if (this.#config.budget) s.budget = this.#config.budget.snapshot();
    return s;
  }

  /**
   * What a WebSocket to `path` below the base needs: its ws(s):// URL and the headers (the credential
   * stays in the header, never in the URL). Takes one read from the rate budget and counts as one
   * request, like any call. The socket itself is opened by the caller (api/eventStream.ts).
   */
  async socketTarget(path: string, query: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<{ url: string; headers: Record<string, string>; connectMs: number }> {
    await this.#config.budget?.acquire('read', signal);
    this.#requests++;
    const url = new URL(this.#url({ method: 'GET', path, query, op: '' }), this.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const headers: Record<string, string> = {};
    const auth = this.#config.authorization?.();
    if (auth !== undefined) headers.authorization = auth;
    return { url: url.toString(), headers, connectMs: this.timeouts.connectMs };
  }

  /** Lets calls in flight finish for up to `graceMs`, then drops the connections (they fail as network errors). */
  async close(graceMs = 2000): Promise<void> {
    const pool = this.#own;
    if (!pool || pool.closed || pool.destroyed) return;
    let timer: NodeJS.Timeout | undefined;
    const closed = pool.close().then(() => true);
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    const inTime = await Promise.race([closed, late]);
    clearTimeout(timer);
    if (!inTime) await pool.destroy();
  }

  /** Sends one API call and returns the envelope's result, or throws a WorkflowsApiError. */
  async call(o: CallOptions): Promise<CallResult> {
    const user = o.signal;
    const request = `${o.method} ${this.basePath}${o.path}`;
    if (user?.aborted) throw this.#cancelled(o, request);
    try {
      // Waiting for a slot only needs the caller's signal; the per-attempt machinery starts with the slot,
      // so a burst of queued calls costs a queue entry each, not a controller and a timer.
      return await this.#limiter.run(() => this.#attempt(o, request), user);
    } catch (e) {
      if (user?.aborted) throw this.#cancelled(o, request);
      throw e;
    }
  }

  async #attempt(o: CallOptions, request: string): Promise<CallResult> {
    const user = o.signal;
    const state = new CallState();
    const timer = setTimeout(() => state.abort(new Error('deadline'), true), this.timeouts.requestMs);
    timer.unref?.();
    const onAbort = () => state.abort(user?.reason instanceof Error ? user.reason : new Error('aborted'));
    user?.addEventListener('abort', onAbort, { once: true });
    const deadlineAt = Date.now() + this.timeouts.requestMs;
    try {
      await this.#config.budget?.acquire(o.method === 'GET' ? 'read' : 'write', user);
      const result = await this.#send(o, state, deadlineAt, request);
      if (state.aborted) throw state.reason;
      return result;
    } catch (e) {
      // A cancelled retry wait hands back the last failed response; the caller's intent wins.
      if (user?.aborted) throw this.#cancelled(o, request);
      if (state.timedOut) {
        throw new WorkflowsApiError('timeout', `${this.#capService()} did not answer within ${duration(this.timeouts.requestMs)} (${o.op}).`, { request });
      }
      if (e instanceof WorkflowsApiError) throw e;
      throw this.#networkError(e, o, request, state.bodyStarted);
    } finally {
      clearTimeout(timer);
      user?.removeEventListener('abort', onAbort);
    }
  }

  #capService(): string {
    return this.service.charAt(0).toUpperCase() + this.service.slice(1);
  }

  #cancelled(o: CallOptions, request: string): WorkflowsApiError {
    return new WorkflowsApiError('cancelled', `Cancelled: ${o.op}.`, { request });
  }

  #url(o: CallOptions): string {
    let path = `${this.basePath}${o.path}`;
    if (o.query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(o.query)) if (v !== undefined) q.set(k, String(v));
      const s = q.toString();
      if (s) path += `?${s}`;
    }
    return path;
  }

  #retryCallback(method: Method, state: CallState, deadlineAt: number): RetryCallback {
    const policy = this.retryPolicy;
    return (err, ctx, cb) => {
      const e = err as RetryErr;
      const attempt = ctx.state.counter;
      if (state.aborted || state.bodyStarted) return cb(err);
      const http = e.code === 'UND_ERR_REQ_RETRY' && typeof e.statusCode === 'number';
      const retriable = http ? RETRY_STATUSES.has(e.statusCode as number) : e.code !== undefined && RETRY_CODES.has(e.code);
      // Mutations are never repeated blindly: only when the request provably never left.
      const safe = method === 'GET' || (!http && e.code !== undefined && NOT_SENT_CODES.has(e.code));
      if (!retriable || !safe || attempt > policy.maxRetries) return cb(err);
      let delay = backoffDelay(attempt, policy);
      const retryAfter = http ? parseRetryAfter(e.headers?.['retry-after']) : undefined;
      if (retryAfter !== undefined) {
        // Honour the server; a wait beyond our bound is reported (kind 'rateLimited', retryAt) instead.
        if (retryAfter > policy.maxDelayMs) return cb(err);
        delay = retryAfter + Math.round(Math.random() * Math.min(250, retryAfter / 10));
      }
      if (Date.now() + delay > deadlineAt) return cb(err);
      if (this.#config.budget && !this.#config.budget.tryTake(method === 'GET' ? 'read' : 'write')) return cb(err);
      this.#retries++;
      state.sleep(delay).then(
        () => cb(null),
        (reason: unknown) => cb(reason instanceof Error ? reason : err),
      );
    };
  }

  async #send(o: CallOptions, state: CallState, deadlineAt: number, request: string): Promise<CallResult> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const auth = this.#config.authorization?.();
    if (auth !== undefined) headers.authorization = auth;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    const options: Dispatcher.RequestOptions<CallState> & { retryOptions: RetryHandler.RetryOptions } = {
      origin: this.origin,
      path: this.#url(o),
      method: o.method,
      headers,
      body,
      opaque: state,
      headersTimeout: this.timeouts.headersMs,
      bodyTimeout: this.timeouts.bodyMs,
      retryOptions: { throwOnError: false, maxRetries: this.retryPolicy.maxRetries, retry: this.#retryCallback(o.method, state, deadlineAt) },
    };
    const res = await this.#dispatcher.request(options);
    const resHeaders = res.headers as Record<string, string | string[] | undefined>;
    const contentType = header(resHeaders, 'content-type') ?? '';
    const raw = await this.#readBounded(res, o, request);
    // Bytes only where a raw body is acceptable; everything else is read as text, once.
    const bytes = o.allowBinary ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
    const text = raw.toString('utf8');
    let json: unknown;
    let isJson = false;
    if (text.length > 0 && jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      throw new WorkflowsApiError('tooLarge', `${this.#capService()} sent a response nested deeper than ${MAX_JSON_DEPTH} levels (${o.op}); it was not read.`, { status: res.statusCode, request });
    }
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
        isJson = true;
      } catch {
        /* handled below */
      }
    }
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      if (!isJson) {
        if (bytes && bytes.length > 0 && !/json|html/i.test(contentType)) return { status, result: undefined, binary: { bytes, contentType } };
        throw this.#malformed(o, request, text.length === 0 ? 'the body is empty' : 'the body is not JSON', resHeaders, status);
      }
      let env;
      try {
        env = parseEnvelope(json);
      } catch (e) {
        if (e instanceof ShapeError) throw this.#malformed(o, request, e.message, resHeaders, status);
        throw e;
      }
      if (!env.success) throw this.#httpError(status, resHeaders, env.errors, false, o, request);
      if (env.messages.length > 0) this.#config.onMessages?.(o.op, env.messages);
      return { status, result: env.result, resultInfo: env.resultInfo };
    }
    const errors = isJson ? errorsFromBody(json) : [];
    const foreign = !isJson || !(typeof json === 'object' && json !== null && 'success' in json);
    throw this.#httpError(status, resHeaders, errors, foreign, o, request);
  }

  /** The whole body, or a 'tooLarge' error as soon as it passes the call's limit (the rest is not read). */
  async #readBounded(res: Dispatcher.ResponseData<CallState>, o: CallOptions, request: string): Promise<Buffer> {
    const kind = o.response ?? 'other';
    const limit = this.#config.limits?.[kind] ?? RESPONSE_LIMITS[kind];
    const tooLarge = () => {
      // Hang up on the rest; the abort this causes on the stream is expected, not a failure.
      res.body.on('error', () => undefined);
      res.body.destroy();
      return new WorkflowsApiError('tooLarge', `${this.#capService()} sent more than ${sizeText(limit)} in one response (${o.op}); it was not read.`, { status: res.statusCode, request });
    };
    const declared = Number(header(res.headers as Record<string, string | string[] | undefined>, 'content-length'));
    if (Number.isFinite(declared) && declared > limit) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > limit) throw tooLarge();
      chunks.push(b);
    }
    return Buffer.concat(chunks, size);
  }

  #malformed(o: CallOptions, request: string, problem: string, headers: Record<string, string | string[] | undefined>, status: number): WorkflowsApiError {
    const cfRay = header(headers, 'cf-ray');
    return new WorkflowsApiError('malformedResponse', `${this.#capService()} sent a response that could not be read (${o.op}): ${problem}.${cfRay ? ` Ray ID: ${cfRay}.` : ''}`, {
      status,
      request,
      ...(cfRay ? { cfRay } : {}),
    });
  }

  #httpError(status: number, headers: Record<string, string | string[] | undefined>, errors: ApiErrorDetail[], foreignBody: boolean, o: CallOptions, request: string): WorkflowsApiError {
    const cfRay = header(headers, 'cf-ray');
    const extra = { status, errors, request, ...(cfRay ? { cfRay } : {}) };
    const detail = errors.length ? errors.map((e) => (e.code ? `${e.message} [${e.code}]` : e.message)).join('; ') : '';
    const ray = cfRay ? ` Ray ID: ${cfRay}.` : '';

    if (status === 429) {
      const wait = parseRetryAfter(headers['retry-after']);
      const budget = this.#config.budget;
      const retryAt = new Date(Date.now() + (wait ?? (budget ? budget.options.windowMs : 60_000)));
      // The server is the authority: nothing more goes out before it says so.
      if (wait !== undefined) budget?.blockUntil(retryAt.getTime());
      return rateLimitedError(this.#config.rateLimitService, retryAt, extra);
    }

    const custom = this.#config.classify?.({ status, errors, op: o.op, method: o.method, headers, foreignBody });
    if (custom) return new WorkflowsApiError(custom.kind, custom.kind === 'server' ? `${custom.message}${ray}` : custom.message, extra);

    const write = o.method !== 'GET';
    const why = detail ? `: ${detail}` : '';
    if (status === 401) return new WorkflowsApiError('auth', 'The API token was rejected (401). Update the token for this connection.', extra);
    if (status === 403) {
      if (header(headers, 'cf-mitigated') === 'challenge') {
        return new WorkflowsApiError('permission', `Cloudflare's firewall blocked the request (${o.op}).${ray} Try again later or from another network.`, extra);
      }
      const perm = write ? '"Workers Scripts Write"' : '"Workers Scripts Read" (or Write)';
      return new WorkflowsApiError('permission', `The API token is not allowed to ${o.op} (403). Give the token the ${perm} permission for this account${why ? ` (${detail})` : ''}.`, extra);
    }
    if (status === 404) return new WorkflowsApiError('notFound', `Could not ${o.op}: not found${why ? ` (${detail})` : ''}.`, extra);
    if (status === 409) return new WorkflowsApiError('conflict', `Could not ${o.op}${why || ': it conflicts with the current state'} (409).`, extra);
    if (status === 400 || status === 422) return new WorkflowsApiError('invalidInput', `Could not ${o.op}${why || `: the request was rejected (${status})`}.`, extra);
    if (status >= 200 && status < 300) {
      // success:false with 200: Cloudflare does this for transient internal errors (10001).
      return new WorkflowsApiError('server', `${this.#capService()} could not ${o.op}${why}. Try again in a moment.${ray}`, extra);
    }
    return new WorkflowsApiError('server', `${this.#capService()} returned an error (${status}) for: ${o.op}${why}. Try again in a moment.${ray}`, extra);
  }

  #networkError(e: unknown, o: CallOptions, request: string, midBody: boolean): WorkflowsApiError {
    const err = e as RetryErr;
    const code = typeof err?.code === 'string' ? err.code : undefined;
    const extra = { request, ...(code ? { code } : {}) };
    const hint = this.#config.networkHint ? ` ${this.#config.networkHint}` : '';
    const svc = this.#capService();
    if (midBody && code !== 'UND_ERR_BODY_TIMEOUT') {
      return new WorkflowsApiError('network', `The connection to ${this.service} broke while reading the response (${o.op}). Try again.`, extra);
    }
    switch (code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new WorkflowsApiError('timeout', `Could not connect to ${this.service} within ${duration(this.timeouts.connectMs)} (${o.op}).${hint}`, extra);
      case 'UND_ERR_HEADERS_TIMEOUT':
        return new WorkflowsApiError('timeout', `${svc} did not start answering within ${duration(this.timeouts.headersMs)} (${o.op}).`, extra);
      case 'UND_ERR_BODY_TIMEOUT':
        return new WorkflowsApiError('timeout', `${svc} stopped sending its response for ${duration(this.timeouts.bodyMs)} (${o.op}).`, extra);
      case 'ECONNREFUSED':
        return new WorkflowsApiError('network', `Could not connect to ${this.service} (connection refused).${hint}`, extra);
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new WorkflowsApiError('network', `Could not resolve ${new URL(this.origin).hostname}. Check the network connection.${hint}`, extra);
      case 'UND_ERR_REQ_RETRY':
        // The connection broke mid-body and the server cannot resume it.
        return new WorkflowsApiError('network', `The connection to ${this.service} broke while reading the response (${o.op}). Try again.`, extra);
      case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
        return new WorkflowsApiError('malformedResponse', `${svc} sent a truncated response (${o.op}). Try again.`, extra);
      case 'UND_ERR_ABORTED':
        return new WorkflowsApiError('cancelled', `Cancelled: ${o.op}.`, extra);
      default:
        if (code?.startsWith('HPE_')) return new WorkflowsApiError('malformedResponse', `${svc} sent a response that is not valid HTTP (${o.op}).`, extra);
        return new WorkflowsApiError('network', `The connection to ${this.service} failed${code ? ` (${code})` : ''} (${o.op}). Try again.${hint}`, extra);
    }
  }
}
