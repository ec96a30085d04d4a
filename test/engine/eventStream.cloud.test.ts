// The cloud event stream end to end: the client's WebSocket reader and follower against the
// production-shaped gateway, whose stream carries the real engine's own events (the fixture Worker
// relays the binding's instance.subscribe()). History first, then live, resumable with a cursor.
import * as assert from 'node:assert/strict';
import { cloudBackend, followInstance, StreamAvailability, STREAM_UNAVAILABLE, type CloudWorkflowsBackend, type InstanceDetails, type WorkflowsApiError } from '../../src/api';
import type { InstanceEvent } from '../../src/model/instanceEvents';
import { startGateway, type Gateway } from '../support/gateway';
import { startEngine, waitFor, type Engine } from './lib';

const PARAMS = { orderId: 'S-1', outputKb: 1, approvalTimeout: '2 seconds' };
const detailGets = (gw: Gateway, id: string) => gw.log.filter((l) => l.method === 'GET' && new URL(l.path, 'http://x').pathname.endsWith(`/instances/${id}`)).length;
const subscribes = (gw: Gateway, id: string) => gw.log.filter((l) => l.path.includes(`/instances/${id}/subscribe`));

/** Steps as both sources can state them: name, kind, outcome and attempt outcomes. */
function shape(d: InstanceDetails): unknown[] {
  return d.steps.map((s) => {
    if (s.type === 'step' || s.type === 'rollback') return [s.type, s.name, s.success, s.attempts.map((a) => [a.success, a.error?.message ?? null])];
    if (s.type === 'sleep' || s.type === 'waitForEvent') return [s.type, s.name, s.finished ?? false];
    return [s.type];
  });
}

