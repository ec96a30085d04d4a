// A production-shaped Cloudflare API in front of a real local Workflows engine, so the cloud backend (and
// the official SDK, in the benchmark) can be exercised end to end without an account:
//   /client/v4/user/tokens/verify, /client/v4/accounts, /client/v4/accounts/{account}/workflows/...
// (batch delete and the [secondary] batch terminate endpoint included)
// It translates production field names to the Local Explorer's (instance_id → id, {status} bodies),
// pages instances with opaque cursors (result_info.cursor), creates batches one instance at a time,
// requires a Bearer token (401 for an unknown one, 403 for writes with a read-only one), can answer
// the next N requests with 429 + Retry-After, and counts what it receives and forwards.
// It also serves an instance's event stream (GET …/instances/{id}/subscribe as a WebSocket) from the
// engine's own events: the fixture Worker's /__subscribe route relays the binding's instance.subscribe().
// What that endpoint is, and what is guessed about it, is recorded next to serveSubscribe below.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { Pool } from 'undici';
import { stripJsonc } from '../../src/model/wranglerConfig';

export interface GatewayOptions {
  /** The engine's Local Explorer API, e.g. http://127.0.0.1:8787/cdn-cgi/local/explorer/api. */
  engineApiBase: string;
  /** Bearer tokens and what they may do. Default: {'test-write-token': 'write', 'test-read-token': 'read'}. */
  tokens?: Record<string, 'read' | 'write'>;
  /**
   * The accounts user tokens see (GET /accounts). Guess, for tests of several accounts: every account
   * serves the same engine, so their Workflows are the same; the request log tells them apart.
   */
  accounts?: { id: string; name: string }[];
  /**
   * Account-owned tokens: each belongs to one account. Default: {'test-account-token': first account, write}.
   * https://developers.cloudflare.com/fundamentals/api/get-started/account-owned-tokens/
   */
  accountTokens?: Record<string, { accountId: string; scope: 'read' | 'write' }>;
  /**
   * The wrangler config of the Worker the engine runs, as if deployed: its workflows' `schedules`
   * become the API's cron schedules. Default: the fixture Worker's.
   */
  workerConfig?: string;
}

/**
 * Cron schedules by workflow, as `wrangler deploy` sends them (`PUT /workflows/{name}` with
 * `schedules: [{cron}]`, wrangler 4.164's deploy code; config key `schedules`, a string or an array:
 * https://developers.cloudflare.com/changelog/post/2026-06-02-cron-workflows/ "Schedule Workflow
 * instances directly from your Workflow binding").
 */
function deployedSchedules(configPath: string): Map<string, string[]> {
  const config = JSON.parse(stripJsonc(readFileSync(configPath, 'utf8'))) as { workflows?: { name?: unknown; schedules?: unknown }[] };
  const out = new Map<string, string[]>();
  for (const w of config.workflows ?? []) {
    const crons = typeof w.schedules === 'string' ? [w.schedules] : Array.isArray(w.schedules) ? w.schedules.filter((c): c is string => typeof c === 'string') : [];
    if (typeof w.name === 'string' && crons.length) out.set(w.name, crons);
  }
  return out;
}

/**
 * `schedules` of a workflow object (workflows-api.md §1.3: optional array of `{cron, next_instance}`).
 * GUESS: next_instance is the next time the cron fires, in UTC, as an ISO 8601 date-time; the
 * reference names the field without describing its value.
 */
function schedulesOf(name: string, schedules: Map<string, string[]>): Json[] {
  return (schedules.get(name) ?? []).map((cron) => ({ cron, next_instance: new Cron(cron, { timezone: 'UTC' }).nextRun()?.toISOString() ?? null }));
}

