// Connection commands: add a Cloudflare account (token verified, stored only in SecretStorage),
// import CLOUDFLARE_API_TOKEN with consent, rename, update token, remove (deletes the secret),
// connect to a local session by URL, and start `wrangler dev` for the workspace.
import * as vscode from 'vscode';
import { forNotification, forQuickPickDescription, forQuickPickLabel, forQuickPickTitle } from '../model/display';
import { isApiError, listAccounts, verifyCredential, type VerifiedCredential } from '../api';
import { parseWranglerConfig } from '../model/wranglerConfig';
import { httpHost, isLoopback } from '../api';
import type { CloudConnection, CredentialKind } from '../connections/types';
import { type CommandContext, must, resolveConnection } from './context';

/**
 * Only the user's own (application-scoped) setting chooses where a token goes: never a command
 * argument, which a `command:` link could fill with another server.
 */
function apiBaseUrl(): string | undefined {
  // Application scope: VS Code reads it from the user's settings only, never from a workspace.
  return vscode.workspace.getConfiguration('cloudflareWorkflows').get<string>('apiBaseUrl') || undefined;
}

/** The command takes no arguments: the token is always typed by the user into the genuine prompt. */
export async function addAccount(ctx: CommandContext): Promise<CloudConnection[]> {
  const token = must(await vscode.window.showInputBox({
    title: 'Add Cloudflare Account: API token',
    prompt: 'A token with Workers Scripts Read (to browse) and Workers Scripts Write (to act). It is kept in VS Code SecretStorage only.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Paste an API token.' : /[^\x20-\xff]/.test(v) ? 'The token holds characters that are not part of a token (a copied "…"?).' : undefined),
  })).trim();
  return addAccountWithToken(ctx, token, undefined);
}

/** Account ids the user may mean: CLOUDFLARE_ACCOUNT_ID and `account_id` in the workspace's wrangler configs. */
async function accountIdCandidates(): Promise<{ id: string; from: string }[]> {
  const out: { id: string; from: string }[] = [];
  const env = process.env.CLOUDFLARE_ACCOUNT_ID?.trim();
  if (env) out.push({ id: env, from: 'CLOUDFLARE_ACCOUNT_ID' });
  for (const uri of await vscode.workspace.findFiles('**/wrangler.{json,jsonc,toml}', '**/node_modules/**', 20)) {
    const id = parseWranglerConfig(uri.path, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))).accountId?.trim();
    if (id && !out.some((c) => c.id === id)) out.push({ id, from: vscode.workspace.asRelativePath(uri) });
  }
  return out.filter((c) => /^[A-Za-z0-9_-]{1,64}$/.test(c.id));
}

/** The user types or picks the account an account-owned token belongs to. */
async function askAccountId(): Promise<string> {
  const typed = '$(edit) Type an account ID…';
  const candidates = await accountIdCandidates();
  let id: string | undefined;
  if (candidates.length > 0) {
    const pick = must(await vscode.window.showQuickPick([...candidates.map((c) => ({ label: forQuickPickLabel(c.id), description: forQuickPickDescription(c.from), id: c.id })), { label: typed, description: '', id: undefined }], {
      title: 'Account-owned token: which account does it belong to?',
      placeHolder: 'Cloudflare did not accept it as a user token',
    }));
    id = pick.id;
  }
  id ??= must(await vscode.window.showInputBox({
    title: 'Account-owned token: account ID',
    prompt: 'The 32-character account ID from the Cloudflare dashboard (Account Home → the account → Account ID).',
    ignoreFocusOut: true,
    validateInput: (v) => (/^[A-Za-z0-9_-]{1,64}$/.test(v.trim()) ? undefined : 'An account ID is letters and digits, like 0123456789abcdef0123456789abcdef.'),
  })).trim();
  return id;
}

/**
 * Verifies a user token, or an account-owned one: when the user endpoint refuses the token, the
 * account endpoint of a known account id (given, or asked for) is tried (api/auth.ts).
 */
