import { strict as assert } from 'node:assert';
import { InstanceSession, type FetchedInstance, type FollowSessionHandlers, type InstancePanelDeps } from '../../../src/webview/instanceSession';
import type { HostToWebview, PanelTarget, WebviewAction } from '../../../src/webview/protocol';
import type { InstanceDetails, InstanceStatus } from '../../../src/model/types';
import { InstanceBuilder } from '../model/builders';
import { ManualScheduler } from '../support/manualScheduler';

const target: PanelTarget = { connectionId: 'local', connectionLabel: 'Local dev', workflow: 'order-pipeline', id: 'inst-1' };

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setImmediate(r));

function details(status: InstanceStatus): InstanceDetails {
  return new InstanceBuilder().do('load').do('charge', { attempts: [{ ms: 5, fail: 'no' }], open: status !== 'complete' }).build(status);
}

/** A stand-in for the cloud event stream: records each follow and lets the test speak for it. */
class FakeStream {
  readonly follows: { base: InstanceDetails; handlers: FollowSessionHandlers; stopped: boolean }[] = [];
  available = true;
  follow = (_t: PanelTarget, base: InstanceDetails, handlers: FollowSessionHandlers) => {
    if (!this.available) return undefined;
    const entry = { base, handlers, stopped: false };
    this.follows.push(entry);
    return { stop: () => void (entry.stopped = true) };
  };
  get current() {
    const f = this.follows.at(-1);
    assert.ok(f, 'following');
    return f;
  }
}

function setup(opts: { interval?: number; fetch?: (signal: AbortSignal) => Promise<FetchedInstance>; stream?: FakeStream } = {}) {
  const posted: HostToWebview[] = [];
  const calls: string[] = [];
  const scheduler = new ManualScheduler();
  let fetches = 0;
  const status: { value: InstanceStatus } = { value: 'running' };
  const deps: InstancePanelDeps = {
    fetchInstance: (_t, signal) => {
      fetches++;
      return opts.fetch ? opts.fetch(signal) : Promise.resolve({ details: details(status.value) });
    },
    runAction: async (_t, action: WebviewAction, step) => {
      calls.push(`action:${action}:${step ?? ''}`);
      if (action === 'terminate') throw new Error('cannot terminate');
    },
    openJson: (_t, what, step, value) => void calls.push(`json:${what}:${step ?? ''}:${JSON.stringify(value)?.slice(0, 20)}`),
    goToSource: (_t, step) => {
      calls.push(`source:${step}`);
      if (step === 'charge-1') throw new Error('No step.do call named "charge" was found.');
    },
    loadFullOutput: async (_t, step) => ({ full: step }),
    ...(opts.stream ? { follow: opts.stream.follow } : {}),
    log: { info: (m) => calls.push(`info:${m}`), warn: (m) => calls.push(`warn:${m.slice(0, 40)}`), error: (m) => calls.push(`error:${m}`) },
  };
  const clipboard: string[] = [];
  const session = new InstanceSession(target, deps, { post: (m) => posted.push(m), writeClipboard: async (t) => void clipboard.push(t) }, { refreshIntervalMs: () => opts.interval ?? 2000, scheduler, now: () => 1000 });
  return { session, posted, calls, scheduler, status, clipboard, fetches: () => fetches };
}

