// withSilentReauth (pure wrapper, fake backends): a 401 renews once and retries once; concurrent
// 401s share one renewal; other errors pass through untouched; a second 401 asks for `wrangler login`.
import * as assert from 'node:assert/strict';
import { WorkflowsApiError, type WorkflowsBackend } from '../../../src/api';
import { withSilentReauth } from '../../../src/connections/wranglerAuth';
import { expectApiError } from '../api/helpers';

function fake(name: string, behaviour: () => Promise<unknown>): WorkflowsBackend & { calls: number; closed: boolean } {
  const b = {
    kind: 'cloud' as const,
    capabilities: {} as WorkflowsBackend['capabilities'],
    calls: 0,
    closed: false,
    describe: () => name,
    listWorkflows: async () => {
      b.calls++;
      return (await behaviour()) as never;
    },
    close: async () => {
      b.closed = true;
    },
  };
  return b as unknown as WorkflowsBackend & { calls: number; closed: boolean };
}

const unauthorized = () => Promise.reject(new WorkflowsApiError('auth', 'Authentication error', { status: 401 }));

describe('connections/wranglerAuth withSilentReauth', () => {
  it('renews once on a 401, retries once on the new backend, and closes the old one', async () => {
    const old = fake('old', unauthorized);
    const fresh = fake('fresh', async () => [{ name: 'w' }]);
    let renewals = 0;
    const b = withSilentReauth(old, async () => (renewals++, fresh));
    assert.deepEqual(await b.listWorkflows(), [{ name: 'w' }]);
    assert.equal(renewals, 1);
    assert.equal(old.calls, 1);
    assert.equal(fresh.calls, 1);
    assert.equal(old.closed, true);
    assert.equal(b.describe(), 'fresh');
  });

  it('concurrent 401s share one renewal', async () => {
    const old = fake('old', unauthorized);
    const fresh = fake('fresh', async () => []);
    let renewals = 0;
    const b = withSilentReauth(old, async () => {
      renewals++;
      await new Promise((r) => setTimeout(r, 20));
      return fresh;
    });
    await Promise.all([b.listWorkflows(), b.listWorkflows(), b.listWorkflows()]);
    assert.equal(renewals, 1);
    assert.equal(fresh.calls, 3);
  });

  it('other errors are not a reason to run wrangler', async () => {
    let renewals = 0;
    const b = withSilentReauth(fake('x', () => Promise.reject(new WorkflowsApiError('network', 'down'))), async () => (renewals++, fake('y', async () => [])));
    await expectApiError(b.listWorkflows(), 'network');
    assert.equal(renewals, 0);
  });

  it('a 401 after renewing asks for `wrangler login`; a failed renewal is reported as it is', async () => {
    const b = withSilentReauth(fake('a', unauthorized), async () => fake('b', unauthorized));
    await expectApiError(b.listWorkflows(), 'auth', /wrangler login/);
    const c = withSilentReauth(fake('a', unauthorized), () => Promise.reject(new Error('wrangler is not logged in. Run "npx wrangler login"')));
    await assert.rejects(c.listWorkflows(), /not logged in/);
  });
});