async function verifyAnyToken(ctx: CommandContext, token: string, baseUrl: string | undefined, accountIds: string[] | undefined): Promise<VerifiedCredential> {
  const run = (ids: string[], accountFirst: boolean) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Verifying the API token…' }, () => verifyCredential({ apiToken: token, baseUrl }, ids, accountFirst));
  try {
    return await run(accountIds ?? [], false);
  } catch (e) {
    if (!isApiError(e, 'auth') || (accountIds && accountIds.length > 0)) throw e;
    ctx.log.info('The user token endpoint refused the token; asking which account it belongs to.');
    return run([await askAccountId()], true);
  }
}

async function addAccountWithToken(ctx: CommandContext, token: string, accountIds: string[] | undefined, kind?: CredentialKind): Promise<CloudConnection[]> {
  ctx.log.registerSecret(token);
  const baseUrl = apiBaseUrl();
  const verified = await verifyAnyToken(ctx, token, baseUrl, accountIds);
  if (verified.verification.status !== 'active') throw new Error(`The token is ${verified.verification.status}. Create or roll a token in the Cloudflare dashboard.`);
  ctx.log.info(`Token verified with the ${verified.endpoint === 'account' ? 'account' : 'user'} endpoint`);
  // GET /accounts lists every account the token sees (account-owned tokens see theirs); if it cannot
  // list them, the account whose endpoint verified the token is the one.
  let accounts = await listAccounts({ apiToken: token, baseUrl }).catch((e: unknown) => {
    if (verified.accountId && (isApiError(e, 'auth') || isApiError(e, 'permission'))) return [];
    throw e;
  });
  if (accounts.length === 0 && verified.accountId) accounts = [{ id: verified.accountId, name: verified.accountId }];
  if (accounts.length === 0) throw new Error('The token cannot see any account. Give it access to an account (Account Resources).');
  let chosen = accounts.filter((a) => !accountIds || accountIds.includes(a.id));
  if (!accountIds && accounts.length > 1) {
    const picks = must(await vscode.window.showQuickPick(accounts.map((a) => ({ label: forQuickPickLabel(a.name), description: forQuickPickDescription(a.id), picked: false, account: a })), { title: 'Which accounts?', canPickMany: true }));
    chosen = picks.map((p) => p.account);
  }
  if (chosen.length === 0) throw new Error('No account was chosen.');
  const credential: CredentialKind = kind ?? (verified.endpoint === 'account' ? 'accountToken' : 'userToken');
  const added: CloudConnection[] = [];
  for (const a of chosen) {
    const conn = await ctx.registry.cloud.add({ id: `cloud:${a.id}`, label: a.name, accountId: a.id, accountName: a.name, apiBaseUrl: baseUrl, credential, verifiedWith: verified.endpoint }, token);
    ctx.registry.dropBackend(conn.id);
    added.push(conn);
    // Reading Workflows is the least this connection must do.
    try {
      await (await ctx.registry.backend(conn.id)).listWorkflows();
    } catch (e) {
      ctx.log.warn(`${a.name}: listing Workflows failed: ${e instanceof Error ? e.message : String(e)}`);
      void vscode.window.showWarningMessage(forNotification(`"${a.name}" was added, but listing its Workflows failed: ${ctx.log.redact(e instanceof Error ? e.message : String(e))}`, 600));
    }
  }
  ctx.registry.fireChanged();
  ctx.log.info(`Added ${added.length} Cloudflare account connection(s)`);
  return added;
}

/** Offers to import CLOUDFLARE_API_TOKEN / CLOUDFLARE_ACCOUNT_ID (as wrangler users have), with consent. */
export async function importEnvToken(ctx: CommandContext): Promise<CloudConnection[] | undefined> {
  const token = process.env.CLOUDFLARE_API_TOKEN;
  if (!token) throw new Error('CLOUDFLARE_API_TOKEN is not set in the environment VS Code was started from.');
  const accountId = process.env.CLOUDFLARE_ACCOUNT_ID;
  const consent = (await ctx.steps.dialog(() => vscode.window.showInformationMessage(
    forNotification(`Import the Cloudflare API token from CLOUDFLARE_API_TOKEN${accountId ? ` for account ${accountId}` : ''}? It will be stored in VS Code SecretStorage.`, 400),
    { modal: true }, 'Import'))) === 'Import';
  if (!consent) return undefined;
  return addAccountWithToken(ctx, token, accountId ? [accountId] : undefined);
}

