// Diagnose Connection: reachability, token validity, account access, read and write permission,
// the API path in use and latency, as a report a user can paste into a bug. Token-free.
import * as vscode from 'vscode';
import { forNotification } from '../model/display';
import { isApiError, verifyCredential } from '../api';
import { CREDENTIAL_LABEL } from '../connections/types';
import type { CommandContext } from './context';
import { resolveConnection } from './context';

interface Check {
  name: string;
  ok: boolean | undefined;
  detail: string;
}

export async function diagnoseConnection(ctx: CommandContext, ...args: unknown[]): Promise<string> {
  const conn = await resolveConnection(ctx, args[0]);
  const checks: Check[] = [];
  const add = (name: string, ok: boolean | undefined, detail: string) => checks.push({ name, ok, detail: ctx.log.redact(detail) });
  const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: forNotification(`Diagnosing ${conn.label}…`) }, async () => {
    let backend;
    try {
      backend = await ctx.registry.backend(conn.id);
    } catch (e) {
      add('Credentials', false, msg(e));
      return;
    }
    try {
      const p = await backend.probe();
      add('Reachable', true, `${p.detail} (${p.latencyMs} ms)`);
    } catch (e) {
      add('Reachable', false, msg(e));
      return;
    }
    if (conn.kind === 'cloud') {
      const token = await ctx.registry.cloud.getToken(conn.id);
      try {
        // Both endpoints, the connection's own kind first, so the report says which one answered.
        const v = await verifyCredential({ apiToken: token ?? '', baseUrl: conn.apiBaseUrl }, [conn.accountId], conn.credential === 'accountToken');
        const where = v.endpoint === 'account' ? `/accounts/${conn.accountId}/tokens/verify` : '/user/tokens/verify';
        add('Token', v.verification.status === 'active', `${CREDENTIAL_LABEL[conn.credential ?? 'userToken']}; status: ${v.verification.status}; verified by ${where}`);
      } catch (e) {
        add('Token', false, msg(e));
      }
    }
    let firstWorkflow: string | undefined;
    try {
      const t = Date.now();
      const list = await backend.listWorkflows();
      firstWorkflow = list[0]?.name;
      add('Read Workflows', true, `${list.length} workflow(s) in ${Date.now() - t} ms`);
    } catch (e) {
      add('Read Workflows', false, isApiError(e, 'permission') ? 'Missing Workers Scripts Read (or Workers Tail Read).' : msg(e));
    }
    if (firstWorkflow) {
      // A status change on an instance that cannot exist: 404 proves write access without changing anything.
      try {
        await backend.changeStatus(firstWorkflow, 'cfwf-diagnose-no-such-instance', 'pause');
        add('Write permission', true, 'accepted');
      } catch (e) {
        if (isApiError(e, 'notFound')) {
          add('Write permission', true, 'allowed (probe answered "not found", as intended)');
          ctx.registry.clearReadOnly(conn.id);
        } else if (isApiError(e, 'permission')) {
          add('Write permission', false, 'Missing Workers Scripts Write: actions are hidden for this connection.');
          ctx.registry.markReadOnly(conn.id, 'Workers Scripts Write');
        } else add('Write permission', undefined, msg(e));
      }
    }
  });

  const lines = [
    `# Cloudflare Workflows connection report`,
    ``,
    `- Connection: ${conn.label} (${conn.kind === 'local' ? conn.baseUrl : `account ${conn.accountId}`})`,
    `- Extension: ${ctx.ext.extension.packageJSON.version} on VS Code ${vscode.version}, ${process.platform}`,
    `- Time: ${new Date().toISOString()}`,
    ``,
    `| Check | Result | Detail |`,
    `| --- | --- | --- |`,
    ...checks.map((c) => `| ${c.name} | ${c.ok === true ? 'ok' : c.ok === false ? 'FAILED' : '?'} | ${c.detail.replace(/\|/g, '\\|')} |`),
    ``,
  ];
  const report = lines.join('\n');
  ctx.log.info(`Diagnose ${conn.label}: ${checks.map((c) => `${c.name}=${c.ok}`).join(', ')}`);
  if (!args.some((a) => a === 'quiet')) {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: report });
    await vscode.window.showTextDocument(doc, { preview: true });
  }
  return report;
}
