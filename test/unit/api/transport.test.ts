// The transport against a real in-process HTTP server: retry policy (reads only, bounded, Retry-After),
// timeouts, cancellation, broken bodies, connection reuse and bounded concurrency.
import * as assert from 'node:assert/strict';
import { cloudBackend, localBackend, type LocalWorkflowsBackend } from '../../../src/api';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from '../../../src/api/transport';
import { expectApiError, fail, ok, sendJson, testServer, type TestServer } from './helpers';

const API = '/cdn-cgi/local/explorer/api';

describe('api/transport', () => {
  describe('policy', () => {
    it('parses Retry-After as seconds or an HTTP date', () => {
      const now = Date.parse('2026-11-29T10:00:00Z');
      assert.equal(parseRetryAfter('3', now), 3000);
      assert.equal(parseRetryAfter('Sun, 29 Nov 2026 10:00:30 GMT', now), 30_000);
      assert.equal(parseRetryAfter('soon', now), undefined);
      assert.equal(parseRetryAfter(undefined, now), undefined);
      assert.equal(parseRetryAfter(['2', '9'], now), 2000);
    });
    it('backs off exponentially with jitter, capped at maxDelayMs', () => {
      const p = { ...DEFAULT_RETRY, baseDelayMs: 250, maxDelayMs: 8000 };
      assert.equal(backoffDelay(1, p, () => 0), 125);
      assert.equal(backoffDelay(1, p, () => 1), 250);
      assert.equal(backoffDelay(3, p, () => 1), 1000);
      assert.equal(backoffDelay(20, p, () => 1), 8000);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(2, p);
        assert.ok(d >= 250 && d <= 500, String(d));
      }
    });
  });

  describe('against a live server', () => {
    let srv: TestServer;
    let b: LocalWorkflowsBackend;
    let handler: Parameters<typeof testServer>[0];
    beforeEach(async () => {
      handler = (_req, res) => sendJson(res, 200, ok([]));
      srv = await testServer((req, res, body, socket) => handler(req, res, body, socket));
      b = localBackend({ baseUrl: `${srv.url}${API}`, retry: { baseDelayMs: 10 }, timeouts: { headersMs: 400, bodyMs: 400, requestMs: 5000 } });
    });
    afterEach(async () => {
      await b.close();
      await srv.close();
    });

    const countOf = (method: string) => srv.log.filter((l) => l.method === method).length;

    it('retries a read on 5xx and recovers', async () => {
      let n = 0;
      handler = (_req, res) => (++n < 3 ? sendJson(res, n === 1 ? 502 : 503, fail(10000, 'upstream')) : sendJson(res, 200, ok([{ name: 'w' }])));
      const list = await b.listWorkflows();
      assert.equal(list[0].name, 'w');
      assert.equal(srv.log.length, 3);
      assert.deepEqual(b.stats(), { requests: 3, retries: 2, inFlight: 0 });
    });

    it('gives up after 3 retries with kind server and the last response', async () => {
      handler = (_req, res) => sendJson(res, 500, fail(10001, 'engine exploded'), { 'cf-ray': 'r-1' });
      const e = await expectApiError(b.listWorkflows(), 'server', /engine exploded/);
      assert.equal(e.status, 500);
      assert.equal(srv.log.length, 4);
    });

    it('does not retry 4xx', async () => {
      handler = (_req, res) => sendJson(res, 400, fail(10001, 'per_page: Too big'));
      await expectApiError(b.listInstances('wf'), 'invalidInput', /Too big/);
      assert.equal(srv.log.length, 1);
    });

    it('honours Retry-After on 429 and then succeeds', async () => {
      let n = 0;
      handler = (_req, res) => (++n === 1 ? sendJson(res, 429, fail(971, 'slow down'), { 'retry-after': '1' }) : sendJson(res, 200, ok([])));
      const t0 = Date.now();
      await b.listWorkflows();
      assert.ok(Date.now() - t0 >= 950, `waited ${Date.now() - t0} ms`);
      assert.equal(srv.log.length, 2);
    });

    it('never retries a mutation on 5xx or a reset: the engine may have applied it', async () => {
      handler = (_req, res) => sendJson(res, 503, fail(10000, 'busy'));
      await expectApiError(b.createInstance('wf', { id: 'once' }), 'server');
      assert.equal(countOf('POST'), 1);
      handler = (_req, _res, _body, socket) => {
        socket.destroy();
      };
      await expectApiError(b.changeStatus('wf', 'i', 'pause'), 'network');
      assert.equal(countOf('PATCH'), 1);
      await expectApiError(b.sendEvent('wf', 'i', 'e', {}), 'network');
      await expectApiError(b.deleteInstance('wf', 'i'), 'network');
      assert.equal(countOf('POST'), 2);
      assert.equal(countOf('DELETE'), 1);
      assert.equal(b.stats().retries, 0);
    });

    it('retries a read after a connection reset', async () => {
      let n = 0;
      handler = (_req, res, _body, socket) => {
        if (++n === 1) socket.destroy();
        else sendJson(res, 200, ok([]));
      };
      await b.listWorkflows();
      assert.equal(srv.log.length, 2);
    });

    it('a 200 that is not JSON is malformedResponse, not retried', async () => {
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>Welcome to nginx</html>');
      };
      await expectApiError(b.listWorkflows(), 'malformedResponse', /not JSON/);
      assert.equal(srv.log.length, 1);
    });

    it('JSON of the wrong shape is malformedResponse', async () => {
      handler = (_req, res) => sendJson(res, 200, ok({ not: 'a list' }));
      await expectApiError(b.listWorkflows(), 'malformedResponse', /should be an array/);
      handler = (_req, res) => sendJson(res, 200, { hello: 'world' });
      await expectApiError(b.listWorkflows(), 'malformedResponse', /success/);
    });

    it('a complete but truncated JSON body is malformedResponse', async () => {
      handler = (_req, res) => {
        const text = JSON.stringify(ok([{ name: 'w' }])).slice(0, 30);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
        res.end(text);
      };
      await expectApiError(b.listWorkflows(), 'malformedResponse');
    });

    it('a body cut off mid-way fails as network or malformed, quickly', async () => {
      handler = (_req, res) => {
        const text = JSON.stringify(ok([{ name: 'w'.repeat(1000) }]));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
        res.write(text.slice(0, 200), () => res.socket?.destroy());
      };
      const t0 = Date.now();
      const e = await b.listWorkflows().then(
        () => assert.fail('should fail'),
        (err: unknown) => err as { kind: string },
      );
      // Depending on timing the client sees the reset (network) or a short body (malformed).
      assert.ok(['network', 'malformedResponse'].includes(e.kind), e.kind);
      assert.ok(Date.now() - t0 < 3000);
    });

    it('a body that never finishes times out (body timeout)', async () => {
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
        res.write('{"success":true,');
      };
      const t0 = Date.now();
      await expectApiError(b.listWorkflows(), 'timeout', /stopped sending/);
      assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
    });

    it('headers that never come time out (headers timeout)', async () => {
      handler = () => undefined;
      const t0 = Date.now();
      await expectApiError(b.listWorkflows(), 'timeout', /did not start answering/);
      assert.ok(Date.now() - t0 < 2000);
    });

    it('the overall deadline bounds retries and waits', async () => {
      const slow = localBackend({ baseUrl: `${srv.url}${API}`, timeouts: { requestMs: 600 }, retry: { baseDelayMs: 10 } });
      handler = (_req, res) => sendJson(res, 503, fail(1, 'busy'), { 'retry-after': '2' });
      const t0 = Date.now();
      // Retry-After (2 s) would pass the deadline, so the 503 is reported at once.
      await expectApiError(slow.listWorkflows(), 'server');
      assert.ok(Date.now() - t0 < 500);
      handler = () => undefined;
      await expectApiError(slow.listWorkflows(), 'timeout', /within 600 ms/);
      await slow.close();
    });

    it('cancels a request in flight', async () => {
      handler = () => undefined;
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const t0 = Date.now();
      await expectApiError(b.listWorkflows({ signal: ac.signal }), 'cancelled', /Cancelled: list workflows/);
      assert.ok(Date.now() - t0 < 300);
    });

    it('cancels during a retry wait', async () => {
      handler = (_req, res) => sendJson(res, 503, fail(1, 'busy'), { 'retry-after': '3' });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const t0 = Date.now();
      await expectApiError(b.listWorkflows({ signal: ac.signal }), 'cancelled');
      assert.ok(Date.now() - t0 < 500, `took ${Date.now() - t0} ms`);
      assert.equal(srv.log.length, 1);
    });

    it('close() does not wait for a hanging request beyond its grace period', async () => {
      handler = () => undefined;
      const slow = localBackend({ baseUrl: `${srv.url}${API}`, timeouts: { headersMs: 60_000, requestMs: 60_000 } });
      const pending = slow.listWorkflows().then(
        () => 'ok',
        (e: unknown) => (e as { kind: string }).kind,
      );
      await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      await slow.close();
      assert.ok(Date.now() - t0 < 3000, `close took ${Date.now() - t0} ms`);
      assert.equal(await pending, 'network');
    });

    it('an already-aborted signal sends nothing', async () => {
      await expectApiError(b.listWorkflows({ signal: AbortSignal.abort() }), 'cancelled');
      assert.equal(srv.log.length, 0);
    });

    it('reuses keep-alive connections for sequential calls', async () => {
      for (let i = 0; i < 20; i++) await b.listWorkflows();
      // The pool may open a second socket while the first is being released; never one per call.
      assert.ok(srv.connections <= 2, `${srv.connections} connections for 20 calls`);
    });

    it('keeps at most 6 requests in flight', async () => {
      let active = 0;
      let peak = 0;
      handler = async (_req, res) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 30));
        active--;
        sendJson(res, 200, ok([]));
      };
      await Promise.all(Array.from({ length: 30 }, () => b.listWorkflows()));
      assert.equal(peak, 6);
      assert.ok(srv.connections <= 6);
      assert.equal(srv.log.length, 30);
    });

    it('a refused connection is a network error that names wrangler dev', async () => {
      const port = Number(new URL(srv.url).port);
      await srv.close();
      const dead = localBackend({ baseUrl: `http://127.0.0.1:${port}${API}`, retry: { baseDelayMs: 5 } });
      const e = await expectApiError(dead.listWorkflows(), 'network', /wrangler dev/);
      assert.equal(e.extra.code, 'ECONNREFUSED');
      assert.equal(dead.stats().requests, 4, 'reads retry a refused connection');
      // A create that could not even connect was never sent, so it may be retried too.
      await expectApiError(dead.createInstance('wf', {}), 'network');
      assert.equal(dead.stats().requests, 8);
      await dead.close();
      srv = await testServer(() => undefined); // for afterEach
    });
  });

  describe('rate limits from the server', () => {
    let srv: TestServer;
    beforeEach(async () => {
      srv = await testServer((_req, res) => sendJson(res, 429, fail(971, 'Please wait and consider throttling your request speed'), { 'retry-after': '120' }));
    });
    afterEach(() => srv.close());

    it('a Retry-After beyond the bound → rateLimited with retryAt; later reads fail fast without a request', async () => {
      const b = cloudBackend({ apiToken: 't', accountId: 'acc', baseUrl: `${srv.url}/client/v4` });
      const e = await expectApiError(b.listWorkflows(), 'rateLimited', /^Rate limited by Cloudflare; retry at \d\d:\d\d$/);
      const at = e.extra.retryAt?.getTime() ?? 0;
      assert.ok(Math.abs(at - (Date.now() + 120_000)) < 5000);
      assert.equal(srv.log.length, 1, 'not retried');
      await expectApiError(b.getWorkflow('w'), 'rateLimited');
      assert.equal(srv.log.length, 1, 'blocked until retryAt');
      assert.ok(b.stats().budget?.blockedUntil);
      await b.close();
    });
  });
});
