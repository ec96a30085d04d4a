// Which non-loopback local-session URLs the user agreed to contact. Requests to them leave the
// machine unauthenticated, so each URL is asked about once (in "Connect to Local Dev Session…") and
// remembered in globalState; a URL that only appears in the setting is not probed until then.
import type * as vscode from 'vscode';

const KEY = 'cloudflareWorkflows.remoteLocalUrlsAllowed';

export class LocalUrlConsent {
  constructor(private readonly state: vscode.Memento) {}

  has(url: string): boolean {
    return this.state.get<string[]>(KEY, []).includes(url);
  }

  async grant(url: string): Promise<void> {
    if (!this.has(url)) await this.state.update(KEY, [...this.state.get<string[]>(KEY, []), url]);
  }
}
