// Bad input is a WorkflowsApiError 'invalidInput' and never a request: the MockAgent refuses any
// connection and has no interceptors, and the request counter must stay at zero.
import * as assert from 'node:assert/strict';
import type { MockAgent } from 'undici';
import { cloudBackend, localBackend, type WorkflowsBackend } from '../../../src/api';
import { expectApiError, mockAgent } from './helpers';

const MiB = 1024 * 1024;

describe('api: validation before sending', () => {
  let agent: MockAgent;
  let backends: { label: string; b: WorkflowsBackend & { stats(): { requests: number } } }[];
  beforeEach(() => {
    agent = mockAgent();
    backends = [
      { label: 'local', b: localBackend({ baseUrl: 'http://127.0.0.1:8787', dispatcher: agent }) },
      { label: 'cloud', b: cloudBackend({ apiToken: 't', accountId: 'acc', dispatcher: agent }) },
    ];
  });
  afterEach(async () => {
    for (const { b } of backends) {
      assert.equal(b.stats().requests, 0, 'nothing may be sent');
      await b.close();
    }
    await agent.close();
  });

  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;

  const cases: [string, (b: WorkflowsBackend) => Promise<unknown>, RegExp][] = [
    ['empty workflow name', (b) => b.listInstances(''), /must not be empty/],
    ['workflow name of 65 characters', (b) => b.getWorkflow('w'.repeat(65)), /65 characters; the limit is 64/],
    ['instance id starting with "-"', (b) => b.createInstance('wf', { id: '-x' }), /must not start with "-"/],
    ['instance id with a space', (b) => b.createInstance('wf', { id: 'a b' }), /letters, digits/],
    ['instance id of 101 characters', (b) => b.createInstance('wf', { id: 'a'.repeat(101) }), /101 characters; the limit is 100/],
    ['params that are not JSON-serialisable', (b) => b.createInstance('wf', { params: cyclic }), /cannot be serialised as JSON/],
    ['params of a BigInt', (b) => b.createInstance('wf', { params: { n: 1n } }), /cannot be serialised/],
    ['params over 1 MiB', (b) => b.createInstance('wf', { params: 'x'.repeat(MiB) }), /the limit is 1 MiB/],
    ['event payload over 1 MiB', (b) => b.sendEvent('wf', 'i', 'approval', { s: 'x'.repeat(MiB) }), /Event payload is .* the limit is 1 MiB/],
    ['empty event type', (b) => b.sendEvent('wf', 'i', '', {}), /Event type must not be empty/],
    ['event type of 101 characters', (b) => b.sendEvent('wf', 'i', 'e'.repeat(101), {}), /the limit is 100/],
    ['empty existing instance id', (b) => b.getInstance('wf', ''), /must not be empty/],
    ['instance id with a newline', (b) => b.changeStatus('wf', 'a\nb', 'pause'), /control characters/],
    ['an unknown action', (b) => b.changeStatus('wf', 'i', 'explode' as 'pause'), /Unknown action/],
    ['restart-from on pause', (b) => b.changeStatus('wf', 'i', 'pause', { from: { name: 's' } }), /only applies to restart/],
    ['rollback on resume', (b) => b.changeStatus('wf', 'i', 'resume', { rollback: true }), /Rollback only applies to terminate/],
    ['restart-from count 0', (b) => b.changeStatus('wf', 'i', 'restart', { from: { name: 's', count: 0 } }), /at least 1/],
    ['page size 0', (b) => b.listInstances('wf', { perPage: 0 }), /1 to 100/],
    ['page size 101', (b) => b.listInstances('wf', { perPage: 101 }), /1 to 100/],
    ['a date that is not RFC 3339 with an offset', (b) => b.listInstances('wf', { dateStart: 'yesterday' }), /RFC 3339/],
    ['a date without a time zone offset', (b) => b.listInstances('wf', { dateEnd: '2026-11-01T00:00:00' }), /RFC 3339/],
    ['a retention that is not a duration', (b) => b.createInstance('wf', { retention: { successRetention: 'forever' } }), /Success retention "forever" is not a duration/],
    ['a retention of 0 ms', (b) => b.createInstance('wf', { retention: { errorRetention: 0 } }), /Error retention must be a whole number/],
    ['a batch item with a bad retention', (b) => b.createInstances('wf', [{ id: 'a' }, { id: 'b', retention: { successRetention: '3 fortnights' } }]), /Item 2: Success retention/],
    ['an empty batch', (b) => b.createInstances('wf', []), /empty/],
    ['a batch with one bad item (position 150)', (b) => b.createInstances('wf', [...Array.from({ length: 149 }, (_, i) => ({ id: `ok-${i}` })), { id: 'bad id' }]), /Item 150/],
    ['a batch with a duplicate id', (b) => b.createInstances('wf', [{ id: 'a' }, { id: 'a' }]), /more than once/],
    ['an empty delete list', (b) => b.deleteInstances('wf', []), /empty/],
    ['a step query without a name', (b) => b.getStepOutput('wf', 'i', { stepName: '', type: 'step' }), /Step name/],
    ['a step query with attempt 0', (b) => b.getStepOutput('wf', 'i', { stepName: 's-1', type: 'step', attempt: 0 }), /Attempt/],
  ];

  for (const [what, call, message] of cases) {
    it(`rejects ${what}`, async () => {
      for (const { b } of backends) await expectApiError(call(b), 'invalidInput', message);
    });
  }

  it('accepts the limits themselves', async () => {
    // 64-character name, 100-character id, exactly 1 MiB of JSON: valid, so they would be sent.
    // The MockAgent refuses the connection, which proves validation let them through.
    const b = backends[1].b;
    const almost = 'x'.repeat(MiB - 2); // JSON adds the two quotes
    await expectApiError(b.createInstance('w'.repeat(64), { id: 'i'.repeat(100), params: almost }), 'network');
    backends = backends.slice(0, 1); // the cloud backend did send, on purpose
    await b.close();
  });

  it('rejects a token that cannot be a header value, without echoing it', () => {
    assert.throws(
      () => cloudBackend({ apiToken: 'abc…def', accountId: 'acc' }),
      (e: Error) => e.message.includes('cannot be sent') && !e.message.includes('abc'),
    );
    assert.throws(() => cloudBackend({ apiToken: '  ', accountId: 'acc' }), /token is empty/);
    assert.throws(() => cloudBackend({ apiToken: 't', accountId: '../x' }), /account ID/);
  });

  it('retention is cloud only: the local engine would drop it silently, so it is refused there', async () => {
    await expectApiError(backends[0].b.createInstance('wf', { id: 'x', retention: { successRetention: '7 days' } }), 'invalidInput', /Cloudflare accounts only/);
  });
});
