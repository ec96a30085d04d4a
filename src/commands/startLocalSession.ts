// "Start Local Dev Session": runs `wrangler dev` for the workspace's Worker in a terminal and connects
// to that session once it answers. The port (a free one of 8787–8797, where discovery looks) and the
// loopback address are passed explicitly, so the command waits for this session, not for any other
// one already running (wrangler itself would pick the same range, on "localhost"). The workspace's own
// wrangler runs with a Node its `engines` accepts (as Sign In with Wrangler does), as the terminal's
// process itself, so no path goes through a shell; without one, `npx wrangler dev` is typed instead.
import * as vscode from 'vscode';
import { findFreePort, DEFAULT_PORTS } from '../connections/discovery';
import { configuredNodePath } from '../connections/registry';
import { localConnectionId } from '../connections/types';
import { findNode, findWrangler, minimumNode } from '../connections/wranglerAuth';
import { forModalDetail, forNotification, forQuickPickLabel } from '../model/display';
import { type CommandContext, must } from './context';

const ANSWER_WITHIN_S = 90;

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
  // `wrangler dev` runs the workspace's code: never in Restricted Mode, and never without the user saying so
  // (a `command:` link can invoke this command too).
  if (!vscode.workspace.isTrusted) throw new Error("Starting wrangler dev runs this workspace's code: trust the workspace first.");

  const port = await findFreePort(DEFAULT_PORTS);
  if (port === undefined) throw new Error(`Ports ${DEFAULT_PORTS[0]}–${DEFAULT_PORTS[DEFAULT_PORTS.length - 1]} are all taken; stop a wrangler dev session first.`);
  const folders = [cwd.fsPath, ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)];
  const wrangler = findWrangler(folders);
  const node = wrangler ? await findNode(minimumNode(wrangler.needsNode), configuredNodePath()) : undefined;
  if (wrangler && !node) {
    throw new Error(`wrangler ${wrangler.version} needs Node.js ${wrangler.needsNode ?? ''}, and none was found. Install a newer Node.js, or point the "cloudflareWorkflows.nodePath" setting at one.`);
  }
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port)];
  const what = wrangler ? `wrangler ${wrangler.version} (the workspace's)` : 'npx wrangler';
  must(await ctx.steps.dialog(() => vscode.window.showWarningMessage(forNotification(`Run "wrangler dev" on port ${port}?`), { modal: true, detail: forModalDetail(`It runs the Worker in ${vscode.workspace.asRelativePath(cwd)} on this machine with ${what}.`) }, 'Run wrangler dev')));

  const env = { WRANGLER_SEND_METRICS: 'false' };
  const terminal = wrangler && node
    ? vscode.window.createTerminal({ name: `wrangler dev :${port} (Workflows)`, cwd, env, shellPath: node, shellArgs: [wrangler.cli, ...args] })
    : vscode.window.createTerminal({ name: `wrangler dev :${port} (Workflows)`, cwd, env });
  if (!wrangler) terminal.sendText(`npx wrangler ${args.join(' ')}`);
  terminal.show(true);

  const id = localConnectionId(`http://127.0.0.1:${port}`);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: forNotification(`Waiting for wrangler dev on port ${port}…`), cancellable: true }, async (_p, token) => {
    for (let i = 0; i < ANSWER_WITHIN_S && !token.isCancellationRequested; i++) {
      if (terminal.exitStatus) throw new Error(`wrangler dev exited${terminal.exitStatus.code !== undefined ? ` with code ${terminal.exitStatus.code}` : ''}; see the terminal "${terminal.name}".`);
      await ctx.registry.refreshLocal();
      // Something answering on the port is ours only while our wrangler still runs (the port could
      // have been taken between choosing it and wrangler binding it).
      if (ctx.registry.get(id) && !terminal.exitStatus) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (!token.isCancellationRequested) throw new Error(`wrangler dev did not answer on port ${port} within ${ANSWER_WITHIN_S} s; see the terminal "${terminal.name}".`);
  });
  ctx.log.info(`Started wrangler dev on port ${port} (${what})`);
  await ctx.tree.refresh();
}
