// Bounded responses against a real in-process server: a body over the call's size limit (declared or
// streamed), JSON nested deeper than the limit (a 200,000-deep array), each a 'tooLarge' error that
// names the call; plus the checks that run before any request (dot segments, https for cloud).
import * as assert from 'node:assert/strict';
import { cloudBackend, localBackend, type LocalWorkflowsBackend } from '../../../src/api';
import { jsonDepthExceeds, MAX_JSON_DEPTH, RESPONSE_LIMITS, Transport } from '../../../src/api/transport';
import { expectApiError, ok, sendJson, testServer, type TestServer } from './helpers';

const API = '/cdn-cgi/local/explorer/api';

describe('api/limits', () => {
  let srv: TestServer;
  let handler: Parameters<typeof testServer>[0];
  beforeEach(async () => {
    handler = (_req, res) => sendJson(res, 200, ok([]));
    srv = await testServer((req, res, body, socket) => handler(req, res, body, socket));
  });
  afterEach(async () => {
    await srv.close();
  });

  const transport = (limits: ConstructorParameters<typeof Transport>[0]['limits']) => new Transport({ baseUrl: srv.url, service: 'the test server', rateLimitService: 'test', limits, retry: { maxRetries: 0 } });

  it('refuses a body over the detail limit that its Content-Length announces, without reading it', async () => {
    handler = (_req, res) => sendJson(res, 200, ok({ blob: 'x'.repeat(5000) }));
    const t = transport({ detail: 4096 });
    const e = await expectApiError(t.call({ method: 'GET', path: '/x', op: 'get instance "a" of workflow "w"', response: 'detail' }), 'tooLarge', /more than 4 KiB in one response \(get instance "a" of workflow "w"\)/);
    assert.equal(e.status, 200);
  });

  it('stops reading a streamed (chunked) body as soon as it passes the step-output limit', async () => {
    let written = 0;
    let closed: Promise<void> | undefined;
    handler = (_req, res) => {
      closed = new Promise((r) => res.on('close', () => r()));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"success":true,"errors":[],"messages":[],"result":"');
      const chunk = 'y'.repeat(16 * 1024);
      // Endless unless the client hangs up: the limit, not the end of the body, must end the read.
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    };
    const t = transport({ stepOutput: 256 * 1024 });
    await expectApiError(t.call({ method: 'GET', path: '/step', op: 'get the output of step "s"', response: 'stepOutput' }), 'tooLarge', /more than 256 KiB.*get the output of step "s"/);
    await closed;
    assert.ok(written < 8 * 1024 * 1024, `the client hung up early (${written} bytes were written)`);
    await t.close();
  });

  it('applies the list limit to a page of instances from the real local client (16 MiB)', async () => {
    const big = 'z'.repeat(RESPONSE_LIMITS.list + 1024);
    handler = (req, res) => sendJson(res, 200, req.url?.includes('/instances') ? ok([{ id: 'a', status: 'running', created_on: '2026-01-01T00:00:00Z', modified_on: '2026-01-01T00:00:00Z', note: big }]) : ok([]));
    const b: LocalWorkflowsBackend = localBackend({ baseUrl: `${srv.url}${API}`, retry: { maxRetries: 0 } });
    try {
      await expectApiError(b.listInstances('wf'), 'tooLarge', /more than 16 MiB in one response \(list instances of workflow "wf"\)/);
    } finally {
      await b.close();
    }
  });

  it('refuses a 200,000-deep array cleanly instead of overflowing the stack later (structuredClone, JSON.stringify)', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"success":true,"errors":[],"messages":[],"result":{"id":"a","status":"complete","steps":[],"output":${deep}}}`);
    };
    const b = localBackend({ baseUrl: `${srv.url}${API}`, retry: { maxRetries: 0 } });
    try {
      await expectApiError(b.getInstance('wf', 'a'), 'tooLarge', new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels \\(get instance "a" of workflow "wf"\\)`));
    } finally {
      await b.close();
    }
  });

  it('counts nesting outside strings only', () => {
    assert.equal(jsonDepthExceeds('[[[1]]]', 3), false);
    assert.equal(jsonDepthExceeds('[[[[1]]]]', 3), true);
    assert.equal(jsonDepthExceeds(`["${'['.repeat(1000)}"]`, 3), false);
    assert.equal(jsonDepthExceeds(`["\\"[[[[", {"a":[[[1]]]}]`, 3), true);
    assert.equal(jsonDepthExceeds(`["\\\\", [[1]]]`, 3), false);
  });

  for (const bad of ['.', '..']) {
    it(`refuses "${bad}" as an instance id and as a workflow name before any request`, async () => {
      const b = localBackend({ baseUrl: `${srv.url}${API}`, retry: { maxRetries: 0 } });
      try {
        await expectApiError(b.getInstance('wf', bad), 'invalidInput', new RegExp(`Instance ID must not be "${bad.replace(/\./g, '\\.')}"`));
        await expectApiError(b.changeStatus('wf', bad, 'terminate'), 'invalidInput');
        await expectApiError(b.deleteInstance('wf', bad), 'invalidInput');
        await expectApiError(b.listInstances(bad), 'invalidInput', /Workflow name must not be/);
        await expectApiError(b.getInstance(bad, 'a'), 'invalidInput');
        await expectApiError(b.sendEvent(bad, 'a', 't', {}), 'invalidInput');
        assert.deepEqual(srv.log, [], 'nothing was sent');
      } finally {
        await b.close();
      }
    });
  }
  it('refuses an empty instance id and workflow name before any request', async () => {
    const b = localBackend({ baseUrl: `${srv.url}${API}`, retry: { maxRetries: 0 } });
    try {
      await expectApiError(b.getInstance('wf', ''), 'invalidInput', /must not be empty/);
      await expectApiError(b.getInstance('', 'a'), 'invalidInput', /must not be empty/);
      assert.deepEqual(srv.log, []);
    } finally {
      await b.close();
    }
  });

  it('sends a cloud token only over https (plain http only to loopback, for the test gateway)', async () => {
    for (const baseUrl of ['http://api.example.com/client/v4', 'http://127.0.0.1.attacker.example/client/v4', 'ftp://api.example.com/', 'not a url']) {
      assert.throws(() => cloudBackend({ apiToken: 't', accountId: 'a', baseUrl }), (e: Error & { kind?: string }) => e.kind === 'invalidInput' && /https:\/\/|not a URL|Unsupported/.test(e.message), baseUrl);
    }
    const b = cloudBackend({ apiToken: 't', accountId: 'acc', baseUrl: `${srv.url}/client/v4`, retry: { maxRetries: 0 }, rateBudget: false });
    handler = (_req, res) => sendJson(res, 200, ok([]));
    await b.listWorkflows();
    assert.equal(srv.log.length, 1, 'loopback http is allowed');
    await b.close();
  });
});
