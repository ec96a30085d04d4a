// Sign In with Wrangler: adds the accounts of the user's existing `wrangler login` by running the
// workspace's own wrangler (`wrangler auth token --json`). The command takes no arguments; the token
// goes to SecretStorage only, and the API base URL comes only from the user's own setting.
import * as vscode from 'vscode';
import { listAccounts, verifyCredential } from '../api';
import { configuredNodePath } from '../connections/registry';
import type { CloudConnection } from '../connections/types';
import { WranglerAuthError, wranglerToken } from '../connections/wranglerAuth';
import { forNotification, forQuickPickDescription, forQuickPickLabel } from '../model/display';
import { type CommandContext, must } from './context';

function apiBaseUrl(): string | undefined {
  return vscode.workspace.getConfiguration('cloudflareWorkflows').inspect<string>('apiBaseUrl')?.globalValue || undefined;
}

export async function signInWithWrangler(ctx: CommandContext): Promise<CloudConnection[]> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  let got: Awaited<ReturnType<typeof wranglerToken>>;
  try {
    got = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Asking wrangler for its login…' }, () => wranglerToken({ folders, nodePath: configuredNodePath() }));
  } catch (e) {
    if (e instanceof WranglerAuthError && e.reason === 'notLoggedIn') {
      const pick = await vscode.window.showErrorMessage(forNotification(e.message, 400), 'Open Terminal');
      if (pick === 'Open Terminal') {
        const terminal = vscode.window.createTerminal({ name: 'wrangler login', cwd: folders[0] });
        terminal.show();
        // Typed for the user to run, never run for them.
        terminal.sendText('npx wrangler login', false);
      }
      throw new Error(e.message, { cause: e });
    }
    throw e;
  }
  const token = got.token;
  ctx.log.registerSecret(token);
  const baseUrl = apiBaseUrl();
  const verified = await verifyCredential({ apiToken: token, baseUrl }, []);
  if (verified.verification.status !== 'active') throw new Error(`wrangler's token is ${verified.verification.status}. Run "npx wrangler login" in a terminal.`);
  const accounts = await listAccounts({ apiToken: token, baseUrl });
  if (accounts.length === 0) throw new Error("wrangler's login cannot see any account.");
  // A login that sees several accounts offers them all.
  const chosen =
    accounts.length === 1
      ? accounts
      : must(await vscode.window.showQuickPick(accounts.map((a) => ({ label: forQuickPickLabel(a.name), description: forQuickPickDescription(a.id), account: a })), { title: 'Which accounts?', canPickMany: true })).map((p) => p.account);
  if (chosen.length === 0) throw new Error('No account was chosen.');
  const added: CloudConnection[] = [];
  for (const a of chosen) {
    const conn = await ctx.registry.cloud.add({ id: `cloud:${a.id}`, label: a.name, accountId: a.id, accountName: a.name, apiBaseUrl: baseUrl, credential: 'wrangler', verifiedWith: verified.endpoint }, token);
    ctx.registry.dropBackend(conn.id);
    added.push(conn);
  }
  ctx.registry.fireChanged();
  ctx.log.info(`Signed in with wrangler ${got.wrangler.version} (${got.type} credential): ${added.length} account(s)`);
  return added;
}
