// A fault-injecting HTTP proxy for the space between a client and the engine. Queue faults with add();
// each matching request consumes one. Faults: added latency, an error status (optionally *after* the
// engine has handled the request, which is what makes retrying a mutation dangerous), 429 with
// Retry-After, connection resets (before or after forwarding), truncated bodies, non-JSON bodies, a
// body that never finishes and headers that never come. It counts what it receives and what reaches
// the engine, so a test can prove that no mutation arrived twice.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number; retryAfter?: number; body?: string; afterForward?: boolean }
  | { kind: 'reset'; afterForward?: boolean }
  /** Forward, then send the headers and half the body and cut the connection. */
  | { kind: 'truncate' }
  /** Forward, then send half the body with a matching Content-Length: a complete but broken message. */
  | { kind: 'truncateClean' }
  | { kind: 'nonJson' }
  /** Forward, send the headers and part of the body, then nothing more (the socket stays open). */
  | { kind: 'hang' }
  /** Never answer at all. */
  | { kind: 'hangHeaders' };

export interface FaultRule {
  method?: string;
  path?: RegExp;
  fault: Fault;
  /** How many matching requests it applies to. Default 1. */
  times?: number;
}

export interface ProxyRecord {
  method: string;
  path: string;
}

export interface FaultProxy {
  url: string;
  add(...rules: FaultRule[]): void;
  clear(): void;
  /** Every request the proxy received. */
  received: ProxyRecord[];
  /** Every request that reached the engine. */
  forwarded: ProxyRecord[];
  count(list: ProxyRecord[], method: string, path?: RegExp): number;
  close(): Promise<void>;
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: (FaultRule & { left: number })[] = [];
  const received: ProxyRecord[] = [];
  const forwarded: ProxyRecord[] = [];
  const sockets = new Set<Socket>();

  function take(method: string, path: string): Fault | undefined {
    const i = rules.findIndex((r) => (!r.method || r.method === method) && (!r.path || r.path.test(path)));
    if (i < 0) return undefined;
    const rule = rules[i];
    if (--rule.left <= 0) rules.splice(i, 1);
    return rule.fault;
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    forwarded.push({ method: req.method ?? '', path: req.url ?? '' });
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: upstream.host };
      delete headers['content-length'];
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...headers, 'content-length': String(body.length) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  function relay(res: ServerResponse, up: Upstream, body = up.body, extra: Record<string, string | number> = {}): void {
    const headers: Record<string, string | string[] | number> = {};
    for (const [k, v] of Object.entries(up.headers)) {
      if (v !== undefined && !['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(k)) headers[k] = v;
    }
    res.writeHead(up.status, { ...headers, 'content-length': body.length, ...extra });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const method = req.method ?? '';
    const path = req.url ?? '';
    received.push({ method, path });
    const fault = take(method, path);
    if (!fault) return relay(res, await forward(req, body));
    switch (fault.kind) {
      case 'latency':
        await new Promise((r) => setTimeout(r, fault.ms));
        return relay(res, await forward(req, body));
      case 'status': {
        if (fault.afterForward) await forward(req, body);
        const text = fault.body ?? JSON.stringify({ success: false, errors: [{ code: 10000, message: `injected ${fault.status}` }], messages: [], result: null });
        res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}) });
        res.end(text);
        return;
      }
      case 'reset':
        if (fault.afterForward) await forward(req, body);
        req.socket.destroy();
        return;
      case 'truncate': {
        const up = await forward(req, body);
        const half = up.body.subarray(0, Math.max(1, Math.floor(up.body.length / 2)));
        res.writeHead(up.status, { 'content-type': 'application/json', 'content-length': up.body.length });
        res.write(half, () => req.socket.destroy());
        return;
      }
      case 'truncateClean': {
        const up = await forward(req, body);
        return relay(res, up, up.body.subarray(0, Math.max(1, Math.floor(up.body.length / 2))));
      }
      case 'nonJson': {
        const text = '<html><body><h1>502 Bad Gateway</h1>cloudflare</body></html>';
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': text.length });
        res.end(text);
        return;
      }
      case 'hang': {
        const up = await forward(req, body);
        res.writeHead(up.status, { 'content-type': 'application/json', 'content-length': up.body.length });
        res.write(up.body.subarray(0, Math.min(16, up.body.length - 1)));
        return; // never ends
      }
      case 'hangHeaders':
        return; // never answers
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) {
          res.writeHead(502);
          res.end();
        } else res.destroy();
      });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    add: (...more) => rules.push(...more.map((r) => ({ ...r, left: r.times ?? 1 }))),
    clear: () => {
      rules.length = 0;
    },
    received,
    forwarded,
    count: (list, method, path) => list.filter((r) => r.method === method && (!path || path.test(r.path))).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
