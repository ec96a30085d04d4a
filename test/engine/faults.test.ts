// The local backend through a fault-injecting proxy in front of a real engine: reads recover or fail with
// the right kind within their timeout, no mutation reaches the engine twice, nothing hangs.
import * as assert from 'node:assert/strict';
import { isApiError, localBackend, type ErrorKind, type LocalWorkflowsBackend } from '../../src/api';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { expectApiError } from '../unit/api/helpers';
import { parked, startSeeded, waitFor, type Engine } from './lib';

const DETAIL = /\/instances\/order-complete$/;
const TIMEOUTS = { headersMs: 1500, bodyMs: 1500, requestMs: 6000 };

describe('local backend through a fault-injecting proxy', function () {
  this.timeout(120_000);
  let engine: Engine;
  let proxy: FaultProxy;
  let b: LocalWorkflowsBackend;

  before(async function () {
    // Starting wrangler (bundling the fixture) can take minutes on a loaded 2-core machine.
    this.timeout(300_000);
    engine = await startSeeded('current', ['order-complete', 'approval-waiting', 'sleeper-running']);
    proxy = await startFaultProxy(engine.baseUrl);
    b = localBackend({ baseUrl: proxy.url, timeouts: TIMEOUTS, retry: { baseDelayMs: 50 } });
    await b.probe(); // API path detected before faults start
  });
  after(async () => {
    await b?.close();
    await proxy?.close();
    await engine?.stop();
  });
  beforeEach(() => proxy.clear());

  /** Runs `fn`, checks it ended within `ms`, returns elapsed time. */
  async function within<T>(ms: number, fn: () => Promise<T>): Promise<{ value: T; elapsed: number }> {
    const t0 = Date.now();
    const value = await fn();
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < ms, `took ${elapsed} ms (limit ${ms})`);
    return { value, elapsed };
  }

  const detail = () => b.getInstance('order-pipeline', 'order-complete');

  it('added latency: reads still succeed', async () => {
    proxy.add({ method: 'GET', fault: { kind: 'latency', ms: 400 }, times: 3 });
    const { elapsed } = await within(5000, async () => {
      await detail();
      await b.listInstances('order-pipeline');
      await b.listWorkflows();
    });
    assert.ok(elapsed >= 1200);
  });

  it('a 500/502/503 burst: the read recovers, reaching the engine once', async () => {
    const before = proxy.count(proxy.forwarded, 'GET', DETAIL);
    proxy.add({ path: DETAIL, fault: { kind: 'status', status: 500 } }, { path: DETAIL, fault: { kind: 'status', status: 502 } }, { path: DETAIL, fault: { kind: 'status', status: 503 } });
    const { value } = await within(3000, detail);
    assert.equal(value.status, 'complete');
    assert.equal(proxy.count(proxy.forwarded, 'GET', DETAIL) - before, 1);
  });

  it('a longer 503 outage: fails with kind server after 3 retries', async () => {
    const before = proxy.count(proxy.received, 'GET', DETAIL);
    proxy.add({ path: DETAIL, fault: { kind: 'status', status: 503 }, times: 10 });
    const e = await within(4000, () => expectApiError(detail(), 'server'));
    assert.equal(e.value.status, 503);
    assert.equal(proxy.count(proxy.received, 'GET', DETAIL) - before, 4);
  });

  it('429 with a short Retry-After: waits and recovers', async () => {
    proxy.add({ path: DETAIL, fault: { kind: 'status', status: 429, retryAfter: 1 } });
    const { elapsed } = await within(4000, detail);
    assert.ok(elapsed >= 950);
  });

  it('429 with a long Retry-After: fails at once with rateLimited and retryAt', async () => {
    proxy.add({ path: DETAIL, fault: { kind: 'status', status: 429, retryAfter: 600 } });
    const { value: e } = await within(1000, () => expectApiError(detail(), 'rateLimited', /retry at \d\d:\d\d/));
    assert.ok((e.extra.retryAt?.getTime() ?? 0) > Date.now() + 500_000);
  });

  it('a connection reset: the read recovers', async () => {
    proxy.add({ path: DETAIL, fault: { kind: 'reset' } }, { path: DETAIL, fault: { kind: 'reset' } });
    const { value } = await within(3000, detail);
    assert.equal(value.id, 'order-complete');
  });

  it('a body cut off mid-way: network error at once, and the next read works', async () => {
    proxy.add({ path: DETAIL, fault: { kind: 'truncate' } });
    await within(2000, () => expectApiError(detail(), 'network', /broke while reading/));
    assert.equal((await detail()).status, 'complete');
  });

  it('a complete but truncated JSON body: malformedResponse', async () => {
    proxy.add({ path: DETAIL, fault: { kind: 'truncateClean' } });
    await within(2000, () => expectApiError(detail(), 'malformedResponse'));
  });

  it('an HTML page instead of JSON: malformedResponse', async () => {
    proxy.add({ path: DETAIL, fault: { kind: 'nonJson' } });
    await within(2000, () => expectApiError(detail(), 'malformedResponse', /not JSON/));
  });

  it('a body that never finishes: timeout, not a hang', async () => {
    proxy.add({ path: DETAIL, fault: { kind: 'hang' } });
    await within(TIMEOUTS.bodyMs + 2000, () => expectApiError(detail(), 'timeout'));
  });

  it('headers that never come: timeout, not a hang', async () => {
    proxy.add({ path: DETAIL, fault: { kind: 'hangHeaders' } });
    await within(TIMEOUTS.headersMs + 2000, () => expectApiError(detail(), 'timeout'));
  });

  it('a hanging request is cancelled at once by its AbortSignal', async () => {
    proxy.add({ path: DETAIL, fault: { kind: 'hangHeaders' } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await within(600, () => expectApiError(b.getInstance('order-pipeline', 'order-complete', { signal: ac.signal }), 'cancelled'));
  });

  describe('mutations reach the engine at most once', () => {
    it('create: 502 after the engine created it → server error, one POST, the instance exists', async () => {
      proxy.add({ method: 'POST', fault: { kind: 'status', status: 502, afterForward: true } });
      const before = proxy.count(proxy.forwarded, 'POST');
      await expectApiError(b.createInstance('bulk-import', { id: 'fault-create', params: { count: 1 } }), 'server');
      assert.equal(proxy.count(proxy.forwarded, 'POST') - before, 1);
      assert.equal((await detailOf('bulk-import', 'fault-create')).id, 'fault-create');
      // Trying again is the user's call, and it is a conflict, not a second instance.
      await expectApiError(b.createInstance('bulk-import', { id: 'fault-create', params: { count: 1 } }), 'conflict');
    });

    it('status change: reset after the engine applied it → network error, one PATCH, the pause took effect', async () => {
      await waitFor(b, 'long-sleeper', 'sleeper-running', parked);
      proxy.add({ method: 'PATCH', fault: { kind: 'reset', afterForward: true } });
      const before = proxy.count(proxy.forwarded, 'PATCH');
      await expectApiError(b.changeStatus('long-sleeper', 'sleeper-running', 'pause'), 'network');
      assert.equal(proxy.count(proxy.forwarded, 'PATCH') - before, 1);
      await waitFor(b, 'long-sleeper', 'sleeper-running', (d) => d.status === 'paused');
    });

    it('send event: 503 before the engine → server error, never forwarded, instance still waiting', async () => {
      proxy.add({ method: 'POST', path: /\/events\//, fault: { kind: 'status', status: 503 }, times: 5 });
      const before = proxy.count(proxy.forwarded, 'POST', /\/events\//);
      await expectApiError(b.sendEvent('approval-gate', 'approval-waiting', 'decision', { approved: true }), 'server');
      assert.equal(proxy.count(proxy.forwarded, 'POST', /\/events\//), before);
      assert.equal(proxy.count(proxy.received, 'POST', /\/events\//) - before, 1, 'not retried');
      assert.equal((await detailOf('approval-gate', 'approval-waiting')).status, 'running');
    });

    it('delete: a body that never finishes → timeout, one DELETE', async () => {
      await b.createInstance('bulk-import', { id: 'fault-delete', params: { count: 1 } });
      proxy.add({ method: 'DELETE', fault: { kind: 'hang' } });
      const before = proxy.count(proxy.forwarded, 'DELETE');
      await within(TIMEOUTS.bodyMs + 2000, () => expectApiError(b.deleteInstance('bulk-import', 'fault-delete'), 'timeout'));
      assert.equal(proxy.count(proxy.forwarded, 'DELETE') - before, 1);
    });
  });

  it('a storm of mixed faults on 30 concurrent reads: every call settles with a success or an expected kind', async () => {
    const kinds = [
      { kind: 'latency', ms: 200 },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 429, retryAfter: 1 },
      { kind: 'reset' },
      { kind: 'truncate' },
      { kind: 'nonJson' },
      { kind: 'hang' },
    ] as const;
    for (let i = 0; i < 30; i++) proxy.add({ method: 'GET', fault: kinds[i % kinds.length] });
    const allowed: ErrorKind[] = ['network', 'malformedResponse', 'timeout', 'server', 'rateLimited'];
    const { value: outcomes } = await within(TIMEOUTS.requestMs + 3000, () =>
      Promise.all(
        Array.from({ length: 30 }, () =>
          detail().then(
            () => 'ok',
            (e: unknown) => (isApiError(e) ? e.kind : `unexpected: ${String(e)}`),
          ),
        ),
      ),
    );
    for (const o of outcomes) assert.ok(o === 'ok' || allowed.includes(o as ErrorKind), o);
    assert.ok(outcomes.filter((o) => o === 'ok').length >= 10, outcomes.join(','));
    proxy.clear();
    assert.equal((await detail()).status, 'complete', 'healthy afterwards');
  });

  async function detailOf(workflow: string, id: string) {
    return b.getInstance(workflow, id);
  }
});