describe('InstanceSession following the event stream', () => {
  it('follows instead of polling after the first fetch: no second request, one post per update, stops at the final state', async () => {
    const stream = new FakeStream();
    const s = setup({ stream });
    await s.session.refresh();
    await s.session.handleMessage({ type: 'ready' });
    await flush();
    assert.equal(s.fetches(), 1);
    assert.equal(stream.follows.length, 1, 'follows from the details it fetched');
    assert.equal(stream.current.base.status, 'running');
    assert.deepEqual(s.scheduler.delays, [], 'no polling timer while streaming');
    assert.ok(s.session.streaming);
    const before = s.posted.length;
    stream.current.handlers.onUpdate({ details: details('running') });
    stream.current.handlers.onUpdate({ details: details('complete') });
    assert.equal(s.posted.length, before + 2);
    const last = s.session.lastPosted;
    assert.ok(last?.type === 'instance' && last.details.status === 'complete' && last.meta.live === false, 'the header stops saying Live');
    stream.current.handlers.onEnd();
    assert.equal(s.session.streaming, false);
    assert.deepEqual(s.scheduler.delays, []);
    assert.equal(s.fetches(), 1, 'not one detail request after the first');
  });

  it('a refresh from outside (after a restart elsewhere) drops the follower of the earlier run and follows from the new details', async () => {
    const stream = new FakeStream();
    const s = setup({ stream });
    await s.session.refresh();
    await s.session.handleMessage({ type: 'ready' });
    await flush();
    const old = stream.current;
    await s.session.refresh();
    await flush();
    assert.equal(old.stopped, true, "the earlier run's follower is stopped");
    assert.equal(s.fetches(), 2);
    assert.equal(stream.follows.length, 2, 'a new follower from the fresh details');
    assert.equal(stream.current.stopped, false);
  });

  it('a webview that says ready long after the fetch follows the stream rather than fetching again', async () => {
    const stream = new FakeStream();
    let now = 1000;
    const s = setup({ stream });
    (s.session as unknown as { now: () => number }).now = () => now;
    await s.session.refresh();
    now += 60_000;
    await s.session.handleMessage({ type: 'ready' });
    await flush();
    assert.equal(s.fetches(), 1);
    assert.equal(stream.follows.length, 1);
  });

  it('falls back to polling, with its backoff, when the stream is unavailable', async () => {
    const stream = new FakeStream();
    const s = setup({ stream });
    await s.session.handleMessage({ type: 'ready' });
    await flush();
    stream.current.handlers.onUnavailable(new Error('not offered'));
    assert.deepEqual(s.scheduler.delays, [2000], 'polls from now on');
    assert.ok(s.calls.some((c) => /polling instead of the event stream \(not offered\)/.test(c)));
    s.scheduler.fire();
    await flush();
    assert.equal(s.fetches(), 2);
    assert.equal(stream.follows.length, 1, 'this view does not ask the stream again');
    assert.deepEqual(s.scheduler.delays, [2000]);
  });

  it('polls when the connection cannot stream (local), exactly as before', async () => {
    const stream = new FakeStream();
    stream.available = false;
    const s = setup({ stream });
    await s.session.handleMessage({ type: 'ready' });
    await flush();
    assert.deepEqual(s.scheduler.delays, [2000]);
    assert.equal(s.session.streaming, false);
  });

  it('a hidden view stops following; shown again, it follows afresh from what it shows', async () => {
    const stream = new FakeStream();
    const s = setup({ stream });
    await s.session.handleMessage({ type: 'ready' });
    await flush();
    const first = stream.current;
    s.session.setVisible(false);
    assert.equal(first.stopped, true);
    assert.equal(s.session.streaming, false);
    const posts = s.posted.length;
    first.handlers.onUpdate({ details: details('complete') });
    assert.equal(s.posted.length, posts, 'a stopped stream posts nothing');
    s.session.setVisible(true);
    assert.equal(stream.follows.length, 2);
    assert.deepEqual(s.scheduler.delays, []);
    assert.equal(s.fetches(), 1);
  });

  it('an action refreshes and follows the new run from fresh details; dispose stops the stream', async () => {
    const stream = new FakeStream();
    const s = setup({ stream });
    await s.session.handleMessage({ type: 'ready' });
    await flush();
    const first = stream.current;
    await s.session.handleMessage({ type: 'action', action: 'restart', generation: 0 });
    await flush();
    assert.equal(first.stopped, true);
    assert.equal(stream.follows.length, 2);
    assert.equal(s.fetches(), 2);
    s.session.dispose();
    assert.equal(stream.current.stopped, true);
  });
});

