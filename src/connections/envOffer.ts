// wrangler users often have CLOUDFLARE_API_TOKEN / CLOUDFLARE_ACCOUNT_ID set. When the view is first
// shown and no account is connected, offer to import them — never silently, and "Never" is kept.
import * as vscode from 'vscode';
import type { ConnectionRegistry } from './registry';

const DISMISSED = 'cloudflareWorkflows.envTokenOfferDismissed';

export async function offerEnvToken(registry: ConnectionRegistry, state: vscode.Memento): Promise<void> {
  if (!process.env.CLOUDFLARE_API_TOKEN || registry.cloud.list().length > 0 || state.get<boolean>(DISMISSED)) return;
  const pick = await vscode.window.showInformationMessage(
    'CLOUDFLARE_API_TOKEN is set in your environment. Connect that Cloudflare account in the Workflows view? The token is stored in VS Code SecretStorage.',
    'Import…',
    'Not Now',
    'Never',
  );
  if (pick === 'Import…') await vscode.commands.executeCommand('cloudflareWorkflows.importEnvToken');
  if (pick === 'Never') await state.update(DISMISSED, true);
}
