// Connection commands: add a Cloudflare account (token verified, stored only in SecretStorage),
// import CLOUDFLARE_API_TOKEN with consent, rename, update token, remove (deletes the secret),
// connect to a local session by URL, and start `wrangler dev` for the workspace.
import * as vscode from 'vscode';
import { forNotification, forQuickPickDescription, forQuickPickLabel, forQuickPickTitle } from '../model/display';
import { listAccounts, verifyToken } from '../api';
import { isLoopback } from '../connections/discovery';
import type { CloudConnection } from '../connections/types';
import { type CommandContext, must, resolveConnection } from './context';

export interface AddAccountArgs {
  token: string;
  accountIds?: string[];
  apiBaseUrl?: string;
  label?: string;
}

function apiBaseUrl(given?: string): string | undefined {
  return given ?? (vscode.workspace.getConfiguration('cloudflareWorkflows').get<string>('apiBaseUrl') || undefined);
}

export async function addAccount(ctx: CommandContext, ...args: unknown[]): Promise<CloudConnection[]> {
  const given = args[0] as AddAccountArgs | undefined;
  const token = given?.token ?? must(await vscode.window.showInputBox({
    title: 'Add Cloudflare Account: API token',
    prompt: 'A token with Workers Scripts Read (to browse) and Workers Scripts Write (to act). It is kept in VS Code SecretStorage only.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Paste an API token.' : /[^\x20-\xff]/.test(v) ? 'The token holds characters that are not part of a token (a copied "…"?).' : undefined),
  })).trim();
  ctx.log.registerSecret(token);
  const baseUrl = apiBaseUrl(given?.apiBaseUrl);
  const verified = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Verifying the API token…' }, () => verifyToken({ apiToken: token, baseUrl }));
  if (verified.status !== 'active') throw new Error(`The token is ${verified.status}. Create or roll a token in the Cloudflare dashboard.`);
  const accounts = await listAccounts({ apiToken: token, baseUrl });
  if (accounts.length === 0) throw new Error('The token cannot see any account. Give it access to an account (Account Resources).');
  let chosen = accounts.filter((a) => !given?.accountIds || given.accountIds.includes(a.id));
  if (!given && accounts.length > 1) {
    const picks = must(await vscode.window.showQuickPick(accounts.map((a) => ({ label: forQuickPickLabel(a.name), description: forQuickPickDescription(a.id), picked: false, account: a })), { title: 'Which accounts?', canPickMany: true }));
    chosen = picks.map((p) => p.account);
  }
  if (chosen.length === 0) throw new Error('No account was chosen.');
  const added: CloudConnection[] = [];
  for (const a of chosen) {
    const conn = await ctx.registry.cloud.add({ id: `cloud:${a.id}`, label: given?.label ?? a.name, accountId: a.id, accountName: a.name, apiBaseUrl: baseUrl }, token);
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
export async function importEnvToken(ctx: CommandContext, ...args: unknown[]): Promise<CloudConnection[] | undefined> {
  const token = process.env.CLOUDFLARE_API_TOKEN;
  if (!token) throw new Error('CLOUDFLARE_API_TOKEN is not set in the environment VS Code was started from.');
  const accountId = process.env.CLOUDFLARE_ACCOUNT_ID;
  const consent = args[0] === true || (await vscode.window.showInformationMessage(
    forNotification(`Import the Cloudflare API token from CLOUDFLARE_API_TOKEN${accountId ? ` for account ${accountId}` : ''}? It will be stored in VS Code SecretStorage.`, 400),
    { modal: true }, 'Import')) === 'Import';
  if (!consent) return undefined;
  return addAccount(ctx, { token, accountIds: accountId ? [accountId] : undefined });
}

export async function renameConnection(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const conn = await resolveConnection(ctx, args[0]);
  if (conn.kind !== 'cloud') throw new Error('Local sessions are named after their address.');
  const label = typeof args[1] === 'string' ? args[1] : must(await vscode.window.showInputBox({ title: 'Rename connection', value: conn.label, validateInput: (v) => (v.trim() ? undefined : 'The name must not be empty.') }));
  await ctx.registry.cloud.rename(conn.id, label.trim());
  ctx.registry.fireChanged();
}

export async function updateToken(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const conn = await resolveConnection(ctx, args[0]);
  if (conn.kind !== 'cloud') throw new Error('Local sessions need no token.');
  const token = typeof args[1] === 'string' ? args[1] : must(await vscode.window.showInputBox({ title: forQuickPickTitle(`New API token for ${conn.label}`), password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Paste an API token.') })).trim();
  ctx.log.registerSecret(token);
  const verified = await verifyToken({ apiToken: token, baseUrl: conn.apiBaseUrl });
  if (verified.status !== 'active') throw new Error(`The token is ${verified.status}.`);
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
  const confirmed = args[1] === true || (await vscode.window.showWarningMessage(forNotification(`Remove "${conn.label}"? Its API token is deleted from SecretStorage.`), { modal: true }, 'Remove')) === 'Remove';
  if (!confirmed) return;
  ctx.registry.dropBackend(conn.id);
  await ctx.registry.cloud.remove(conn.id);
  ctx.registry.fireChanged();
}

export async function connectLocal(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const url = (typeof args[0] === 'string' ? args[0] : must(await vscode.window.showInputBox({ title: 'Connect to a local dev session', value: 'http://127.0.0.1:8787', validateInput: (v) => (/^https?:\/\/[^/]+/.test(v) ? undefined : 'Enter an http(s) URL such as http://127.0.0.1:8787') }))).replace(/\/+$/, '');
  if (!isLoopback(url)) {
    const ok = args[1] === true || (await vscode.window.showWarningMessage(forNotification(`${url} is not a loopback address: requests will leave this machine, unauthenticated. Connect anyway?`, 600), { modal: true }, 'Connect')) === 'Connect';
    if (!ok) return;
  }
  const cfg = vscode.workspace.getConfiguration('cloudflareWorkflows');
  const urls = cfg.get<string[]>('localUrls', []);
  if (!urls.includes(url)) await cfg.update('localUrls', [...urls, url], vscode.ConfigurationTarget.Global);
  await ctx.tree.refresh();
}

/** Runs `wrangler dev` for the workspace's wrangler config in a terminal and connects when it answers. */
export async function startLocalSession(ctx: CommandContext): Promise<void> {
  const configs = await vscode.workspace.findFiles('**/wrangler.{json,jsonc,toml}', '**/node_modules/**', 20);
  const withWorkflows: vscode.Uri[] = [];
  for (const uri of configs) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    if (/workflows/.test(text)) withWorkflows.push(uri);
  }
  if (withWorkflows.length === 0) throw new Error('No wrangler.json, wrangler.jsonc or wrangler.toml with "workflows" in this workspace.');
  const config = withWorkflows.length === 1 ? withWorkflows[0] : must(await vscode.window.showQuickPick(withWorkflows.map((u) => ({ label: forQuickPickLabel(vscode.workspace.asRelativePath(u)), uri: u })), { title: 'Which Worker?' })).uri;
  const cwd = vscode.Uri.joinPath(config, '..');
  const terminal = vscode.window.createTerminal({ name: 'wrangler dev (Workflows)', cwd });
  terminal.show();
  terminal.sendText('npx wrangler dev');
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Waiting for wrangler dev…', cancellable: true }, async (_p, token) => {
    for (let i = 0; i < 90 && !token.isCancellationRequested; i++) {
      await ctx.registry.refreshLocal();
      if (ctx.registry.connections().some((c) => c.kind === 'local')) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error('wrangler dev did not answer within 90 s; see the terminal.');
  });
  await ctx.tree.refresh();
}
