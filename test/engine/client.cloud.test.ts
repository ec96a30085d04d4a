// The cloud backend end to end: production-shaped gateway (test/support/gateway.ts) in front of a real
// local engine. Bearer auth, cursor paging, batch create, 401/403 mapping, 429 recovery, no token leaks.
import * as assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { cloudBackend, listAccounts, verifyToken, type CloudWorkflowsBackend, type Step } from '../../src/api';
import { startGateway, type Gateway } from '../support/gateway';
import { expectApiError } from '../unit/api/helpers';
import { parked, startSeeded, waitFor, type Engine } from './lib';

const stepNamed = (steps: Step[], base: string) => steps.find((s) => s.name === `${base}-1`);

describe('cloud backend through a production-shaped gateway on a real engine', function () {
  this.timeout(120_000);
  let engine: Engine;
  let gw: Gateway;
  let b: CloudWorkflowsBackend;

  before(async function () {
    // Starting wrangler (bundling the fixture) can take minutes on a loaded 2-core machine.
    this.timeout(300_000);
    engine = await startSeeded('current');
    gw = await startGateway({ engineApiBase: engine.apiBase });
    b = cloudBackend({ apiToken: gw.writeToken, accountId: gw.accountId, baseUrl: gw.apiBase });
  });
  after(async () => {
    await b?.close();
    await gw?.close();
    await engine?.stop();
  });

  it('verifies the token and lists accounts', async () => {
    assert.equal((await verifyToken({ apiToken: gw.readToken, baseUrl: gw.apiBase })).status, 'active');
    const accounts = await listAccounts({ apiToken: gw.readToken, baseUrl: gw.apiBase });
    assert.deepEqual(
      accounts.map((a) => a.id),
      [gw.accountId],
    );
  });

  it('probe, list workflows with counts, get one', async () => {
    assert.match((await b.probe()).detail, new RegExp(gw.accountId));
    const list = await b.listWorkflows();
    assert.equal(list.length, 6, 'the fixture Worker has six Workflows');
    assert.ok(list.every((w) => w.instances !== undefined));
    const d = await b.getWorkflow('order-pipeline');
    assert.ok(d.instances.complete >= 1);
  });

  it('reads a detail with production fields and full step output', async () => {
    const d = await b.getInstance('order-pipeline', 'order-complete');
    assert.equal(d.status, 'complete');
    assert.equal(d.success, true);
    assert.deepEqual(d.trigger, { source: 'api' });
    assert.ok(d.versionId);
    const out = await b.getStepOutput('order-pipeline', 'order-complete', { stepName: 'load order-1', type: 'step' });
    assert.deepEqual(out.output, { orderId: 'A-1', items: 3, total: 42.5 });
    const simple = await b.getInstance('bulk-import', 'bulk-300', { simple: true });
    assert.equal(simple.stepCount, 300);
    assert.equal(simple.steps.length, 0);
    const desc = await b.getInstance('order-pipeline', 'order-complete', { order: 'desc' });
    assert.equal(desc.steps[desc.steps.length - 1].name, stepNamed(d.steps, 'load order')?.name);
  });

  it('batch-creates 130 instances (two batch requests) and pages each exactly once by cursor', async () => {
    gw.resetCounts();
    const items = Array.from({ length: 130 }, (_, i) => ({ id: `cloud-${i}`, params: { count: 1 } }));
    const r = await b.createInstances('bulk-import', items);
    assert.equal(r.failed.length, 0, r.failed.map((f) => f.error.message).join('\n'));
    assert.equal(r.created.length, 130);
    assert.equal(gw.log.filter((l) => l.method === 'POST' && l.path.endsWith('/instances/batch')).length, 2);
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await b.listInstances('bulk-import', { perPage: 40, next });
      seen.push(...page.instances.map((i) => i.id));
      next = page.next;
      pages++;
    } while (next && pages < 20);
    assert.equal(seen.length, new Set(seen).size, 'no instance twice');
    assert.equal(seen.length, 131);
    for (const it of items) assert.ok(seen.includes(it.id));
    assert.equal(pages, 4);
    const listCalls = gw.log.filter((l) => l.method === 'GET' && l.path.includes('/bulk-import/instances'));
    assert.ok(listCalls.slice(1).every((l) => l.path.includes('cursor=')), 'pages 2+ use the cursor');
    assert.ok(listCalls.every((l) => !/[?&]page=/.test(l.path)), 'never the deprecated page parameter');
  });

  it('reports a duplicate create as conflict (409) and sends it once', async () => {
    gw.resetCounts();
    await expectApiError(b.createInstance('order-pipeline', { id: 'order-complete' }), 'conflict', /already exists/);
    assert.equal(gw.requests, 1);
  });

  it('pause, resume, terminate, restart, send event, delete', async () => {
    await b.createInstance('long-sleeper', { id: 'cloud-life', params: { minutes: 600 } });
    await waitFor(b, 'long-sleeper', 'cloud-life', parked);
    await b.changeStatus('long-sleeper', 'cloud-life', 'pause');
    await waitFor(b, 'long-sleeper', 'cloud-life', (d) => d.status === 'paused');
    await b.changeStatus('long-sleeper', 'cloud-life', 'resume');
    await waitFor(b, 'long-sleeper', 'cloud-life', (d) => d.status === 'running');
    await b.changeStatus('long-sleeper', 'cloud-life', 'terminate');
    await waitFor(b, 'long-sleeper', 'cloud-life', (d) => d.status === 'terminated');
    await expectApiError(b.changeStatus('long-sleeper', 'cloud-life', 'terminate'), 'conflict');
    await b.changeStatus('long-sleeper', 'cloud-life', 'restart');
    await waitFor(b, 'long-sleeper', 'cloud-life', parked);

    await b.sendEvent('approval-gate', 'approval-waiting', 'decision', { approved: false });
    const done = await waitFor(b, 'approval-gate', 'approval-waiting', (d) => d.status === 'complete');
    assert.deepEqual(done.output, { approved: false });

    await b.deleteInstance('long-sleeper', 'cloud-life');
    await expectApiError(b.getInstance('long-sleeper', 'cloud-life'), 'notFound');
    const r = await b.deleteInstances('bulk-import', ['cloud-0', 'cloud-1', 'nope']);
    assert.deepEqual(r.deleted.sort(), ['cloud-0', 'cloud-1']);
    assert.deepEqual(r.failed, [{ id: 'nope', message: 'Instance not found.' }]);
  });

  it('workflow details and versions: the version each instance ran is one of the listed versions', async () => {
    const d = await b.getWorkflow('order-pipeline');
    assert.equal(d.className, 'OrderPipeline');
    assert.equal(d.triggeredOn, null);
    const versions = await b.listVersions('order-pipeline');
    assert.equal(versions.length, 1);
    assert.equal(versions[0].className, 'OrderPipeline');
    const page = await b.listInstances('order-pipeline', { perPage: 5 });
    const detail = await b.getInstance('order-pipeline', 'order-complete');
    for (const v of [page.instances[0].versionId, detail.versionId]) assert.equal(v, versions[0].id);
    assert.equal(page.instances[0].triggerSource, 'api');
  });

  it('terminates and deletes 120 instances with ⌈120/100⌉ = 2 requests each, reporting every item', async function () {
    this.timeout(240_000);
    const ids = Array.from({ length: 120 }, (_, i) => `batch-op-${i}`);
    const made = await b.createInstances('long-sleeper', ids.map((id) => ({ id, params: { minutes: 600 } })));
    assert.equal(made.failed.length, 0, made.failed.map((f) => f.error.message).join('\n'));
    gw.resetCounts();
    const t = await b.terminateInstances('long-sleeper', [...ids, 'nope']);
    assert.equal(gw.requests, 2);
    assert.ok(gw.log.every((l) => l.method === 'POST' && l.path.endsWith('/long-sleeper/instances/batch/terminate')), JSON.stringify(gw.log.slice(0, 3)));
    // The second batch holds 20 real ids and one unknown: its count is short, so it is all unconfirmed.
    assert.deepEqual(t.terminated, ids.slice(0, 100));
    assert.deepEqual(t.failed.map((f) => f.id), [...ids.slice(100), 'nope']);
    assert.match(t.failed[0].message, /reports 20 of 21 terminated/);
    for (const id of [ids[0], ids[119]]) await waitFor(b, 'long-sleeper', id, (d) => d.status === 'terminated');
    gw.resetCounts();
    const d = await b.deleteInstances('long-sleeper', ids);
    assert.equal(gw.requests, 2);
    assert.equal(gw.log.filter((l) => l.method === 'POST' && l.path.endsWith('/instances/batch/delete')).length, 2);
    assert.deepEqual([...d.deleted].sort(), [...ids].sort());
    assert.deepEqual(d.failed, []);
  });

  it('401 for an unknown token, 403 for writes with a read-only token', async () => {
    const stranger = cloudBackend({ apiToken: 'not-a-real-token', accountId: gw.accountId, baseUrl: gw.apiBase });
    const e = await expectApiError(stranger.listWorkflows(), 'auth');
    assert.equal(e.message, 'The API token was rejected (401). Update the token for this connection.');
    await expectApiError(verifyToken({ apiToken: 'not-a-real-token', baseUrl: gw.apiBase }), 'auth');
    await stranger.close();

    const reader = cloudBackend({ apiToken: gw.readToken, accountId: gw.accountId, baseUrl: gw.apiBase });
    assert.equal((await reader.listWorkflows()).length, 6, 'reads are allowed');
    await expectApiError(reader.changeStatus('long-sleeper', 'sleeper-running', 'pause'), 'permission', /Workers Scripts Write/);
    await expectApiError(reader.createInstance('bulk-import', { params: { count: 1 } }), 'permission', /Workers Scripts Write/);
    await reader.close();

    const otherAccount = cloudBackend({ apiToken: gw.readToken, accountId: 'ffffffffffffffffffffffffffffffff', baseUrl: gw.apiBase });
    await expectApiError(otherAccount.listWorkflows(), 'permission', /Workers Scripts Read/);
    await otherAccount.close();
  });

  it('recovers from 429s with a short Retry-After; fails fast with retryAt on a long one', async () => {
    gw.resetCounts();
    gw.inject429(2, 1);
    const t0 = Date.now();
    const d = await b.getInstance('order-pipeline', 'order-complete');
    assert.equal(d.status, 'complete');
    assert.ok(Date.now() - t0 >= 1900, 'waited for Retry-After twice');
    assert.equal(gw.requests, 3);

    const fresh = cloudBackend({ apiToken: gw.writeToken, accountId: gw.accountId, baseUrl: gw.apiBase });
    gw.inject429(1, 90);
    const e = await expectApiError(fresh.getInstance('order-pipeline', 'order-complete'), 'rateLimited', /^Rate limited by Cloudflare; retry at \d\d:\d\d$/);
    assert.ok((e.extra.retryAt?.getTime() ?? 0) > Date.now() + 80_000);
    // Until then it does not send anything.
    const before = gw.requests;
    await expectApiError(fresh.listWorkflows(), 'rateLimited');
    assert.equal(gw.requests, before);
    await fresh.close();
  });

  it('never shows the token: errors, backend object, stats', async () => {
    const secret = gw.writeToken;
    const leaks = (v: unknown) => [inspect(v, { depth: 10, showHidden: true }), JSON.stringify(v) ?? '', String(v)].some((s) => s.includes(secret));
    const errors: unknown[] = [];
    for (const p of [b.getInstance('order-pipeline', 'nope'), b.changeStatus('long-sleeper', 'sleeper-terminated', 'terminate'), b.createInstance('order-pipeline', { id: 'order-complete' })]) {
      await p.catch((e: unknown) => errors.push(e));
    }
    assert.equal(errors.length, 3);
    for (const e of errors) assert.ok(!leaks(e), inspect(e));
    assert.ok(!leaks(b));
    assert.ok(!leaks(b.stats()));
    assert.ok(!leaks(b.describe()));
  });

  it('counts requests and budget', () => {
    const s = b.stats();
    assert.ok(s.requests > 20);
    assert.equal(s.budget?.limit, 1200);
    assert.ok((s.budget?.used ?? 0) >= s.requests - 5);
  });
});