export interface Gateway {
  url: string;
  /** What to pass as `baseUrl` to cloudBackend / `baseURL` to the SDK. */
  apiBase: string;
  accountId: string;
  writeToken: string;
  readToken: string;
  /** Requests received (every one, including rejected and injected ones). */
  readonly requests: number;
  /** Requests sent on to the engine. */
  readonly engineRequests: number;
  log: { method: string; path: string; status: number }[];
  /** An account-owned token of the first account, with write scope. */
  accountToken: string;
  /** The next `n` requests get 429 with `Retry-After: retryAfterSec`. */
  inject429(n: number, retryAfterSec: number): void;
  /** Accepts another user token from now on (e.g. the OAuth token a test's wrangler login holds). */
  addToken(token: string, scope: 'read' | 'write'): void;
  /** The next `n` requests that carry `token` get 401, as an expired OAuth token would. */
  rejectNext(token: string, n: number): void;
  /** Requests that carried each token (verify endpoints included), for "was it re-run once" checks. */
  tokenUses(token: string): number;
  resetCounts(): void;
  /**
   * The event stream endpoint: 'on' (default), or refused at the handshake with 404 or 501, as an
   * account or an API version without it would. `dropAfter`: cut each stream (no close frame) after
   * that many events, as a broken connection would, so clients must reconnect with their cursor.
   */
  setStream(mode: StreamMode, dropAfter?: number): void;
  /** The `instance_retention` each created instance was given, by id (also GET /__gateway/retention). */
  retention(id: string): unknown;
  close(): Promise<void>;
}

export type StreamMode = 'on' | '404' | '501';