describe('cloud event stream through the gateway on a real engine', function () {
  this.timeout(120_000);
  let engine: Engine;
  let gw: Gateway;
  let b: CloudWorkflowsBackend;
  const backend = () => cloudBackend({ apiToken: gw.readToken, accountId: gw.accountId, baseUrl: gw.apiBase, rateBudget: false });

  before(async function () {
    this.timeout(300_000);
    engine = await startEngine('current');
    gw = await startGateway({ engineApiBase: engine.apiBase });
    b = cloudBackend({ apiToken: gw.writeToken, accountId: gw.accountId, baseUrl: gw.apiBase });
  });
  after(async () => {
    await b?.close();
    await gw?.close();
    await engine?.stop();
  });
  afterEach(() => gw?.setStream('on'));

  it('follows a new instance from queued to complete by its events alone, matching the detail endpoint', async () => {
    await b.createInstance('order-pipeline', { id: 'stream-1', params: PARAMS });
    gw.resetCounts();
    const events: InstanceEvent[] = [];
    let opened = 0;
    const end = await b.subscribeInstance('order-pipeline', 'stream-1', { onOpen: () => opened++, onEvent: (e) => events.push(e) });
    assert.equal(end, 'ended');
    assert.equal(opened, 1);
    assert.equal(detailGets(gw, 'stream-1'), 0, 'no detail request while streaming');
    assert.equal(events[0].type, 'workflow_queued');
    assert.equal(events[events.length - 1].type, 'workflow_completed');
    assert.ok(events.every((e, i) => i === 0 || e.eventId > events[i - 1].eventId), 'eventIds increase');
    const types = new Set(events.map((e) => e.type));
    for (const t of ['workflow_started', 'step_started', 'attempt_errored', 'step_completed', 'sleep_started', 'sleep_completed', 'wait_started', 'wait_timed_out']) assert.ok(types.has(t), `has ${t}`);
    // The fold of those events says what the detail endpoint says.
    const { InstanceEventFold } = await import('../../src/model/instanceEvents');
    const fold = new InstanceEventFold({ id: 'stream-1', workflow: 'order-pipeline' });
    events.forEach((e) => fold.apply(e));
    const folded = fold.details();
    const detail = await b.getInstance('order-pipeline', 'stream-1');
    assert.equal(folded.status, 'complete');
    assert.deepEqual(folded.output, detail.output);
    assert.deepEqual(folded.params, PARAMS);
    assert.deepEqual(shape(folded).slice(0, -1), shape(detail).slice(0, -1), 'every step but the wait matches');
    assert.deepEqual(folded.steps.map((s) => s.name), detail.steps.map((s) => s.name));
  });

  it('resumes after a cursor with exactly the later events', async () => {
    const all: InstanceEvent[] = [];
    await b.subscribeInstance('order-pipeline', 'stream-1', { onEvent: (e) => all.push(e) });
    const cut = all[9].eventId;
    const tail: InstanceEvent[] = [];
    gw.resetCounts();
    assert.equal(await b.subscribeInstance('order-pipeline', 'stream-1', { cursor: cut, onEvent: (e) => tail.push(e) }), 'ended');
    assert.deepEqual(tail, all.slice(10));
    assert.match(subscribes(gw, 'stream-1')[0].path, new RegExp(`\\?cursor=${cut}$`));
  });

  it('follows a running instance across dropped connections, reconnecting with its cursor, to completion', async () => {
    gw.setStream('on', 6);
    await b.createInstance('order-pipeline', { id: 'stream-2', params: PARAMS });
    gw.resetCounts();
    const c = backend();
    try {
      const done = await new Promise<InstanceDetails>((resolve, reject) => {
        followInstance(c, 'order-pipeline', 'stream-2', { onDetails: () => undefined, onEnd: resolve, onUnavailable: reject }, { seed: { id: 'stream-2', workflow: 'order-pipeline' }, availability: new StreamAvailability(), baseDelayMs: 50, maxDelayMs: 200 });
      });
      assert.equal(done.status, 'complete');
      const calls = subscribes(gw, 'stream-2');
      assert.ok(calls.length >= 4, `reconnected (${calls.length} subscriptions)`);
      const cursors = calls.map((l) => Number(new URL(l.path, 'http://x').searchParams.get('cursor') ?? 0));
      assert.deepEqual(cursors, [...cursors].sort((x, y) => x - y), 'each reconnect starts after the last event seen');
      assert.equal(new Set(cursors).size, cursors.length, 'never the same cursor twice');
      assert.equal(detailGets(gw, 'stream-2'), 0);
      const detail = await b.getInstance('order-pipeline', 'stream-2');
      assert.deepEqual(done.steps.map((s) => s.name), detail.steps.map((s) => s.name), 'no step lost or doubled across reconnects');
    } finally {
      await c.close();
    }
  });

  it('reports the stream unavailable (the endpoint answers 501) so the caller polls, and does not ask again at once', async () => {
    gw.setStream('501');
    const c = backend();
    const availability = new StreamAvailability();
    try {
      const reason = await new Promise<Error>((resolve, reject) => {
        followInstance(c, 'order-pipeline', 'stream-1', { onDetails: () => reject(new Error('no events expected')), onEnd: () => reject(new Error('no end expected')), onUnavailable: resolve }, { seed: { id: 'stream-1', workflow: 'order-pipeline' }, availability });
      });
      assert.equal((reason as WorkflowsApiError).extra?.code, STREAM_UNAVAILABLE);
      assert.equal(availability.canFollow(c), false, 'the next panel polls without trying');
      assert.equal(availability.canFollow(b), true, 'another connection is not affected');
    } finally {
      await c.close();
    }
  });

  it('refuses an unknown instance at the handshake', async () => {
    await assert.rejects(
      b.subscribeInstance('order-pipeline', 'no-such-instance', { onEvent: () => undefined }),
      (e: WorkflowsApiError) => e.extra?.code === STREAM_UNAVAILABLE,
    );
    assert.equal(gw.log.filter((l) => l.path.includes('/no-such-instance/subscribe') && l.status === 404).length, 1);
  });

  it('the detail endpoint and the stream agree on a still-running instance, whose stream is then cancelled cleanly', async () => {
    await b.createInstance('long-sleeper', { id: 'stream-3', params: { minutes: 5 } });
    await waitFor(b, 'long-sleeper', 'stream-3', (d) => d.steps.some((s) => s.type === 'sleep'));
    const controller = new AbortController();
    const seen: InstanceEvent[] = [];
    const run = b.subscribeInstance('long-sleeper', 'stream-3', {
      signal: controller.signal,
      onEvent: (e) => {
        seen.push(e);
        if (e.type === 'sleep_started') controller.abort();
      },
    });
    await assert.rejects(run, (e: WorkflowsApiError) => e.kind === 'cancelled');
    assert.ok(seen.some((e) => e.type === 'sleep_started'));
  });
});
