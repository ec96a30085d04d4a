// "Sign In with Wrangler" against the REAL wrangler CLI (`wrangler auth token --json`, current wrangler
// on Node 22) with a private HOME whose ~/.config/.wrangler/config/default.toml stands in for a
// `wrangler login`, and the production-shaped gateway in front of a real engine: the token wrangler
// returns is used, a 401 re-runs wrangler exactly once silently, a second one asks for `wrangler login`.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cloudBackend, type WorkflowsBackend } from '../../src/api';
import { findNode, minimumNode, withSilentReauth, wranglerToken, WranglerAuthError } from '../../src/connections/wranglerAuth';
import { startGateway, type Gateway } from '../support/gateway';
import { expectApiError } from '../unit/api/helpers';
import { startEngine, type Engine } from './lib';

const root = resolve(__dirname, '..', '..');

describe('Sign In with Wrangler: the real `wrangler auth token` and a silent re-run on 401', function () {
  this.timeout(180_000);
  let engine: Engine;
  let gw: Gateway;
  let home: string;
  let node22: string;
  const oauth = `wrangler-oauth-${Date.now()}`;
  const env = () => {
    const e: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    delete e.CLOUDFLARE_API_TOKEN;
    delete e.CLOUDFLARE_API_KEY;
    return e;
  };

  before(async function () {
    this.timeout(300_000);
    const mod = (await import('../../scripts/setup-node22.mjs')) as { node22Path: (o?: { install?: boolean }) => string };
    node22 = mod.node22Path({ install: false });
    home = mkdtempSync(join(tmpdir(), 'cfwf-wrangler-home-'));
    const dir = join(home, '.config', '.wrangler', 'config');
    mkdirSync(dir, { recursive: true });
    // What `wrangler login` leaves behind; a future expiration_time means no refresh over the network.
    writeFileSync(join(dir, 'default.toml'), `oauth_token = "${oauth}"\nexpiration_time = "2099-01-01T00:00:00.000Z"\nrefresh_token = "refresh-${oauth}"\nscopes = [ "account:read", "user:read", "workers:write", "offline_access" ]\n`);
    engine = await startEngine('current');
    gw = await startGateway({ engineApiBase: engine.apiBase });
  });
  after(async () => {
    await gw?.close();
    await engine?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('returns the login\'s OAuth token from the workspace\'s own wrangler run on Node 22', async () => {
    const r = await wranglerToken({ folders: [root], nodePath: node22, env: env() });
    assert.equal(r.token, oauth);
    assert.equal(r.type, 'oauth');
    assert.deepEqual(minimumNode(r.wrangler.needsNode), [22, 12]);
  });

  it('a 401 re-runs wrangler once, silently, and the call succeeds; a second 401 asks for `wrangler login`', async () => {
    gw.addToken(oauth, 'write');
    let runs = 0;
    const make = (token: string): WorkflowsBackend => cloudBackend({ apiToken: token, accountId: gw.accountId, baseUrl: gw.apiBase, rateBudget: false });
    const reauth = async () => {
      runs++;
      return make((await wranglerToken({ folders: [root], nodePath: node22, env: env() })).token);
    };
    const b = withSilentReauth(make(oauth), reauth);
    try {
      gw.rejectNext(oauth, 1);
      const before = gw.tokenUses(oauth);
      const list = await b.listWorkflows();
      assert.ok(list.some((w) => w.name === 'order-pipeline'));
      assert.equal(runs, 1, 'wrangler ran again exactly once');
      assert.equal(gw.tokenUses(oauth) - before, 2, 'the refused request and its one retry');
      // Without a 401, wrangler is not run again.
      await b.listWorkflows();
      assert.equal(runs, 1);
      gw.rejectNext(oauth, 2);
      await expectApiError(b.listWorkflows(), 'auth', /wrangler login/);
      assert.equal(runs, 2);
    } finally {
      await b.close();
    }
  });

  it('not logged in: says to run `wrangler login`; no wrangler: says what to install', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cfwf-wrangler-empty-'));
    try {
      const e1 = await wranglerToken({ folders: [root], nodePath: node22, env: { ...env(), HOME: empty, XDG_CONFIG_HOME: join(empty, '.config') } }).then(() => undefined, (e: unknown) => e);
      assert.ok(e1 instanceof WranglerAuthError && e1.reason === 'notLoggedIn', String(e1));
      assert.match(e1.message, /wrangler login/);
      const e2 = await wranglerToken({ folders: [empty], env: env() }).then(() => undefined, (e: unknown) => e);
      assert.ok(e2 instanceof WranglerAuthError && e2.reason === 'missing', String(e2));
      assert.match(e2.message, /npm install --save-dev wrangler/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('finds a Node that satisfies wrangler\'s engines, and none when only older ones exist', async () => {
    assert.equal(await findNode([22, 12], node22, { PATH: '' }), node22);
    // This host's Node (20 in CI) with an empty PATH cannot run wrangler ≥ 4.90.
    const hostMajor = Number(process.versions.node.split('.')[0]);
    assert.equal(await findNode([hostMajor + 1, 0], undefined, { PATH: '' }), undefined);
  });
});