type Json = Record<string, unknown>;
interface EngineReply {
  status: number;
  body: { success?: boolean; errors?: { code: number; message: string }[]; result?: unknown; result_info?: Json } | undefined;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const uuidFor = (s: string): string => {
  const h = createHash('sha1').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

const encodeCursor = (c: { p: number; n: number; s?: string }): string => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(v: string): { p: number; n: number; s?: string } {
  try {
    const c = JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as { p: unknown; n: unknown; s?: unknown };
    if (typeof c.p === 'number' && typeof c.n === 'number') return { p: c.p, n: c.n, ...(typeof c.s === 'string' ? { s: c.s } : {}) };
  } catch {
    /* fall through */
  }
  throw new HttpError(400, 10001, 'Invalid cursor');
}

/** One unmasked WebSocket frame (server to client, RFC 6455 §5.2), FIN set. */
function wsFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]) : Buffer.alloc(10);
  if (n >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const engineUrl = new URL(opts.engineApiBase);
  const enginePath = engineUrl.pathname.replace(/\/+$/, '');
  const engine = new Pool(engineUrl.origin, { connections: 8 });
  const tokens: Record<string, 'read' | 'write'> = { ...(opts.tokens ?? { 'test-write-token': 'write', 'test-read-token': 'read' }) };
  const accounts = opts.accounts ?? [{ id: '0123456789abcdef0123456789abcdef', name: 'Gateway Test Account' }];
  const accountTokens = opts.accountTokens ?? { 'test-account-token': { accountId: accounts[0].id, scope: 'write' as const } };
  const schedules = deployedSchedules(opts.workerConfig ?? join(__dirname, '..', 'fixtures', 'workers', 'wrangler.jsonc'));
  const rejections = new Map<string, number>();
  const uses = new Map<string, number>();
  let statusField: 'status' | 'action' = 'status';
  let requests = 0;
  let engineRequests = 0;
  let pending429 = 0;
  let retryAfter = 1;
  let streamMode: StreamMode = 'on';
  let dropAfter = 0;
  const log: Gateway['log'] = [];
  /** `instance_retention` as created, by instance id: the local engine has no retention to ask. */
  const retentions = new Map<string, unknown>();
  /**
   * Production create bodies may carry `instance_retention: {success_retention?, error_retention?}`,
   * each milliseconds or a duration string (workflows-api.md §1.4). GUESS: the error code and message
   * for a malformed one; the reference gives the shape, not the error.
   */
  const checkRetention = (r: unknown, where: string): void => {
    if (r === undefined) return;
    const ok = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v > 0) || (typeof v === 'string' && v.trim() !== '');
    if (typeof r !== 'object' || r === null || Array.isArray(r) || Object.keys(r).some((k) => k !== 'success_retention' && k !== 'error_retention') || !ok((r as Json).success_retention) || !ok((r as Json).error_retention)) {
      throw new HttpError(400, 10001, `${where}instance_retention: Invalid`);
    }
  };

  async function call(method: string, path: string, body?: unknown): Promise<EngineReply> {
    engineRequests++;
    const res = await engine.request({
      method: method as 'GET',
      path: `${enginePath}${path}`,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: EngineReply['body'];
    try {
      parsed = JSON.parse(text) as EngineReply['body'];
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, body: parsed };
  }

  /** The engine's result, or the engine's error translated to what production would answer. */
  async function must(method: string, path: string, body?: unknown): Promise<unknown> {
    const r = await call(method, path, body);
    if (r.body?.success) return r.body.result;
    translate(r);
  }

  function translate(r: EngineReply): never {
    const msg = r.body?.errors?.map((e) => e.message).join('; ') ?? `engine answered ${r.status}`;
    if (r.body?.errors?.some((e) => e.code === 10501)) {
      if (/instance/i.test(msg)) throw new HttpError(404, 10400, 'workflows.api.error.instance.not_found');
      throw new HttpError(404, 10200, 'workflows.api.error.workflow.not_found');
    }
    if (/already_exists/.test(msg)) throw new HttpError(409, 10405, 'workflows.api.error.instance.already_exists');
    if (/invalid id/i.test(msg)) throw new HttpError(400, 10001, 'instance_id: Invalid');
    if (/cannot_terminate|cannot_restart/.test(msg)) throw new HttpError(409, 10409, msg.replace(/^WorkflowError:\s*/, ''));
    if (r.status === 400) throw new HttpError(400, 10001, msg);
    throw new HttpError(500, 10001, 'workflows.api.error.internal_server');
  }

  function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'cf-ray': `${randomBytes(8).toString('hex')}-GWY`,
      ...headers,
    });
    res.end(text);
  }

  // Cloudflare's envelope carries `messages` (notices such as deprecations; workflows-api.md §1). The
  // real API rarely fills it, so a test asks for one (POST /__gateway/notice): the next success carries it.
  let notice: { code: number; message: string } | undefined;
  const envelope = (result: unknown, result_info?: Json) => {
    const messages = notice ? [notice] : [];
    notice = undefined;
    return { success: true, errors: [], messages, result, ...(result_info ? { result_info } : {}) };
  };
  const failure = (code: number, message: string) => ({ success: false, errors: [{ code, message }], messages: [], result: null });

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpError(400, 10001, 'Invalid JSON body');
    }
  }

  function pageParams(url: URL): { page: number; perPage: number } {
    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? '50');
    if (!Number.isInteger(page) || page < 1) throw new HttpError(400, 10001, 'page: must be >= 1');
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw new HttpError(400, 10001, 'per_page: must be 1..100');
    return { page, perPage };
  }

  function prodDetail(d: Json, url: URL): Json {
    const status = String(d.status);
    let steps = Array.isArray(d.steps) ? [...(d.steps as unknown[])] : [];
    if (url.searchParams.get('order') === 'desc') steps.reverse();
    const stepCount = typeof d.step_count === 'number' ? d.step_count : steps.length;
    if (url.searchParams.get('simple') === 'true') steps = [];
    return {
      ...d,
      versionId: uuidFor('version'),
      trigger: { source: 'api' },
      success: status === 'complete' ? true : status === 'errored' ? false : null,
      rollback: null,
      step_count: stepCount,
      steps,
    };
  }

  /** Production's {status} body; the engine wants {status} (current) or {action} (4.85): learn which. */
  async function changeStatus(path: string, body: Json): Promise<void> {
    const { status, ...rest } = body;
    const r = await call('PATCH', path, { [statusField]: status, ...rest });
    if (r.body?.success) return;
    const msg = r.body?.errors?.map((e) => e.message).join('; ') ?? '';
    const shapeRejected = r.status === 400 && (statusField === 'status' ? /Invalid action 'undefined'/.test(msg) : msg === 'Invalid input');
    if (!shapeRejected) translate(r);
    statusField = statusField === 'status' ? 'action' : 'status';
    await must('PATCH', path, { [statusField]: status, ...rest });
  }

  /**
   * GET /client/v4/accounts/{account}/workflows/{name}/instances/{id}/subscribe[?cursor=N], a WebSocket.
   * Relied on (sources in src/api/eventStream.ts): the path and `cursor` ("Last event ID already
   * received": the stream starts after it) from the `cf` CLI generated from the API spec
   * (`wor-subscribe-workflow-instance-events`, "Opens a WebSocket that streams workflow instance
   * events"); the event objects and the end after a terminal event from
   * https://developers.cloudflare.com/workflows/build/subscribe-to-instance-events/.
   * GUESSES: one JSON event per text message; the Bearer token in the Authorization header is accepted
   * as for every other call; the server closes with 1000 after the terminal event; an unknown instance
   * is refused at the handshake with 404 and the Cloudflare error envelope. `filter` is not served.
   * The events come from the engine: the fixture Worker's GET /__subscribe relays the binding's
   * `instance.subscribe({cursor})` as NDJSON, and each line becomes one message, unchanged.
   */
  async function serveSubscribe(req: IncomingMessage, url: URL, socket: Duplex, name: string, id: string): Promise<void> {
    const key = req.headers['sec-websocket-key'];
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string') throw new HttpError(400, 10001, 'expected a WebSocket upgrade');
    if (streamMode !== 'on') throw new HttpError(Number(streamMode), Number(streamMode) === 404 ? 7003 : 10000, Number(streamMode) === 404 ? 'No route for the URI' : 'Not implemented');
    const cursor = url.searchParams.get('cursor');
    if (cursor !== null && !/^\d+$/.test(cursor)) throw new HttpError(400, 10001, 'cursor: must be an integer >= 0');
    const q = new URLSearchParams({ workflow: name, id });
    if (cursor !== null) q.set('cursor', cursor);
    engineRequests++;
    const upstream = await engine.request({ method: 'GET', path: `/__subscribe?${q}`, bodyTimeout: 0, headersTimeout: 30_000 });
    if (upstream.statusCode !== 200) {
      const text = await upstream.body.text();
      if (upstream.statusCode === 404) throw new HttpError(404, /instance/i.test(text) ? 10400 : 10200, /instance/i.test(text) ? 'workflows.api.error.instance.not_found' : 'workflows.api.error.workflow.not_found');
      throw new HttpError(upstream.statusCode === 501 ? 501 : 500, 10000, `event stream unavailable: ${text.slice(0, 200)}`);
    }
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    let open = true;
    const stop = () => {
      open = false;
      upstream.body.destroy();
    };
    socket.on('close', stop);
    socket.on('error', stop);
    // Client frames: answer a close, ignore the rest (pings are answered by nothing the client needs).
    socket.on('data', (b: Buffer) => {
      if ((b[0] & 0x0f) === 0x8 && open) {
        socket.end(wsFrame(0x8, Buffer.from([0x03, 0xe8])));
        stop();
      }
    });
    let sent = 0;
    let rest = '';
    try {
      for await (const chunk of upstream.body) {
        rest += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          if (!open || line.trim() === '') continue;
          socket.write(wsFrame(0x1, Buffer.from(line, 'utf8')));
          sent++;
          if (dropAfter > 0 && sent >= dropAfter) {
            socket.destroy();
            stop();
            return;
          }
        }
      }
    } catch {
      /* the client went away, or the engine stopped */
    }
    if (open) socket.end(wsFrame(0x8, Buffer.from([0x03, 0xe8])));
  }

  async function route(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const token = auth?.[1] ?? '';
    if (auth) uses.set(token, (uses.get(token) ?? 0) + 1);
    const pendingRejects = rejections.get(token) ?? 0;
    if (pendingRejects > 0) {
      rejections.set(token, pendingRejects - 1);
      throw new HttpError(401, 10000, 'Authentication error');
    }
    const owned = accountTokens[token];
    const scope = auth ? tokens[token] ?? owned?.scope : undefined;
    if (!scope) throw new HttpError(401, 10000, 'Authentication error');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'client' || parts[1] !== 'v4') throw new HttpError(404, 7003, 'No route for the URI');
    const p = parts.slice(2);

    // GUESS (the API pages document only the success shape): the user endpoint refuses an account-owned
    // token with 401 and code 1000 "Invalid API Token", and the account endpoint refuses a user token
    // or another account's token the same way.
    if (method === 'GET' && p.join('/') === 'user/tokens/verify') {
      if (owned) throw new HttpError(401, 1000, 'Invalid API Token');
      send(res, 200, envelope({ id: uuidFor(token), status: 'active' }));
      return;
    }
    if (method === 'GET' && p.length === 4 && p[0] === 'accounts' && p[2] === 'tokens' && p[3] === 'verify') {
      if (owned?.accountId !== p[1]) throw new HttpError(401, 1000, 'Invalid API Token');
      send(res, 200, envelope({ id: uuidFor(token), status: 'active' }));
      return;
    }
    if (method === 'GET' && p.length === 1 && p[0] === 'accounts') {
      const { page, perPage } = pageParams(url);
      // An account-owned token sees only its own account.
      const visible = owned ? accounts.filter((a) => a.id === owned.accountId) : accounts;
      const slice = visible.slice((page - 1) * perPage, page * perPage).map((a) => ({ ...a, type: 'standard', created_on: '2026-01-01T00:00:00Z' }));
      send(res, 200, envelope(slice, { page, per_page: perPage, count: slice.length, total_count: visible.length, total_pages: Math.ceil(visible.length / perPage) }));
      return;
    }
    if (p[0] !== 'accounts' || p[2] !== 'workflows') throw new HttpError(404, 7003, 'No route for the URI');
    if (!accounts.some((a) => a.id === p[1]) || (owned && owned.accountId !== p[1])) throw new HttpError(403, 10000, 'Authentication error');
    if (method !== 'GET' && scope !== 'write') throw new HttpError(403, 10000, 'Authentication error');

    const [, , , name, sub, id, action, extra] = p;
    const wf = name === undefined ? '' : `/workflows/${encodeURIComponent(name)}`;
    const inst = id === undefined ? '' : `${wf}/instances/${encodeURIComponent(id)}`;

    // /workflows
    if (name === undefined) {
      if (method !== 'GET') throw new HttpError(405, 10000, 'Method not allowed');
      const { page, perPage } = pageParams(url);
      const search = url.searchParams.get('search');
      let list = (await must('GET', '/workflows')) as Json[];
      if (search) list = list.filter((w) => String(w.name).includes(search));
      const slice = list.slice((page - 1) * perPage, page * perPage);
      const rows = await Promise.all(
        slice.map(async (w) => {
          const d = (await must('GET', `/workflows/${encodeURIComponent(String(w.name))}`)) as Json;
          return { id: uuidFor(String(w.name)), created_on: '2026-01-01T00:00:00Z', modified_on: '2026-01-01T00:00:00Z', triggered_on: null, schedules: schedulesOf(String(w.name), schedules), ...w, instances: d.instances ?? {} };
        }),
      );
      send(res, 200, envelope(rows, { page, per_page: perPage, count: rows.length, total_count: list.length, total_pages: Math.ceil(list.length / perPage) }));
      return;
    }
    // /workflows/{name}
    if (sub === undefined) {
      if (method !== 'GET') throw new HttpError(405, 10000, 'Method not allowed');
      const d = (await must('GET', wf)) as Json;
      // `schedules` (CFTS WorkflowGetResponse: [{cron, next_instance}]) from the deployed config (see
      // deployedSchedules). GUESS: that production sends [] for a workflow without one rather than
      // leaving the field out.
      send(res, 200, envelope({ id: uuidFor(name), created_on: '2026-01-01T00:00:00Z', modified_on: '2026-01-01T00:00:00Z', triggered_on: null, schedules: schedulesOf(name, schedules), ...d }));
      return;
    }
    // GET /workflows/{name}/versions: the engine has no versions, so the gateway answers with the one
    // version id it stamps on every instance (GUESS at values; shape from CFTS versions.ts: id,
    // class_name, created_on, modified_on, workflow_id, has_dag, language).
    if (sub === 'versions' && id === undefined && method === 'GET') {
      const d = (await must('GET', wf)) as Json;
      const v = { id: uuidFor('version'), class_name: d.class_name, created_on: '2026-01-01T00:00:00Z', modified_on: '2026-01-01T00:00:00Z', workflow_id: uuidFor(name), has_dag: false, language: 'javascript' };
      send(res, 200, envelope([v], { page: 1, per_page: 100, count: 1, total_count: 1 }));
      return;
    }
    if (sub !== 'instances') throw new HttpError(404, 7003, 'No route for the URI');

    // /workflows/{name}/instances
    if (id === undefined) {
      if (method === 'GET') {
        const cursor = url.searchParams.get('cursor');
        let page: number;
        let perPage: number;
        let status = url.searchParams.get('status') ?? undefined;
        if (cursor) {
          const c = decodeCursor(cursor);
          page = c.p;
          perPage = c.n;
          status = c.s;
        } else {
          ({ page, perPage } = pageParams(url));
        }
        const q = new URLSearchParams({ page: String(page), per_page: String(perPage) });
        if (status) q.set('status', status);
        const r = await call('GET', `${wf}/instances?${q}`);
        if (!r.body?.success) translate(r);
        const items = ((r.body?.result as Json[]) ?? []).map((i) => ({
          id: i.id,
          status: i.status,
          created_on: i.created_on,
          modified_on: i.created_on,
          started_on: null,
          ended_on: null,
          version_id: uuidFor('version'),
          workflow_id: uuidFor(name),
          trigger_source: 'api',
        }));
        const info = r.body?.result_info ?? {};
        const totalPages = Number(info.total_pages ?? 1);
        const next = page < totalPages ? encodeCursor({ p: page + 1, n: perPage, ...(status ? { s: status } : {}) }) : '';
        const resultInfo: Json = { count: items.length, per_page: perPage, total_count: info.total_count ?? items.length, cursor: next };
        // The deprecated page parameter (still what the official SDK's auto-pager sends).
        if (!cursor && url.searchParams.has('page')) Object.assign(resultInfo, { page, total_pages: totalPages });
        send(res, 200, envelope(items, resultInfo));
        return;
      }
      if (method === 'POST') {
        const b = ((await readBody(req)) ?? {}) as Json;
        checkRetention(b.instance_retention, '');
        const created = (await must('POST', `${wf}/instances`, { id: b.instance_id, params: b.params })) as Json;
        if (b.instance_retention !== undefined) retentions.set(String(created.id), b.instance_retention);
        send(res, 200, envelope({ id: created.id, status: 'queued', version_id: uuidFor('version'), workflow_id: uuidFor(name) }));
        return;
      }
      throw new HttpError(405, 10000, 'Method not allowed');
    }

    // /workflows/{name}/instances/batch and /batch/delete
    if (id === 'batch' && method === 'POST' && action === undefined) {
      const items = await readBody(req);
      if (!Array.isArray(items) || items.length === 0 || items.length > 100) throw new HttpError(400, 10001, 'body: expected 1 to 100 instances');
      const ids = items.map((i: Json) => i.instance_id).filter((x) => x !== undefined);
      if (new Set(ids).size !== ids.length) throw new HttpError(400, 10415, 'workflows.api.error.instance.duplicate_in_batch');
      (items as Json[]).forEach((i, n) => checkRetention(i.instance_retention, `[${n}].`));
      const out: Json[] = [];
      for (const i of items as Json[]) {
        const created = (await must('POST', `${wf}/instances`, { id: i.instance_id, params: i.params })) as Json;
        if (i.instance_retention !== undefined) retentions.set(String(created.id), i.instance_retention);
        out.push({ id: created.id, status: 'queued', version_id: uuidFor('version'), workflow_id: uuidFor(name) });
      }
      send(res, 200, envelope(out));
      return;
    }
    if (id === 'batch' && action === 'delete' && method === 'POST') {
      const b = (await readBody(req)) as Json;
      send(res, 200, envelope(await must('POST', `${wf}/instances/batch/delete`, { instances: b?.instances })));
      return;
    }

    // POST /workflows/{name}/instances/batch/terminate: a JSON array of 1–100 ids → {instancesTerminated, status}.
    // GUESS (workflows-api.md §1.2 row 20 is [secondary], spec-derived; absent from the SDK and the API
    // pages): the body shape, the limit of 100 and the result fields are taken from that listing. Ids
    // that cannot be terminated (finished, unknown) are skipped and simply not counted.
    if (id === 'batch' && action === 'terminate' && method === 'POST') {
      const ids = await readBody(req);
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100 || !ids.every((x) => typeof x === 'string')) throw new HttpError(400, 10001, 'body: expected 1 to 100 instance ids');
      let terminated = 0;
      for (const one of new Set(ids as string[])) {
        try {
          await changeStatus(`${wf}/instances/${encodeURIComponent(one)}/status`, { status: 'terminate' });
          terminated++;
        } catch (e) {
          if (!(e instanceof HttpError)) throw e;
        }
      }
      send(res, 200, envelope({ instancesTerminated: terminated, status: 'ok' }));
      return;
    }

    // /workflows/{name}/instances/{id}[/...]
    if (action === undefined) {
      if (method === 'GET') {
        const d = (await must('GET', inst)) as Json;
        send(res, 200, envelope(prodDetail(d, url)));
        return;
      }
      if (method === 'DELETE') {
        await must('DELETE', inst);
        send(res, 200, envelope({ instanceId: id, timestamp: new Date().toISOString() }));
        return;
      }
      throw new HttpError(405, 10000, 'Method not allowed');
    }
    if (action === 'status' && method === 'PATCH') {
      const b = ((await readBody(req)) ?? {}) as Json;
      if (!['pause', 'resume', 'terminate', 'restart'].includes(String(b.status))) throw new HttpError(400, 10001, 'status: Invalid option');
      await changeStatus(`${inst}/status`, b);
      const d = (await must('GET', inst)) as Json;
      send(res, 200, envelope({ status: d.status, timestamp: new Date().toISOString() }));
      return;
    }
    if (action === 'events' && extra !== undefined && method === 'POST') {
      const b = await readBody(req);
      await must('POST', `${inst}/events/${encodeURIComponent(extra)}`, b ?? {});
      send(res, 200, envelope({ instanceId: id, timestamp: new Date().toISOString() }));
      return;
    }
    if (action === 'step' && method === 'GET') {
      const stepName = url.searchParams.get('name');
      const type = url.searchParams.get('type');
      if (!stepName || (type !== 'step' && type !== 'waitForEvent')) throw new HttpError(400, 10001, 'name and type are required');
      const d = (await must('GET', inst)) as Json;
      const step = ((d.steps as Json[]) ?? []).find((s) => s.name === stepName && s.type === type);
      if (!step) throw new HttpError(404, 10401, 'workflows.api.error.step.not_found');
      const done = step.end !== null && step.end !== undefined;
      send(res, 200, envelope({ status: done ? (step.success === false || step.error ? 'errored' : 'complete') : 'running', error: step.error ?? null, output: step.output ?? null, ...(type === 'waitForEvent' ? { event_type: 'unknown' } : {}) }));
      return;
    }
    throw new HttpError(404, 7003, 'No route for the URI');
  }

  /** The WebSocket endpoint: the same authentication as every call, then serveSubscribe. */
  async function upgrade(req: IncomingMessage, url: URL, socket: Duplex): Promise<void> {
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const token = auth?.[1] ?? '';
    if (auth) uses.set(token, (uses.get(token) ?? 0) + 1);
    const pendingRejects = rejections.get(token) ?? 0;
    if (pendingRejects > 0) {
      rejections.set(token, pendingRejects - 1);
      throw new HttpError(401, 10000, 'Authentication error');
    }
    const owned = accountTokens[token];
    if (!(auth ? tokens[token] ?? owned?.scope : undefined)) throw new HttpError(401, 10000, 'Authentication error');
    const p = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [client, v4, accountsSeg, account, workflowsSeg, name, instancesSeg, id, action] = p;
    if (client !== 'client' || v4 !== 'v4' || accountsSeg !== 'accounts' || workflowsSeg !== 'workflows' || instancesSeg !== 'instances' || action !== 'subscribe' || p.length !== 9) throw new HttpError(404, 7003, 'No route for the URI');
    if (!accounts.some((a) => a.id === account) || (owned && owned.accountId !== account)) throw new HttpError(403, 10000, 'Authentication error');
    await serveSubscribe(req, url, socket, name, id);
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://gateway');
    const entry = { method: req.method ?? '', path: url.pathname + url.search, status: 0 };
    log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    // Test support only (not part of the Cloudflare API): what the gateway received, so a test in the
    // extension host can count requests. Served before authentication; it holds no tokens.
    if (req.method === 'GET' && url.pathname === '/__gateway/log') {
      send(res, 200, log.filter((l) => !l.path.startsWith('/__gateway/')));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/__gateway/retention') {
      send(res, 200, Object.fromEntries(retentions));
      return;
    }
    // Test support only, for the token in the request's own Authorization header (so no token sits in
    // a URL): POST ?accept=read|write&rejectNext=N does addToken/rejectNext; GET answers {uses}.
    if (url.pathname === '/__gateway/token') {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      req.resume();
      if (!bearer) {
        send(res, 400, failure(10001, 'a Bearer token is required'));
        return;
      }
      if (req.method === 'POST') {
        const accept = url.searchParams.get('accept');
        if (accept === 'read' || accept === 'write') tokens[bearer] = accept;
        const n = Number(url.searchParams.get('rejectNext') ?? 0);
        if (Number.isInteger(n) && n > 0) rejections.set(bearer, n);
      }
      send(res, 200, { uses: uses.get(bearer) ?? 0 });
      return;
    }
    // Test support only: POST /__gateway/notice?code=N&message=… puts one notice into the next success envelope.
    if (req.method === 'POST' && url.pathname === '/__gateway/notice') {
      req.resume();
      notice = { code: Number(url.searchParams.get('code') ?? 0) || 0, message: url.searchParams.get('message') ?? '' };
      send(res, 200, notice);
      return;
    }
    // Test support only: POST /__gateway/stream?mode=on|404|501&dropAfter=N is setStream for host-side tests.
    if (req.method === 'POST' && url.pathname === '/__gateway/stream') {
      req.resume();
      const mode = url.searchParams.get('mode') ?? 'on';
      if (mode !== 'on' && mode !== '404' && mode !== '501') {
        send(res, 400, failure(10001, 'mode must be on, 404 or 501'));
        return;
      }
      streamMode = mode;
      dropAfter = Number(url.searchParams.get('dropAfter') ?? 0) || 0;
      send(res, 200, { mode: streamMode, dropAfter });
      return;
    }
    if (pending429 > 0) {
      pending429--;
      req.resume();
      send(res, 429, failure(971, 'Please wait and consider throttling your request speed'), { 'retry-after': String(retryAfter) });
      return;
    }
    route(req, url, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) send(res, e.status, failure(e.code, e.message));
      else send(res, 500, failure(10000, `gateway: ${e instanceof Error ? e.message : String(e)}`));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://gateway');
    const entry = { method: req.method ?? '', path: url.pathname + url.search, status: 101 };
    log.push(entry);
    socket.on('error', () => undefined);
    upgrade(req, url, socket).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      entry.status = status;
      if (socket.destroyed) return;
      const body = JSON.stringify(e instanceof HttpError ? failure(e.code, e.message) : failure(10000, `gateway: ${e instanceof Error ? e.message : String(e)}`));
      socket.end(`HTTP/1.1 ${status} Error\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const [writeToken, readToken] = [Object.keys(tokens).find((t) => tokens[t] === 'write') ?? '', Object.keys(tokens).find((t) => tokens[t] === 'read') ?? ''];
  return {
    url,
    apiBase: `${url}/client/v4`,
    accountId: accounts[0].id,
    accountToken: Object.keys(accountTokens).find((t) => accountTokens[t].accountId === accounts[0].id) ?? '',
    writeToken,
    readToken,
    get requests() {
      return requests;
    },
    get engineRequests() {
      return engineRequests;
    },
    log,
    addToken(token, scope) {
      tokens[token] = scope;
    },
    rejectNext(token, n) {
      rejections.set(token, n);
    },
    tokenUses(token) {
      return uses.get(token) ?? 0;
    },
    retention(id) {
      return retentions.get(id);
    },
    setStream(mode, drop = 0) {
      streamMode = mode;
      dropAfter = drop;
    },
    inject429(n, sec) {
      pending429 = n;
      retryAfter = sec;
    },
    resetCounts() {
      requests = 0;
      engineRequests = 0;
      log.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await engine.close();
    },
  };
}