export async function renameConnection(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const conn = await resolveConnection(ctx, args[0]);
  if (conn.kind !== 'cloud') throw new Error('Local sessions are named after their address.');
  const label = must(await vscode.window.showInputBox({ title: 'Rename connection', value: conn.label, validateInput: (v) => (v.trim() ? undefined : 'The name must not be empty.') }));
  await ctx.registry.cloud.rename(conn.id, label.trim());
  ctx.registry.fireChanged();
}

export async function updateToken(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const conn = await resolveConnection(ctx, args[0]);
  if (conn.kind !== 'cloud') throw new Error('Local sessions need no token.');
  const token = must(await vscode.window.showInputBox({ title: forQuickPickTitle(`New API token for ${conn.label}`), password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Paste an API token.') })).trim();
  ctx.log.registerSecret(token);
  // The connection's own account endpoint is the fallback, so an account-owned token can be updated too.
  const verified = await verifyCredential({ apiToken: token, baseUrl: conn.apiBaseUrl }, [conn.accountId], conn.credential === 'accountToken');
  if (verified.verification.status !== 'active') throw new Error(`The token is ${verified.verification.status}.`);
  const credential: CredentialKind = verified.endpoint === 'account' ? 'accountToken' : 'userToken';
  await ctx.registry.cloud.setCredential(conn.id, credential, verified.endpoint);
  await ctx.registry.cloud.updateToken(conn.id, token);
  ctx.registry.dropBackend(conn.id);
  ctx.registry.clearReadOnly(conn.id);
  await ctx.tree.refresh();
  void vscode.window.showInformationMessage(forNotification(`Token updated for ${conn.label}.`));
}

export async function removeConnection(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const conn = await resolveConnection(ctx, args[0]);
  if (conn.kind !== 'cloud') {
    throw new Error('Local sessions disappear when `wrangler dev` stops; remove a configured URL from the "cloudflareWorkflows.localUrls" setting.');
  }
  const confirmed = (await ctx.steps.dialog(() => vscode.window.showWarningMessage(forNotification(`Remove "${conn.label}"? Its API token is deleted from SecretStorage.`), { modal: true }, 'Remove'))) === 'Remove';
  if (!confirmed) return;
  ctx.registry.dropBackend(conn.id);
  await ctx.registry.cloud.remove(conn.id);
  ctx.registry.fireChanged();
}

/** The URL is always typed by the user; a non-loopback one is asked about once and remembered. */
export async function connectLocal(ctx: CommandContext): Promise<void> {
  const url = must(await vscode.window.showInputBox({ title: 'Connect to a local dev session', value: 'http://127.0.0.1:8787', validateInput: (v) => (httpHost(v.trim()) ? undefined : 'Enter an http(s) URL such as http://127.0.0.1:8787') })).trim().replace(/\/+$/, '');
  if (!httpHost(url)) throw new Error('Enter an http(s) URL such as http://127.0.0.1:8787.');
  if (!isLoopback(url) && !ctx.registry.consent.has(url)) {
    const ok = (await ctx.steps.dialog(() => vscode.window.showWarningMessage(forNotification(`${url} is not a loopback address: requests will leave this machine, unauthenticated. Connect anyway?`, 600), { modal: true }, 'Connect'))) === 'Connect';
    if (!ok) return;
    await ctx.registry.consent.grant(url);
  }
  const cfg = vscode.workspace.getConfiguration('cloudflareWorkflows');
  const urls = cfg.get<string[]>('localUrls', []);
  if (!urls.includes(url)) await cfg.update('localUrls', [...urls, url], vscode.ConfigurationTarget.Global);
  await ctx.tree.refresh();
}

