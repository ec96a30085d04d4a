// The cloud backend against a MockAgent: auth header, cursor paging, encoded path parameters, batch
// create in chunks of 100, delete, step output, and the messages for 401/403/409.
import * as assert from 'node:assert/strict';
import type { MockAgent } from 'undici';
import { cloudBackend, listAccounts, verifyToken, type CloudWorkflowsBackend } from '../../../src/api';
import { expectApiError, fail, JSON_HEADERS, mockAgent, ok } from './helpers';

const ORIGIN = 'https://api.cloudflare.com';
const ACC = '0123456789abcdef0123456789abcdef';
const WF = `/client/v4/accounts/${ACC}/workflows`;
const TOKEN = 'test-token-SECRET-0123456789';

describe('api/cloud (mocked API)', () => {
  let agent: MockAgent;
  let b: CloudWorkflowsBackend;
  beforeEach(() => {
    agent = mockAgent();
    b = cloudBackend({ apiToken: TOKEN, accountId: ACC, dispatcher: agent, rateBudget: false });
  });
  afterEach(async () => {
    await b.close();
    await agent.close();
  });
  const pool = () => agent.get(ORIGIN);

  it('sends the token as a Bearer header and lists workflows across pages', async () => {
    const auth: (string | undefined)[] = [];
    const items = Array.from({ length: 100 }, (_, i) => ({ name: `w${i}`, instances: { running: i } }));
    pool()
      .intercept({ path: `${WF}?page=1&per_page=100`, method: 'GET' })
      .reply((opts) => {
        auth.push((opts.headers as Record<string, string>).authorization);
        return { statusCode: 200, data: ok(items, { page: 1, per_page: 100, total_count: 101 }), responseOptions: JSON_HEADERS };
      });
    pool().intercept({ path: `${WF}?page=2&per_page=100`, method: 'GET' }).reply(200, ok([{ name: 'last' }], { page: 2, per_page: 100, total_count: 101 }), JSON_HEADERS);
    const list = await b.listWorkflows();
    assert.equal(list.length, 101);
    assert.equal(list[5].instances?.running, 5);
    assert.deepEqual(auth, [`Bearer ${TOKEN}`]);
  });

  it('follows result_info.cursor and never sends page', async () => {
    const seen: string[] = [];
    pool()
      .intercept({ path: (p) => p.startsWith(`${WF}/wf/instances?`), method: 'GET' })
      .reply((opts) => {
        seen.push(opts.path);
        const q = new URL(`http://x${opts.path}`).searchParams;
        if (!q.get('cursor')) return { statusCode: 200, data: ok([{ id: 'a', status: 'complete' }], { count: 1, per_page: 1, total_count: 2, cursor: 'abc/+=' }), responseOptions: JSON_HEADERS };
        return { statusCode: 200, data: ok([{ id: 'b', status: 'waiting' }], { count: 1, per_page: 1, total_count: 2, cursor: '' }), responseOptions: JSON_HEADERS };
      })
      .times(2);
    const p1 = await b.listInstances('wf', { perPage: 1, status: 'complete', direction: 'desc', dateStart: '2026-01-01T00:00:00Z' });
    assert.equal(p1.next, 'abc/+=');
    const p2 = await b.listInstances('wf', { perPage: 1, next: p1.next });
    assert.equal(p2.next, undefined);
    assert.equal(p2.instances[0].status, 'waiting');
    assert.equal(seen[0], `${WF}/wf/instances?per_page=1&status=complete&date_start=2026-01-01T00%3A00%3A00Z&direction=desc`);
    // Newest first is asked for explicitly on every page, not left to an undocumented default.
    assert.equal(seen[1], `${WF}/wf/instances?per_page=1&direction=desc&cursor=abc%2F%2B%3D`);
    assert.ok(seen.every((s) => !/[?&]page=/.test(s)));
  });

  it('date bounds must be RFC 3339 with an offset; they are sent in UTC and nothing is sent for a bad one', async () => {
    const seen: string[] = [];
    pool()
      .intercept({ path: (p) => p.startsWith(`${WF}/wf/instances?`), method: 'GET' })
      .reply((opts) => {
        seen.push(opts.path);
        return { statusCode: 200, data: ok([], { count: 0, per_page: 10, total_count: 0, cursor: '' }), responseOptions: JSON_HEADERS };
      });
    await b.listInstances('wf', { dateStart: '2026-11-01T02:00:00+02:00', dateEnd: '2026-11-02T00:00:00.500Z' });
    assert.equal(seen[0], `${WF}/wf/instances?date_start=2026-11-01T00%3A00%3A00Z&date_end=2026-11-02T00%3A00%3A00.500Z&direction=desc`);
    await expectApiError(b.listInstances('wf', { dateStart: '2026-11-01T00:00:00' }), 'invalidInput', /RFC 3339/);
    await expectApiError(b.listInstances('wf', { dateEnd: '2026-11-01' }), 'invalidInput', /RFC 3339/);
    await expectApiError(b.listInstances('wf', { dateStart: '2026-11-02T00:00:00Z', dateEnd: '2026-11-01T00:00:00Z' }), 'invalidInput', /after the end/);
    assert.equal(b.stats().requests, 1);
  });

  it('URL-encodes cron instance IDs (slashes, stars, spaces) and event types', async () => {
    const id = '*/30 * * * *-1786001400000';
    const enc = encodeURIComponent(id);
    assert.ok(enc.includes('%2F') && enc.includes('%20'));
    pool().intercept({ path: `${WF}/wf/instances/${enc}`, method: 'GET' }).reply(200, ok({ status: 'complete', steps: [] }), JSON_HEADERS);
    pool().intercept({ path: `${WF}/wf/instances/${enc}/events/a%2Fb%20c`, method: 'POST', body: '{"x":1}' }).reply(200, ok({}), JSON_HEADERS);
    pool().intercept({ path: `${WF}/wf/instances/${enc}`, method: 'DELETE' }).reply(200, ok({ instanceId: id }), JSON_HEADERS);
    const d = await b.getInstance('wf', id);
    assert.equal(d.id, id);
    await b.sendEvent('wf', id, 'a/b c', { x: 1 });
    await b.deleteInstance('wf', id);
    agent.assertNoPendingInterceptors();
  });

  it('creates with instance_id, params and instance_retention', async () => {
    pool()
      .intercept({
        path: `${WF}/wf/instances`,
        method: 'POST',
        body: JSON.stringify({ instance_id: 'x', params: { a: 1 }, instance_retention: { success_retention: '1 day', error_retention: 5000 } }),
      })
      .reply(200, ok({ id: 'x', status: 'queued', version_id: 'v', workflow_id: 'w' }), JSON_HEADERS);
    assert.deepEqual(await b.createInstance('wf', { id: 'x', params: { a: 1 }, retention: { successRetention: '1 day', errorRetention: 5000 } }), { id: 'x', status: 'queued', versionId: 'v', workflowId: 'w' });
  });

  it('reports 409 already_exists as conflict and does not repeat the create', async () => {
    pool().intercept({ path: `${WF}/wf/instances`, method: 'POST' }).reply(409, fail(10405, 'workflows.api.error.instance.already_exists'), { headers: { 'content-type': 'application/json', 'cf-ray': '8f00aa-SJC' } });
    const e = await expectApiError(b.createInstance('wf', { id: 'x' }), 'conflict', /already exists/);
    assert.equal(e.status, 409);
    assert.equal(e.extra.cfRay, '8f00aa-SJC');
    assert.equal(b.stats().requests, 1);
  });

  it('batch-creates in chunks of at most 100 and reports progress', async () => {
    const sizes: number[] = [];
    pool()
      .intercept({ path: `${WF}/wf/instances/batch`, method: 'POST' })
      .reply((opts) => {
        const items = JSON.parse(String(opts.body)) as { instance_id: string }[];
        sizes.push(items.length);
        return { statusCode: 200, data: ok(items.map((i) => ({ id: i.instance_id, status: 'queued' }))), responseOptions: JSON_HEADERS };
      })
      .times(3);
    const items = Array.from({ length: 250 }, (_, i) => ({ id: `i-${i}`, params: { i } }));
    const progress: number[] = [];
    const r = await b.createInstances('wf', items, { onProgress: (d) => progress.push(d) });
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.equal(r.created.length, 250);
    assert.equal(r.created[249].id, 'i-249');
    assert.deepEqual(progress, [100, 200, 250]);
  });

  it('hands the envelope messages of a successful call to onMessages, with the operation', async () => {
    const seen: string[] = [];
    const withLog = cloudBackend({ apiToken: TOKEN, accountId: ACC, dispatcher: agent, rateBudget: false, onMessages: (op, m) => seen.push(`${op}: ${m.map((x) => `${x.code} ${x.message}`).join()}`) });
    pool().intercept({ path: `${WF}/wf`, method: 'GET' }).reply(200, { success: true, errors: [], messages: [{ code: 10100, message: 'notice' }], result: { name: 'wf', instances: {} } }, JSON_HEADERS);
    await withLog.getWorkflow('wf');
    assert.deepEqual(seen, ['get workflow "wf": 10100 notice']);
    await withLog.close();
  });

  it('batch create matches results to requests by id, not position; keeps version and workflow ids', async () => {
    pool()
      .intercept({ path: `${WF}/wf/instances/batch`, method: 'POST' })
      .reply((opts) => {
        const items = JSON.parse(String(opts.body)) as { instance_id?: string }[];
        // Answered in reverse order, with a generated id for the request that named none.
        const out = items.map((i) => ({ id: i.instance_id ?? 'generated-1', status: 'queued', version_id: 'ver-1', workflow_id: 'wf-uuid' })).reverse();
        return { statusCode: 200, data: ok(out), responseOptions: JSON_HEADERS };
      });
    const r = await b.createInstances('wf', [{ id: 'a' }, {}, { id: 'c' }]);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(r.created.map((c) => c.id), ['a', 'generated-1', 'c']);
    assert.equal(r.created[0].versionId, 'ver-1');
    assert.equal(r.created[0].workflowId, 'wf-uuid');
  });

  it('a batch answer that is short or has an unreadable item fails only the unconfirmed requests and names the created ones', async () => {
    pool().intercept({ path: `${WF}/wf/instances/batch`, method: 'POST' }).reply(200, ok([{ id: 'c' }, { id: 'a' }]), JSON_HEADERS);
    pool().intercept({ path: `${WF}/wf/instances/batch`, method: 'POST' }).reply(200, ok([{ id: 'x' }, { broken: true }, { id: 'z' }]), JSON_HEADERS);
    const short = await b.createInstances('wf', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    assert.deepEqual(short.created.map((c) => c.id), ['a', 'c']);
    assert.deepEqual(short.failed.map((f) => [f.index, f.id]), [[1, 'b']]);
    assert.equal((short.failed[0].error as { kind?: string }).kind, 'malformedResponse');
    assert.match(short.failed[0].error.message, /answered 3 requests with 2 results/);
    assert.match(short.failed[0].error.message, /Created in the same batch: "c", "a"/);
    const bad = await b.createInstances('wf', [{ id: 'x' }, { id: 'y' }, { id: 'z' }]);
    assert.deepEqual(bad.created.map((c) => c.id), ['x', 'z']);
    assert.deepEqual(bad.failed.map((f) => f.id), ['y']);
    assert.match(bad.failed[0].error.message, /1 result\(s\) that could not be read/);
  });

  it('a failed chunk fails its items; a fatal error fails the rest without sending them', async () => {
    pool().intercept({ path: `${WF}/wf/instances/batch`, method: 'POST' }).reply(400, fail(10415, 'workflows.api.error.instance.duplicate_in_batch'), JSON_HEADERS);
    pool().intercept({ path: `${WF}/wf/instances/batch`, method: 'POST' }).reply(401, fail(10000, 'Authentication error'), JSON_HEADERS);
    const items = Array.from({ length: 250 }, (_, i) => ({ id: `i-${i}` }));
    const r = await b.createInstances('wf', items);
    assert.equal(r.created.length, 0);
    assert.equal(r.failed.length, 250);
    assert.equal((r.failed[0].error as { kind?: string }).kind, 'invalidInput');
    assert.equal((r.failed[100].error as { kind?: string }).kind, 'auth');
    assert.equal((r.failed[249].error as { kind?: string }).kind, 'auth');
    assert.equal(r.failed[249].id, 'i-249');
    assert.equal(b.stats().requests, 2);
  });

  it('changes status with {status, from, rollback}', async () => {
    const bodies: unknown[] = [];
    pool()
      .intercept({ path: `${WF}/wf/instances/i/status`, method: 'PATCH' })
      .reply((opts) => {
        bodies.push(JSON.parse(String(opts.body)));
        return { statusCode: 200, data: ok({ status: 'paused', timestamp: 't' }), responseOptions: JSON_HEADERS };
      })
      .times(3);
    await b.changeStatus('wf', 'i', 'pause');
    await b.changeStatus('wf', 'i', 'terminate', { rollback: true });
    await b.changeStatus('wf', 'i', 'restart', { from: { name: 'fetch user', count: 2, type: 'do' } });
    assert.deepEqual(bodies, [{ status: 'pause' }, { status: 'terminate', rollback: true }, { status: 'restart', from: { name: 'fetch user', count: 2, type: 'do' } }]);
  });

  it('batch-deletes via POST …/instances/batch/delete', async () => {
    pool()
      .intercept({ path: `${WF}/wf/instances/batch/delete`, method: 'POST', body: JSON.stringify({ instances: ['a', 'b'] }) })
      .reply(200, ok({ deleted: [{ id: 'a' }], errors: [{ id: 'b', code: 10400, message: 'workflows.api.error.instance.not_found' }] }), JSON_HEADERS);
    assert.deepEqual(await b.deleteInstances('wf', ['a', 'b']), { deleted: ['a'], failed: [{ id: 'b', message: 'Instance not found.' }] });
  });

  it('reads full step output, JSON or raw bytes', async () => {
    pool()
      .intercept({ path: `${WF}/wf/instances/i/step?name=fetch+user-1&type=step&attempt=2`, method: 'GET' })
      .reply(200, ok({ status: 'complete', error: null, output: { big: 'x' } }), JSON_HEADERS);
    pool()
      .intercept({ path: `${WF}/wf/instances/i/step?name=stream-1&type=step`, method: 'GET' })
      .reply(200, Buffer.from([1, 2, 3]), { headers: { 'content-type': 'application/octet-stream' } });
    assert.deepEqual(await b.getStepOutput('wf', 'i', { stepName: 'fetch user-1', type: 'step', attempt: 2 }), { status: 'complete', error: null, output: { big: 'x' } });
    const raw = await b.getStepOutput('wf', 'i', { stepName: 'stream-1', type: 'step' });
    assert.deepEqual(Array.from(raw.output as Uint8Array), [1, 2, 3]);
    assert.equal(raw.contentType, 'application/octet-stream');
  });

  it('asks for simple/order on the detail', async () => {
    pool().intercept({ path: `${WF}/wf/instances/i?order=desc&simple=true`, method: 'GET' }).reply(200, ok({ status: 'running', step_count: 7 }), JSON_HEADERS);
    const d = await b.getInstance('wf', 'i', { order: 'desc', simple: true });
    assert.equal(d.stepCount, 7);
    assert.deepEqual(d.steps, []);
  });

  describe('error messages', () => {
    it('401 → auth, with the text the user can act on', async () => {
      pool().intercept({ path: `${WF}/wf`, method: 'GET' }).reply(401, fail(10000, 'Authentication error'), JSON_HEADERS);
      const e = await expectApiError(b.getWorkflow('wf'), 'auth');
      assert.equal(e.message, 'The API token was rejected (401). Update the token for this connection.');
      assert.deepEqual(e.errors, [{ code: 10000, message: 'Authentication error' }]);
    });
    it('403 on a read names Workers Scripts Read; on a write Workers Scripts Write', async () => {
      pool().intercept({ path: `${WF}/wf`, method: 'GET' }).reply(403, fail(10000, 'Authentication error'), JSON_HEADERS);
      pool().intercept({ path: `${WF}/wf/instances/i/status`, method: 'PATCH' }).reply(403, fail(10000, 'Authentication error'), JSON_HEADERS);
      await expectApiError(b.getWorkflow('wf'), 'permission', /Workers Scripts Read/);
      const w = await expectApiError(b.changeStatus('wf', 'i', 'pause'), 'permission', /Workers Scripts Write/);
      assert.match(w.message, /pause instance "i"/);
    });
    it('a WAF challenge is reported with its Ray ID', async () => {
      pool().intercept({ path: `${WF}/wf`, method: 'GET' }).reply(403, '<html>challenge</html>', { headers: { 'content-type': 'text/html', 'cf-mitigated': 'challenge', 'cf-ray': 'abc-LHR' } });
      await expectApiError(b.getWorkflow('wf'), 'permission', /firewall.*abc-LHR/);
    });
    it('404 workflow (10200) → notFound', async () => {
      pool().intercept({ path: `${WF}/nope`, method: 'GET' }).reply(404, fail(10200, 'Workflow not found'), JSON_HEADERS);
      await expectApiError(b.getWorkflow('nope'), 'notFound', /workflow does not exist/);
    });
    it('409 on a status change → conflict with the server text', async () => {
      pool().intercept({ path: `${WF}/wf/instances/i/status`, method: 'PATCH' }).reply(409, fail(1409, 'Instance not in a restartable state'), JSON_HEADERS);
      await expectApiError(b.changeStatus('wf', 'i', 'restart'), 'conflict', /restartable/);
    });
    it('200 with success:false (transient 10001) → server with codes', async () => {
      pool().intercept({ path: `${WF}/wf`, method: 'GET' }).reply(200, fail(10001, 'workflows.api.error.internal_server'), JSON_HEADERS);
      const e = await expectApiError(b.getWorkflow('wf'), 'server', /internal_server \[10001\]/);
      assert.equal(e.status, 200);
    });
    it('400 → invalidInput with the server message', async () => {
      pool().intercept({ path: `${WF}/wf/instances`, method: 'POST' }).reply(400, fail(10021, 'params: too large'), JSON_HEADERS);
      await expectApiError(b.createInstance('wf', {}), 'invalidInput', /params: too large/);
    });
  });

  describe('account setup', () => {
    it('verifyToken reads /user/tokens/verify', async () => {
      pool()
        .intercept({ path: '/client/v4/user/tokens/verify', method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } })
        .reply(200, ok({ id: 'tok', status: 'active' }), JSON_HEADERS);
      assert.deepEqual(await verifyToken({ apiToken: TOKEN, dispatcher: agent }), { id: 'tok', status: 'active' });
    });
    it('verifyToken: 401 → auth', async () => {
      pool().intercept({ path: '/client/v4/user/tokens/verify', method: 'GET' }).reply(401, fail(1000, 'Invalid API Token'), JSON_HEADERS);
      await expectApiError(verifyToken({ apiToken: TOKEN, dispatcher: agent }), 'auth');
    });
    it('listAccounts reads every page', async () => {
      const page1 = Array.from({ length: 50 }, (_, i) => ({ id: `a${i}`, name: `Account ${i}`, type: 'standard' }));
      pool().intercept({ path: '/client/v4/accounts?page=1&per_page=50', method: 'GET' }).reply(200, ok(page1, { page: 1, per_page: 50, total_pages: 2, count: 50, total_count: 51 }), JSON_HEADERS);
      pool().intercept({ path: '/client/v4/accounts?page=2&per_page=50', method: 'GET' }).reply(200, ok([{ id: 'z', name: 'Last' }], { page: 2, per_page: 50, total_pages: 2, count: 1, total_count: 51 }), JSON_HEADERS);
      const accounts = await listAccounts({ apiToken: TOKEN, dispatcher: agent });
      assert.equal(accounts.length, 51);
      assert.deepEqual(accounts[50], { id: 'z', name: 'Last' });
    });
    it('a custom base URL is honoured', async () => {
      const other = agent.get('http://127.0.0.1:9999');
      other.intercept({ path: '/gw/client/v4/user/tokens/verify', method: 'GET' }).reply(200, ok({ id: 't', status: 'disabled' }), JSON_HEADERS);
      assert.equal((await verifyToken({ apiToken: TOKEN, baseUrl: 'http://127.0.0.1:9999/gw/client/v4', dispatcher: agent })).status, 'disabled');
    });
  });

  it('describe() and probe()', async () => {
    assert.equal(b.describe(), `Cloudflare account ${ACC}`);
    pool().intercept({ path: `${WF}?per_page=1`, method: 'GET' }).reply(200, ok([]), JSON_HEADERS);
    const p = await b.probe();
    assert.equal(p.ok, true);
    assert.match(p.detail, /api\.cloudflare\.com\/client\/v4/);
  });
});