describe('InstanceSession', () => {
  it('fetches while the webview loads and posts the result on ready, without asking again', async () => {
    const s = setup();
    await s.session.refresh();
    assert.equal(s.posted.length, 0, 'nothing is posted before ready');
    await s.session.handleMessage({ type: 'ready' });
    await flush();
    assert.deepEqual(
      s.posted.map((m) => m.type),
      ['init', 'instance'],
    );
    assert.equal(s.fetches(), 1, 'the fetch started with the click is the only one');
    assert.deepEqual(s.scheduler.delays, [2000], 'polling goes on from there');
    const inst = s.posted[1];
    assert.ok(inst.type === 'instance');
    assert.deepEqual(inst.meta.actions, ['pause', 'terminate', 'restart']);
    assert.equal(inst.meta.canSendEvent, true);
    assert.equal(inst.meta.live, true);
    assert.equal(inst.meta.connectionLabel, 'Local dev');
    assert.deepEqual(inst.meta.capabilities, { stepOutput: false, restartFromStep: false, goToSource: false });
  });

  it('shows loading before the first data only', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    assert.deepEqual(
      s.posted.map((m) => m.type),
      ['init', 'loading', 'instance'],
    );
  });

  it('polls on the interval until the instance is final, then stops', async () => {
    const s = setup({ interval: 1500 });
    await s.session.handleMessage({ type: 'ready' });
    assert.deepEqual(s.scheduler.delays, [1500]);
    s.scheduler.fire();
    await flush();
    assert.equal(s.fetches(), 2);
    s.status.value = 'complete';
    s.scheduler.fire();
    await flush();
    assert.equal(s.fetches(), 3);
    assert.deepEqual(s.scheduler.delays, [], 'no more polling at a final state');
    const last = s.session.lastPosted;
    assert.ok(last?.type === 'instance' && last.meta.live === false);
  });

  it('never overlaps requests: a refresh during a fetch runs once afterwards', async () => {
    const gates: ReturnType<typeof deferred<FetchedInstance>>[] = [];
    const s = setup({
      fetch: () => {
        const d = deferred<FetchedInstance>();
        gates.push(d);
        return d.promise;
      },
    });
    const ready = s.session.handleMessage({ type: 'ready' });
    await flush();
    assert.equal(gates.length, 1);
    void s.session.refresh();
    void s.session.refresh();
    s.scheduler.fire();
    await flush();
    assert.equal(gates.length, 1, 'still one request in flight');
    gates[0].resolve({ details: details('running') });
    await flush();
    assert.equal(gates.length, 2, 'exactly one follow-up');
    gates[1].resolve({ details: details('running') });
    await ready;
    await flush();
    assert.equal(gates.length, 2);
    assert.equal(s.scheduler.pending.size, 1);
  });

  it('pauses while hidden, resumes when shown, and repaints a reloaded webview from what it has', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    s.session.setVisible(false);
    assert.equal(s.scheduler.pending.size, 0);
    assert.equal(s.session.polling, false);
    s.session.setVisible(true);
    assert.equal(s.scheduler.pending.size, 1, 'polling resumes when shown');
    const before = s.posted.length;
    await s.session.handleMessage({ type: 'ready' });
    // The last instance is shown at once; it was fetched just now, so no second request.
    assert.deepEqual(
      s.posted.slice(before).map((m) => m.type),
      ['init', 'instance'],
    );
    assert.equal(s.fetches(), 1);
    assert.equal(s.scheduler.pending.size, 1);
  });

  it('a hide and show that did not reload the webview leaves it ready (no silent panel)', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    // View-state events can arrive around the first `ready` without the webview being torn down.
    s.session.setVisible(false);
    s.session.setVisible(true);
    const before = s.posted.length;
    await s.session.refresh();
    assert.deepEqual(
      s.posted.slice(before).map((m) => m.type),
      ['instance'],
      'the refresh reaches the webview without a new ready',
    );
  });

  it('a preview switching to this instance greets its loaded webview and paints remembered details at once', async () => {
    const posted: HostToWebview[] = [];
    const remembered = { details: details('errored'), meta: { connectionLabel: 'L', workflow: 'w', id: 'inst-1', actions: [], canSendEvent: false, live: false, capabilities: { stepOutput: false, restartFromStep: false, goToSource: false }, fetchedAt: 1 } };
    const fetched: unknown[] = [];
    const gate = deferred<FetchedInstance>();
    const deps = { fetchInstance: () => gate.promise, log: { info: () => undefined, warn: () => undefined, error: () => undefined } } as unknown as InstancePanelDeps;
    const session = new InstanceSession(target, deps, { post: (m) => posted.push(m), writeClipboard: async () => undefined }, { refreshIntervalMs: () => 2000, scheduler: new ManualScheduler(), generation: 7, webviewReady: true, initial: remembered, onFetched: (l) => fetched.push(l) });
    assert.deepEqual(posted[0], { type: 'init', target, generation: 7 });
    assert.ok(posted[1].type === 'instance' && posted[1].details === remembered.details, 'remembered details before any request returns');
    const refreshing = session.refresh();
    assert.equal(posted.length, 2, 'no loading state over remembered details');
    gate.resolve({ details: details('complete') });
    await refreshing;
    assert.ok(posted[2].type === 'instance' && posted[2].details.status === 'complete', 'fresh details follow');
    assert.equal(fetched.length, 1, 'the manager hears of every fetch');
    session.dispose();
  });

  it('drops requests sent for an earlier view of the panel (another generation)', async () => {
    const posted: HostToWebview[] = [];
    const calls: string[] = [];
    const deps = {
      fetchInstance: async () => ({ details: details('running') }),
      runAction: async (_t: PanelTarget, action: string) => void calls.push(action),
      log: { info: () => undefined, warn: (m: string) => calls.push(`warn:${m}`), error: () => undefined },
    } as unknown as InstancePanelDeps;
    const session = new InstanceSession(target, deps, { post: (m) => posted.push(m), writeClipboard: async () => undefined }, { refreshIntervalMs: () => 0, scheduler: new ManualScheduler(), generation: 3, webviewReady: true });
    await session.refresh();
    await session.handleMessage({ type: 'action', action: 'terminate', generation: 2 });
    await session.handleMessage({ type: 'action', action: 'pause' });
    assert.deepEqual(calls.filter((c) => !c.startsWith('warn')), [], 'neither a stale nor an unmarked request acts');
    assert.equal(calls.filter((c) => c.startsWith('warn')).length, 2);
    await session.handleMessage({ type: 'action', action: 'pause', generation: 3 });
    assert.deepEqual(calls.filter((c) => !c.startsWith('warn')), ['pause']);
    session.dispose();
  });

  it('reports fetch errors, keeps polling with a growing delay', async () => {
    let fail = true;
    const s = setup({ interval: 1000, fetch: async () => (fail ? Promise.reject(new Error('HTTP 502')) : { details: details('running') }) });
    await s.session.handleMessage({ type: 'ready' });
    assert.deepEqual(s.posted.at(-1), { type: 'error', message: 'HTTP 502' });
    assert.deepEqual(s.scheduler.delays, [2000]);
    s.scheduler.fire();
    await flush();
    assert.deepEqual(s.scheduler.delays, [4000]);
    fail = false;
    s.scheduler.fire();
    await flush();
    assert.deepEqual(s.scheduler.delays, [1000]);
  });

  it('passes meta the caller knows better than the defaults', async () => {
    const s = setup({ fetch: async () => ({ details: details('running'), meta: { capabilities: { stepOutput: true, restartFromStep: true, goToSource: true }, canSendEvent: false } }) });
    await s.session.handleMessage({ type: 'ready' });
    const m = s.session.lastPosted;
    assert.ok(m?.type === 'instance');
    assert.deepEqual(m.meta.capabilities, { stepOutput: true, restartFromStep: true, goToSource: true });
    assert.equal(m.meta.canSendEvent, false);
  });

  it('delivers a step selection after the data', async () => {
    const s = setup();
    s.session.selectStep('charge-1');
    await s.session.handleMessage({ type: 'ready' });
    const types = s.posted.map((m) => m.type);
    assert.ok(types.indexOf('selectStep') > types.indexOf('instance'));
  });

  it('runs actions, reports the outcome and refreshes', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    const fetches = s.fetches();
    await s.session.handleMessage({ type: 'action', action: 'pause' });
    await s.session.handleMessage({ type: 'action', action: 'terminate' });
    await s.session.handleMessage({ type: 'action', action: 'restartFromStep', step: 'charge-1' });
    assert.deepEqual(
      s.calls.filter((c) => c.startsWith('action')),
      ['action:pause:', 'action:terminate:', 'action:restartFromStep:charge-1'],
    );
    const results = s.posted.filter((m) => m.type === 'actionResult');
    assert.deepEqual(results, [
      { type: 'actionResult', action: 'pause', ok: true },
      { type: 'actionResult', action: 'terminate', ok: false, message: 'cannot terminate' },
      { type: 'actionResult', action: 'restartFromStep', ok: true },
    ]);
    assert.equal(s.fetches(), fetches + 3);
  });

  it('only acts on steps the instance has', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    await s.session.handleMessage({ type: 'action', action: 'restartFromStep', step: 'no such step-1' });
    await s.session.handleMessage({ type: 'goToSource', step: 'evil-1' });
    await s.session.handleMessage({ type: 'goToSource', step: 'load-1' });
    assert.deepEqual(
      s.calls.filter((c) => !c.startsWith('warn')),
      ['source:load-1'],
    );
    assert.equal(s.calls.filter((c) => c.startsWith('warn')).length, 2);
  });

  it('tells the webview when a request fails', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    await s.session.handleMessage({ type: 'goToSource', step: 'charge-1' });
    assert.deepEqual(s.session.lastPosted, { type: 'requestFailed', request: 'goToSource', message: 'No step.do call named "charge" was found.' });
  });

  it('ignores and logs malformed messages', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'action', action: 'rm -rf' });
    await s.session.handleMessage('ready');
    assert.equal(s.fetches(), 0);
    assert.equal(s.calls.length, 2);
  });

  it('copies, opens JSON with the shown value and loads full output', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    await s.session.handleMessage({ type: 'copy', text: 'hello' });
    await s.session.handleMessage({ type: 'openJson', what: 'params' });
    await s.session.handleMessage({ type: 'openJson', what: 'step', step: 'load-1' });
    await s.session.handleMessage({ type: 'loadFullOutput', step: 'load-1' });
    assert.deepEqual(s.clipboard, ['hello']);
    assert.deepEqual(
      s.calls.filter((c) => c.startsWith('json')),
      ['json:params::{}', 'json:step:load-1:{"type":"step","name'],
    );
    assert.deepEqual(s.posted.at(-1), { type: 'fullOutput', step: 'load-1', output: { full: 'load-1' } });
  });

  it('stops everything on dispose and aborts the request in flight', async () => {
    let signal: AbortSignal | undefined;
    const gate = deferred<FetchedInstance>();
    const s = setup({
      fetch: (sig) => {
        signal = sig;
        return gate.promise;
      },
    });
    void s.session.handleMessage({ type: 'ready' });
    await flush();
    s.session.dispose();
    assert.equal(signal?.aborted, true);
    const count = s.posted.length;
    gate.resolve({ details: details('running') });
    await flush();
    assert.equal(s.posted.length, count);
    assert.equal(s.scheduler.pending.size, 0);
  });
});
