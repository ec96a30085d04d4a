// Cloud connections: names and account ids in globalState, tokens only in SecretStorage,
// one secret key per connection. Nothing here ever writes a token anywhere else.
import type * as vscode from 'vscode';
import type { CloudConnection } from './types';

const LIST_KEY = 'cloudflareWorkflows.cloudConnections';
const secretKey = (id: string) => `cloudflareWorkflows.token.${id}`;

export class CloudConnectionStore {
  constructor(
    private readonly state: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
  ) {}

  list(): CloudConnection[] {
    return this.state.get<CloudConnection[]>(LIST_KEY, []);
  }

  async add(conn: Omit<CloudConnection, 'kind'>, token: string): Promise<CloudConnection> {
    const full: CloudConnection = { ...conn, kind: 'cloud' };
    // Secret first: a connection without a token would be half-done state.
    await this.secrets.store(secretKey(full.id), token);
    await this.state.update(LIST_KEY, [...this.list().filter((c) => c.id !== full.id), full]);
    return full;
  }

  async rename(id: string, label: string): Promise<void> {
    await this.state.update(LIST_KEY, this.list().map((c) => (c.id === id ? { ...c, label } : c)));
  }

  /** What kind of credential the secret now is (after Update Token or a wrangler re-sign-in). */
  async setCredential(id: string, credential: CloudConnection['credential'], verifiedWith: CloudConnection['verifiedWith']): Promise<void> {
    await this.state.update(LIST_KEY, this.list().map((c) => (c.id === id ? { ...c, credential, verifiedWith } : c)));
  }

  getToken(id: string): Thenable<string | undefined> {
    return this.secrets.get(secretKey(id));
  }

  async updateToken(id: string, token: string): Promise<void> {
    await this.secrets.store(secretKey(id), token);
  }

  async remove(id: string): Promise<void> {
    await this.secrets.delete(secretKey(id));
    await this.state.update(LIST_KEY, this.list().filter((c) => c.id !== id));
  }
}
