// The local backend against a MockAgent: API path detection, the {status}/{action} fallback, field
// names, paging, and how engine errors are read.
import * as assert from 'node:assert/strict';
import type { MockAgent } from 'undici';
import { localBackend } from '../../../src/api';
import { expectApiError, fail, JSON_HEADERS, mockAgent, ok } from './helpers';

const ORIGIN = 'http://127.0.0.1:8787';
const NEW = '/cdn-cgi/local/explorer/api';
const OLD = '/cdn-cgi/explorer/api';

describe('api/local (mocked engine)', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = mockAgent();
  });
  afterEach(async () => {
    await agent.close();
  });

  const pool = () => agent.get(ORIGIN);
  const detectNew = () => pool().intercept({ path: `${NEW}/workflows`, method: 'GET' }).reply(200, ok([]), JSON_HEADERS);
  const detectOld = () => {
    // wrangler 4.85: the new path falls through to the user's Worker, which answers 200 text.
    pool().intercept({ path: `${NEW}/workflows`, method: 'GET' }).reply(200, 'Workflows fixture', { headers: { 'content-type': 'text/plain' } });
    pool().intercept({ path: `${OLD}/workflows`, method: 'GET' }).reply(200, ok([]), JSON_HEADERS);
  };

  it('finds the current API path once and reuses it', async () => {
    detectNew();
    pool().intercept({ path: `${NEW}/workflows`, method: 'GET' }).reply(200, ok([{ name: 'a', class_name: 'A', script_name: 's' }]), JSON_HEADERS).times(2);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    assert.deepEqual(await b.listWorkflows(), [{ name: 'a', className: 'A', scriptName: 's' }]);
    await b.listWorkflows();
    assert.equal(b.stats().requests, 3, 'one detection request, then one per call');
    agent.assertNoPendingInterceptors();
  });

  it('falls back to the pre-4.117 path when the new one is not the explorer', async () => {
    detectOld();
    pool().intercept({ path: `${OLD}/workflows/w`, method: 'GET' }).reply(200, ok({ name: 'w', instances: { running: 1 } }), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    const w = await b.getWorkflow('w');
    assert.equal(w.instances.running, 1);
    assert.match((await probeDetail(b)).detail, /cdn-cgi\/explorer\/api/);
  });

  async function probeDetail(b: ReturnType<typeof localBackend>) {
    pool().intercept({ path: (p) => p.endsWith('/workflows'), method: 'GET' }).reply(200, ok([]), JSON_HEADERS);
    return b.probe();
  }

  it('reports kind unsupported when neither path is an explorer', async () => {
    pool().intercept({ path: `${NEW}/workflows`, method: 'GET' }).reply(404, 'Not Found');
    pool().intercept({ path: `${OLD}/workflows`, method: 'GET' }).reply(404, 'Not Found');
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    await expectApiError(b.listWorkflows(), 'unsupported', /wrangler 4\.79/);
  });

  it('uses a base URL that already names the API path without probing', async () => {
    pool().intercept({ path: `${OLD}/workflows`, method: 'GET' }).reply(200, ok([]), JSON_HEADERS);
    const b = localBackend({ baseUrl: `${ORIGIN}${OLD}/`, dispatcher: agent });
    await b.listWorkflows();
    assert.equal(b.stats().requests, 1);
  });

  it('creates with {id, params} (not instance_id) and URL-encodes the workflow name', async () => {
    detectNew();
    let body: unknown;
    pool()
      .intercept({ path: `${NEW}/workflows/w%2Ff/instances`, method: 'POST' })
      .reply((opts) => {
        body = JSON.parse(String(opts.body));
        return { statusCode: 200, data: ok({ id: 'abc' }), responseOptions: JSON_HEADERS };
      });
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    assert.deepEqual(await b.createInstance('w/f', { id: 'abc', params: { n: 1 } }), { id: 'abc' });
    assert.deepEqual(body, { id: 'abc', params: { n: 1 } });
  });

  it('reports a duplicate id as conflict (current engine: 10001 instance.already_exists)', async () => {
    detectNew();
    pool()
      .intercept({ path: `${NEW}/workflows/wf/instances`, method: 'POST' })
      .reply(500, fail(10001, 'WorkflowError: (instance.already_exists) Workflow instance with id "abc" already exists'), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    const e = await expectApiError(b.createInstance('wf', { id: 'abc' }), 'conflict', /already exists/);
    assert.equal(e.errors[0].code, 10001);
    assert.equal(b.stats().requests, 2, 'a failed create is never repeated');
  });

  it('checks for a duplicate first on the legacy engine, which would answer success', async () => {
    detectOld();
    pool().intercept({ path: `${OLD}/workflows/wf/instances/abc`, method: 'GET' }).reply(200, ok({ status: 'complete', steps: [] }), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    await expectApiError(b.createInstance('wf', { id: 'abc' }), 'conflict');
    agent.assertNoPendingInterceptors();
  });

  describe('status changes', () => {
    const statusPath = `${NEW}/workflows/wf/instances/i1/status`;
    function record(reply: (body: Record<string, unknown>) => { statusCode: number; data: object }, times = 1) {
      const bodies: Record<string, unknown>[] = [];
      pool()
        .intercept({ path: statusPath, method: 'PATCH' })
        .reply((opts) => {
          const body = JSON.parse(String(opts.body)) as Record<string, unknown>;
          bodies.push(body);
          const r = reply(body);
          return { ...r, responseOptions: JSON_HEADERS };
        })
        .times(times);
      return bodies;
    }

    it('current engine: sends {status} and caches it', async () => {
      detectNew();
      const bodies = record(() => ({ statusCode: 200, data: ok({ status: 'paused' }) }), 2);
      const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
      await b.changeStatus('wf', 'i1', 'pause');
      await b.changeStatus('wf', 'i1', 'resume');
      assert.deepEqual(bodies, [{ status: 'pause' }, { status: 'resume' }]);
    });

    it('4.85 engine on the new path: {status} is refused ("Invalid action \'undefined\'"), {action} works and is cached', async () => {
      detectNew();
      const bodies = record(
        (body) => ('action' in body ? { statusCode: 200, data: ok({ success: true }) } : { statusCode: 400, data: fail(10001, "Invalid action 'undefined'. Must be one of: pause, resume, restart, terminate.") }),
        3,
      );
      const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
      await b.changeStatus('wf', 'i1', 'terminate', { rollback: true });
      await b.changeStatus('wf', 'i1', 'restart', { from: { name: 'step', count: 2, type: 'do' } });
      assert.deepEqual(bodies, [{ status: 'terminate', rollback: true }, { action: 'terminate', rollback: true }, { action: 'restart', from: { name: 'step', count: 2, type: 'do' } }]);
    });

    it('legacy path starts with {action}; a current engine refusing it ("Invalid input") gets {status}', async () => {
      detectOld();
      const bodies: Record<string, unknown>[] = [];
      pool()
        .intercept({ path: `${OLD}/workflows/wf/instances/i1/status`, method: 'PATCH' })
        .reply((opts) => {
          const body = JSON.parse(String(opts.body)) as Record<string, unknown>;
          bodies.push(body);
          return 'status' in body ? { statusCode: 200, data: ok({ status: 'paused' }), responseOptions: JSON_HEADERS } : { statusCode: 400, data: fail(10001, 'Invalid input'), responseOptions: JSON_HEADERS };
        })
        .times(2);
      const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
      await b.changeStatus('wf', 'i1', 'pause');
      assert.deepEqual(bodies, [{ action: 'pause' }, { status: 'pause' }]);
    });

    it('does not retry a genuine illegal transition with the other shape', async () => {
      detectNew();
      const bodies = record(() => ({ statusCode: 500, data: fail(10001, 'WorkflowError: (instance.cannot_terminate) Cannot terminate instance since its on a finite state') }));
      const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
      const e = await expectApiError(b.changeStatus('wf', 'i1', 'terminate'), 'conflict', /already finished/);
      assert.doesNotMatch(e.message, /WorkflowError/);
      assert.equal(bodies.length, 1);
    });

    it('a restart from an unknown step is invalid input, sent once', async () => {
      detectNew();
      const bodies = record(() => ({ statusCode: 409, data: fail(10001, 'WorkflowError: (instance.cannot_restart) Step "nope" not found in execution history') }));
      const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
      await expectApiError(b.changeStatus('wf', 'i1', 'restart', { from: { name: 'nope' } }), 'invalidInput', /Step "nope" not found/);
      assert.equal(bodies.length, 1);
    });

    it('both shapes refused → invalidInput', async () => {
      detectNew();
      record((body) => ('status' in body ? { statusCode: 400, data: fail(10001, "Invalid action 'undefined'.") } : { statusCode: 400, data: fail(10001, "Invalid action 'pause'.") }), 2);
      const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
      await expectApiError(b.changeStatus('wf', 'i1', 'pause'), 'invalidInput', /does not accept this action/);
    });
  });

  it('pages with page numbers; next is the next page as a string', async () => {
    detectNew();
    pool()
      .intercept({ path: `${NEW}/workflows/wf/instances?page=1&per_page=2`, method: 'GET' })
      .reply(200, ok([{ id: 'a', status: 'running', created_on: 't' }, { id: 'b' }], { page: 1, per_page: 2, total_count: 3, total_pages: 2 }), JSON_HEADERS);
    pool()
      .intercept({ path: `${NEW}/workflows/wf/instances?page=2&per_page=2`, method: 'GET' })
      .reply(200, ok([{ id: 'c', status: 'complete' }], { page: 2, per_page: 2, total_count: 3, total_pages: 2 }), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    const p1 = await b.listInstances('wf', { perPage: 2 });
    assert.equal(p1.next, '2');
    assert.equal(p1.total, 3);
    assert.deepEqual(p1.instances[1], { id: 'b', status: 'unknown' });
    const p2 = await b.listInstances('wf', { perPage: 2, next: p1.next });
    assert.equal(p2.next, undefined);
    assert.deepEqual(
      p2.instances.map((i) => i.id),
      ['c'],
    );
    await expectApiError(b.listInstances('wf', { next: 'cursor-from-cloud' }), 'invalidInput');
  });

  it('sends date_start/date_end to the current engine, converted to UTC (Z), and reads what it answers', async () => {
    detectNew();
    // The interceptor matches only the exact query: a backend that left the bounds out (and filtered
    // on its own) would miss it and fail here.
    pool()
      .intercept({ path: `${NEW}/workflows/wf/instances?page=1&per_page=10&date_start=2026-12-01T08%3A00%3A00Z&date_end=2026-12-01T10%3A00%3A00Z`, method: 'GET' })
      .reply(200, ok([{ id: 'in', status: 'complete', created_on: '2026-12-01T09:00:00.000Z' }], { page: 1, per_page: 10, total_count: 1, total_pages: 1 }), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    const page = await b.listInstances('wf', { perPage: 10, dateStart: '2026-12-01T09:00:00+01:00', dateEnd: '2026-12-01T10:00:00Z' });
    assert.deepEqual(page.instances.map((i) => i.id), ['in']);
    agent.assertNoPendingInterceptors();
  });

  it('never asks the local engine for rollingBack, which it does not know', async () => {
    detectNew();
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    assert.deepEqual(await b.listInstances('wf', { status: 'rollingBack' }), { instances: [], total: 0 });
  });

  it('fills id and workflow into the detail; running + open waitForEvent stays running', async () => {
    detectNew();
    pool()
      .intercept({ path: `${NEW}/workflows/wf/instances/order%2F1%20x`, method: 'GET' })
      .reply(200, ok({ status: 'running', steps: [{ type: 'waitForEvent', name: 'w-1', start: 's', end: null, finished: false, error: null, output: null }], step_count: 1 }), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    const d = await b.getInstance('wf', 'order/1 x');
    assert.equal(d.id, 'order/1 x');
    assert.equal(d.workflow, 'wf');
    assert.equal(d.status, 'running');
    assert.equal(b.capabilities.reportsWaitingAsRunning, true);
  });

  it('maps 10501 to notFound with the engine message', async () => {
    detectNew();
    pool().intercept({ path: `${NEW}/workflows/nope/instances/x`, method: 'GET' }).reply(404, fail(10501, "Workflow 'nope' not found."), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    const e = await expectApiError(b.getInstance('nope', 'x'), 'notFound', /Workflow 'nope' not found/);
    assert.equal(e.status, 404);
    assert.deepEqual(e.errors, [{ code: 10501, message: "Workflow 'nope' not found." }]);
  });

  it('batch delete falls back to single deletes where the engine has no batch endpoint', async () => {
    detectNew();
    pool().intercept({ path: `${NEW}/workflows/wf/instances/batch/delete`, method: 'POST' }).reply(404, '404 Not Found', { headers: { 'content-type': 'text/plain' } });
    pool().intercept({ path: `${NEW}/workflows/wf/instances/a`, method: 'DELETE' }).reply(200, ok({ success: true }), JSON_HEADERS);
    pool().intercept({ path: `${NEW}/workflows/wf/instances/b`, method: 'DELETE' }).reply(404, fail(10501, "Workflow instance 'b' not found."), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    assert.deepEqual(await b.deleteInstances('wf', ['a', 'b']), { deleted: ['a'], failed: [{ id: 'b', message: 'Instance not found.' }] });
    agent.assertNoPendingInterceptors();
  });

  it('a delete answered "worker restarted mid-request" (wrangler 4.85, 503) looks first: an engine not-found counts as deleted, still there is deleted once more (a not-found then is done too); other errors and a bare 404 leave the error standing', async () => {
    detectNew();
    const restarted = () => [503, 'Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.', { headers: { 'content-type': 'text/plain' } }] as const;
    // Applied before the restart: the look finds nothing, and no second DELETE goes out.
    pool().intercept({ path: `${NEW}/workflows/wf/instances/gone`, method: 'DELETE' }).reply(...restarted());
    pool().intercept({ path: `${NEW}/workflows/wf/instances/gone`, method: 'GET' }).reply(404, fail(10501, "Workflow instance 'gone' not found."), JSON_HEADERS);
    // Not applied: the look finds it, and the delete is sent once more.
    pool().intercept({ path: `${NEW}/workflows/wf/instances/kept`, method: 'DELETE' }).reply(...restarted());
    pool().intercept({ path: `${NEW}/workflows/wf/instances/kept`, method: 'GET' }).reply(200, ok({ status: 'running', steps: [] }), JSON_HEADERS);
    pool().intercept({ path: `${NEW}/workflows/wf/instances/kept`, method: 'DELETE' }).reply(200, ok({ success: true }), JSON_HEADERS);
    // Any other failure is reported as it is, without a look.
    pool().intercept({ path: `${NEW}/workflows/wf/instances/other`, method: 'DELETE' }).reply(500, fail(10001, 'boom'), JSON_HEADERS);
    // A bare 404 from a server that is restarting says nothing about the instance: the 503 stands.
    pool().intercept({ path: `${NEW}/workflows/wf/instances/unsure`, method: 'DELETE' }).reply(...restarted());
    pool().intercept({ path: `${NEW}/workflows/wf/instances/unsure`, method: 'GET' }).reply(404, 'Not Found', { headers: { 'content-type': 'text/plain' } });
    // Applied between the look and the second delete: the engine's not-found then means done.
    pool().intercept({ path: `${NEW}/workflows/wf/instances/late`, method: 'DELETE' }).reply(...restarted());
    pool().intercept({ path: `${NEW}/workflows/wf/instances/late`, method: 'GET' }).reply(200, ok({ status: 'running', steps: [] }), JSON_HEADERS);
    pool().intercept({ path: `${NEW}/workflows/wf/instances/late`, method: 'DELETE' }).reply(404, fail(10501, "Workflow instance 'late' not found."), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent, retry: { maxRetries: 0 } });
    await b.deleteInstance('wf', 'gone');
    await b.deleteInstance('wf', 'kept');
    await expectApiError(b.deleteInstance('wf', 'other'), 'server');
    await expectApiError(b.deleteInstance('wf', 'unsure'), 'server');
    await b.deleteInstance('wf', 'late');
    agent.assertNoPendingInterceptors();
  });

  it('batch delete uses the batch endpoint where it exists', async () => {
    detectNew();
    pool()
      .intercept({ path: `${NEW}/workflows/wf/instances/batch/delete`, method: 'POST', body: JSON.stringify({ instances: ['a', 'b'] }) })
      .reply(200, ok({ deleted: [{ id: 'a' }], errors: [{ id: 'b', code: 10400, message: 'workflows.api.error.instance.not_found' }] }), JSON_HEADERS);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    assert.deepEqual(await b.deleteInstances('wf', ['a', 'b', 'a']), { deleted: ['a'], failed: [{ id: 'b', message: 'Instance not found.' }] });
  });

  it('reads step output from the detail (no /step endpoint locally)', async () => {
    detectNew();
    pool()
      .intercept({ path: `${NEW}/workflows/wf/instances/i`, method: 'GET' })
      .reply(
        200,
        ok({
          status: 'errored',
          steps: [{ type: 'step', name: 'charge-1', start: 's', end: 'e', success: false, output: null, attempts: [{ start: 's', end: 'e', success: false, error: { name: 'Error', message: 'declined' } }] }],
        }),
        JSON_HEADERS,
      )
      .times(2);
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    const out = await b.getStepOutput('wf', 'i', { stepName: 'charge-1', type: 'step' });
    assert.equal(out.status, 'errored');
    assert.equal(out.error?.message, 'declined');
    await expectApiError(b.getStepOutput('wf', 'i', { stepName: 'other-1', type: 'step' }), 'notFound');
  });

  it('a 403 from the host check explains what to do', async () => {
    // A base URL naming the API path skips detection, so the 403 reaches the caller.
    const fixed = localBackend({ baseUrl: `${ORIGIN}${NEW}`, dispatcher: agent });
    pool().intercept({ path: `${NEW}/workflows`, method: 'GET' }).reply(403, 'Invalid Host header');
    await expectApiError(fixed.listWorkflows(), 'permission', /localhost or 127\.0\.0\.1/);
  });

  it('describe() names the engine and the backend is plain to inspect', () => {
    const b = localBackend({ baseUrl: ORIGIN, dispatcher: agent });
    assert.equal(b.describe(), `local engine at ${ORIGIN}`);
    assert.equal(b.kind, 'local');
  });
});
