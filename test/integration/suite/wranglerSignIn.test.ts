// "Sign In with Wrangler" in the real host with the REAL wrangler of the repo (`wrangler auth token
// --json`), run on Node 22 through the `cloudflareWorkflows.nodePath` setting, against the
// production-shaped gateway. A prepared $XDG_CONFIG_HOME/.wrangler/config/default.toml (the host's
// private config dir, set by scripts/lib/host.mjs) stands in for a `wrangler login`; the workspace gets
// "its own wrangler" as node_modules/wrangler, a symlink to the repo's install (as pnpm lays it out).
// Then the gateway refuses the token once: wrangler must run again exactly once, silently, and the
// refused request is retried once with the token wrangler now returns.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import type { CloudConnection } from '../../../src/connections/types';
import type { ConnectionNode } from '../../../src/tree/nodes';
import { api, EXTENSION_ID, isKind, truth } from '../helpers';
import { answering, confirmWith } from '../prompts';
import { gatewayLog } from '../../support/gatewayLog';

const env = (k: string) => {
  const v = process.env[k];
  assert.ok(v, `${k} is set by the runner`);
  return v;
};

/** The gateway's test-only token control: the token travels in the Authorization header. */
async function gatewayToken(token: string, action?: { accept?: 'write'; rejectNext?: number }): Promise<number> {
  const url = new URL('/__gateway/token', env('CFWF_GATEWAY_API'));
  if (action?.accept) url.searchParams.set('accept', action.accept);
  if (action?.rejectNext) url.searchParams.set('rejectNext', String(action.rejectNext));
  const res = await fetch(url, { method: action ? 'POST' : 'GET', headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { uses: number }).uses;
}

describe('Sign In with Wrangler (real wrangler, through the gateway)', function () {
  this.timeout(180_000);
  const salt = Math.random().toString(36).slice(2);
  // What `wrangler login` left, and what its refresh would leave later: distinct, so each use is seen.
  const tokenA = `cfwf-wrangler-oauth-a-${salt}`;
  const tokenB = `cfwf-wrangler-oauth-b-${salt}`;
  let configDir = '';
  let linked = '';
  let conn: CloudConnection | undefined;

  const login = (token: string) =>
    writeFileSync(
      join(configDir, 'config', 'default.toml'),
      // A future expiration_time: wrangler returns the token as is, with no refresh over the network.
      `oauth_token = "${token}"\nexpiration_time = "2099-01-01T00:00:00.000Z"\nrefresh_token = "refresh-${token}"\nscopes = [ "account:read", "user:read", "workers:write", "offline_access" ]\n`,
    );
  const renewals = async () => (await api()).log.history.filter((l) => l.includes("renewed the token from wrangler's login")).length;
  const rootOf = async (id: string) => {
    const a = await api();
    const root = ((await a.tree.getChildren()) as ConnectionNode[]).find((n) => n.kind === 'connection' && n.connection.id === id);
    assert.ok(root, 'the connection is in the tree');
    return root;
  };

  before(async () => {
    // wrangler reads its login from $XDG_CONFIG_HOME/.wrangler (the legacy ~/.wrangler wins if it exists).
    const xdg = env('XDG_CONFIG_HOME');
    assert.ok(!process.env.CLOUDFLARE_API_TOKEN && !process.env.CLOUDFLARE_API_KEY, 'no API token in the host environment: wrangler must use the login file');
    assert.ok(!existsSync(join(process.env.HOME ?? '/nonexistent', '.wrangler')), 'no legacy ~/.wrangler that would hide the prepared login');
    configDir = join(xdg, '.wrangler');
    assert.ok(!existsSync(join(configDir, 'config', 'default.toml')), 'the host config dir holds no login of its own');
    mkdirSync(join(configDir, 'config'), { recursive: true });
    login(tokenA);

    const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath;
    assert.ok(extensionPath);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder);
    assert.ok(!existsSync(join(folder, 'node_modules', 'wrangler')), 'the fixture copy has no wrangler of its own yet');
    mkdirSync(join(folder, 'node_modules'), { recursive: true });
    linked = join(folder, 'node_modules', 'wrangler');
    symlinkSync(join(extensionPath, 'node_modules', 'wrangler'), linked, 'dir');

    const { node22Path } = (await import(pathToFileURL(join(extensionPath, 'scripts', 'setup-node22.mjs')).href)) as { node22Path: (o?: { install?: boolean }) => string };
    const config = vscode.workspace.getConfiguration('cloudflareWorkflows');
    await config.update('nodePath', node22Path({ install: false }), vscode.ConfigurationTarget.Global);
    await config.update('apiBaseUrl', env('CFWF_GATEWAY_API'), vscode.ConfigurationTarget.Global);
    await gatewayToken(tokenA, { accept: 'write' });
    await gatewayToken(tokenB, { accept: 'write' });
  });

  after(async () => {
    if (conn) await answering(confirmWith('Remove'), () => vscode.commands.executeCommand('cloudflareWorkflows.removeConnection', conn?.id));
    await vscode.workspace.getConfiguration('cloudflareWorkflows').update('nodePath', undefined, vscode.ConfigurationTarget.Global);
    if (linked) rmSync(linked, { force: true });
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it("signs in with the login's OAuth token from the workspace's wrangler; the tooltip says \"wrangler's login\"", async () => {
    const a = await api();
    const usedBefore = await gatewayToken(tokenA);
    const { result: added, prompts } = await answering(() => undefined, () => vscode.commands.executeCommand<CloudConnection[]>('cloudflareWorkflows.signInWithWrangler'));
    // Sign-in verified and listed accounts with the token wrangler printed: the gateway saw it.
    assert.ok((await gatewayToken(tokenA)) - usedBefore >= 2, 'the gateway received the token wrangler printed (verify and accounts)');
    assert.equal(added.length, 1, `one account added; prompts: ${JSON.stringify(prompts)}`);
    conn = added[0];
    assert.equal(conn.accountId, env('CFWF_GATEWAY_ACCOUNT'));
    assert.equal(conn.credential, 'wrangler');
    assert.equal(await a.registry.cloud.getToken(conn.id), tokenA, 'SecretStorage holds what wrangler returned');
    const version = (JSON.parse(readFileSync(join(linked, 'package.json'), 'utf8')) as { version: string }).version;
    assert.ok(a.log.history.some((l) => l.includes(`Signed in with wrangler ${version} (oauth credential)`)), 'wrangler reported the login as an OAuth credential');
    assert.ok(!a.log.history.some((l) => l.includes(tokenA)), 'the token never reaches the log');
    const root = await rootOf(conn.id);
    assert.match(String(a.tree.getTreeItem(root).tooltip), /Signed in with: wrangler's login \(wrangler auth token\)/);
    const workflows = (await a.tree.getChildren(root)).filter(isKind('workflow'));
    assert.deepEqual(workflows.map((w) => w.name).sort(), (await truth().listWorkflows()).map((w) => w.name).sort());
    assert.equal(await gatewayToken(tokenB), 0, 'no other token was sent');
    // Diagnose Connection names the credential kind and the verify endpoint that answered.
    const report = await vscode.commands.executeCommand<string>('cloudflareWorkflows.diagnoseConnection', conn.id, 'quiet');
    assert.match(report, /\| Token \| ok \| wrangler's login \(wrangler auth token\); status: active; verified by \/user\/tokens\/verify \|/);
  });

  it('a 401 runs wrangler again exactly once, silently; the refused request is retried once and succeeds', async () => {
    assert.ok(conn, 'signed in by the previous test');
    const a = await api();
    // wrangler's login now holds a newer token (as after its own refresh); the stored one is refused once.
    login(tokenB);
    // The connection's own backend (as the tree and commands get it), called once: a tree refresh could
    // also be loaded by the visible view at the same time, which would blur the counts.
    const backend = await a.registry.backend(conn.id);
    const [usesA, usesB, runs, from] = [await gatewayToken(tokenA), await gatewayToken(tokenB), await renewals(), (await gatewayLog(env('CFWF_GATEWAY_API'))).length];
    await gatewayToken(tokenA, { rejectNext: 1 });
    const { result: workflows, prompts } = await answering(() => undefined, () => backend.listWorkflows());
    assert.deepEqual(prompts, [], 'nothing was shown to the user');
    assert.deepEqual(workflows.map((w) => w.name).sort(), (await truth().listWorkflows()).map((w) => w.name).sort());
    assert.equal((await renewals()) - runs, 1, 'wrangler ran again exactly once');
    assert.equal(await a.registry.cloud.getToken(conn.id), tokenB, "SecretStorage holds the re-run's token");
    const seen = (await gatewayLog(env('CFWF_GATEWAY_API'))).slice(from);
    const refused = seen.filter((l) => l.status === 401);
    assert.equal(refused.length, 1, `one refused request: ${JSON.stringify(seen)}`);
    const list = seen.filter((l) => l.method === refused[0].method && l.path === refused[0].path);
    assert.deepEqual(list.map((l) => l.status), [401, 200], `the refused request was retried once and succeeded: ${JSON.stringify(seen)}`);
    assert.equal((await gatewayToken(tokenA)) - usesA, 1, 'the stale token was sent once (the refused request) and never again');
    assert.equal((await gatewayToken(tokenB)) - usesB, seen.length - 1, 'every other request carried the new token');

    assert.equal(seen.length, 2, `nothing else was sent: ${JSON.stringify(seen)}`);

    // Without a 401, wrangler is not run again.
    await backend.listWorkflows();
    assert.equal((await gatewayToken(tokenB)) - usesB, 2);
    assert.equal((await renewals()) - runs, 1, 'no further wrangler run without a 401');
  });
});
