// Shared by the API unit tests: envelopes, a MockAgent with net connect off, an in-process HTTP server
// for what MockAgent cannot fake (resets, truncated or endless bodies), and error assertions.
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MockAgent } from 'undici';
import { isApiError, type ErrorKind, type WorkflowsApiError } from '../../../src/api';

export interface TestEnvelope {
  success: boolean;
  errors: { code: number; message: string }[];
  messages: unknown[];
  result: unknown;
  result_info?: unknown;
}
export const ok = (result: unknown, result_info?: unknown): TestEnvelope => ({ success: true, errors: [], messages: [], result, ...(result_info ? { result_info } : {}) });
export const fail = (code: number, message: string): TestEnvelope => ({ success: false, errors: [{ code, message }], messages: [], result: null });
export const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };

export function mockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

/** Awaits a rejection and checks it is a WorkflowsApiError of `kind`. */
export async function expectApiError(p: Promise<unknown>, kind: ErrorKind, message?: RegExp): Promise<WorkflowsApiError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected a ${kind} error, but the call succeeded`);
  assert.ok(isApiError(caught), `expected WorkflowsApiError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, `kind: ${caught.kind}: ${caught.message}`);
  if (message) assert.match(caught.message, message);
  return caught;
}

export interface TestServer {
  url: string;
  server: Server;
  /** Requests received, in order. */
  log: { method: string; url: string; body: string; headers: IncomingMessage['headers'] }[];
  connections: number;
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1:0 whose handler gets the buffered request body. */
export async function testServer(handler: (req: IncomingMessage, res: ServerResponse, body: string, socket: Socket) => void | Promise<void>): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const t: TestServer = {
    url: '',
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        t.log.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
        void Promise.resolve(handler(req, res, body, req.socket)).catch((e: unknown) => {
          res.destroy(e as Error);
        });
      });
    }),
    log: [],
    connections: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => t.server.close(() => r()));
    },
  };
  t.server.on('connection', (s: Socket) => {
    t.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => t.server.listen(0, '127.0.0.1', () => r()));
  t.url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  return t;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
