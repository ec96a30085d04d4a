// The backend registry: which connections exist (cloud accounts + local sessions), one backend per
// connection, and what each may do (read-only tokens). The tree and the commands ask it for backends.
import * as vscode from 'vscode';
import { cloudBackend, localBackend, StreamAvailability, type WorkflowsBackend } from '../api';
import type { InstanceDetails } from '../model/types';
import type { Log } from '../log';
import { CloudConnectionStore } from './cloudStore';
import { discoverLocalSessions, isLoopback } from './discovery';
import type { LocalUrlConsent } from './localConsent';
import { localConnectionId, type CloudConnection, type Connection, type LocalConnection } from './types';
import { withSilentReauth, wranglerToken } from './wranglerAuth';

/** Only the user's own (application-scoped) setting names the Node that runs wrangler. */
export function configuredNodePath(): string | undefined {
  return vscode.workspace.getConfiguration('cloudflareWorkflows').inspect<string>('nodePath')?.globalValue || undefined;
}

const MAX_REMEMBERED_DETAILS = 500;

export interface ReadOnlyInfo {
  missing: string;
}

export class ConnectionRegistry implements vscode.Disposable {
  private locals: LocalConnection[] = [];
  private readonly backends = new Map<string, WorkflowsBackend>();
  private readonly readOnly = new Map<string, ReadOnlyInfo>();
  /** Instance details fetched anyway (webview, commands): the tree shows derived states from them. */
  readonly details = new Map<string, InstanceDetails>();
  /** Backends whose event stream recently failed: panels and watches poll those instead of asking again. */
  readonly streams = new StreamAvailability();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private discovering: Promise<void> | undefined;

  constructor(
    readonly cloud: CloudConnectionStore,
    private readonly log: Log,
    readonly consent: LocalUrlConsent,
  ) {}

  connections(): Connection[] {
    return [...this.locals, ...this.cloud.list()];
  }

  get(id: string): Connection | undefined {
    return this.connections().find((c) => c.id === id);
  }

  /** Probes for local sessions (no overlap: concurrent callers share one probe). */
  refreshLocal(): Promise<void> {
    this.discovering ??= (async () => {
      try {
        const setting = vscode.workspace.getConfiguration('cloudflareWorkflows').get<unknown>('localUrls', []);
        const configured = (Array.isArray(setting) ? setting : []).filter((u): u is string => typeof u === 'string').map((u) => u.replace(/\/+$/, ''));
        for (const u of configured) if (!isLoopback(u) && !this.consent.has(u)) this.log.warn(`Not probing ${u} from "cloudflareWorkflows.localUrls": it is not a loopback address. Run "Connect to Local Dev Session…" with it to agree to it.`);
        const allowed = configured.filter((u) => isLoopback(u) || this.consent.has(u));
        const toConnection = (baseUrl: string): LocalConnection => ({
          kind: 'local',
          id: localConnectionId(baseUrl),
          label: `Local · ${new URL(baseUrl).host}`,
          baseUrl,
          source: allowed.includes(baseUrl) ? 'setting' : 'discovered',
          remote: !isLoopback(baseUrl),
        });
        // A session that answers is shown at once; sessions that went away are dropped when the probe ends.
        const found = await discoverLocalSessions(allowed, undefined, (baseUrl) => {
          const c = toConnection(baseUrl);
          if (this.locals.some((l) => l.id === c.id)) return;
          this.locals = [...this.locals, c];
          this.changed.fire();
          this.firstLocalFound?.();
        });
        const next = found.map(toConnection);
        const before = this.locals.map((l) => l.id).join();
        this.locals = next;
        for (const id of [...this.backends.keys()]) if (id.startsWith('local:') && !next.some((l) => l.id === id)) this.dropBackend(id);
        if (before !== next.map((l) => l.id).join()) this.changed.fire();
      } finally {
        this.discovering = undefined;
      }
    })();
    return this.discovering;
  }

  /**
   * The first probe of a window, for the view's first items: resolves when a local session is known
   * (one found before, or the first to answer now) or when the probe ends, whichever comes first, so
   * the first items never wait for the slowest candidate. The probe itself runs to its end.
   */
  firstProbe(): { quick: Promise<void>; done: Promise<void> } {
    const done = this.refreshLocal();
    if (this.locals.length) return { quick: Promise.resolve(), done };
    const found = new Promise<void>((r) => (this.firstLocalFound = r));
    const quick = Promise.race([found, done]).finally(() => (this.firstLocalFound = undefined));
    return { quick, done };
  }
  private firstLocalFound: (() => void) | undefined;

  async backend(id: string): Promise<WorkflowsBackend> {
    const existing = this.backends.get(id);
    if (existing) return existing;
    const conn = this.get(id);
    if (!conn) throw new Error(`The connection is gone. Refresh the Workflows view.`);
    const created = conn.kind === 'local' ? localBackend({ baseUrl: conn.baseUrl }) : await this.createCloud(conn);
    this.backends.set(id, created);
    return created;
  }

  private async createCloud(conn: CloudConnection): Promise<WorkflowsBackend> {
    const token = await this.cloud.getToken(conn.id);
    if (!token) throw new Error(`No API token is stored for "${conn.label}". Run "Update Token".`);
    this.log.registerSecret(token);
    // Cloudflare's envelope `messages` (notices such as deprecations) go to the log, bounded: server text.
    const onMessages = (op: string, messages: { code: number; message: string }[]) =>
      this.log.info(`Cloudflare says (${op}): ${messages.map((m) => `${m.code ? `[${m.code}] ` : ''}${m.message.slice(0, 300)}`).join(' | ')}`);
    const make = (t: string) => cloudBackend({ apiToken: t, accountId: conn.accountId, baseUrl: conn.apiBaseUrl, onMessages });
    if (conn.credential !== 'wrangler') return make(token);
    // wrangler's OAuth token expires: on a 401, run `wrangler auth token` again once, silently, and keep
    // the new token in SecretStorage only.
    return withSilentReauth(make(token), async () => {
      const fresh = await wranglerToken({ folders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), nodePath: configuredNodePath() });
      this.log.registerSecret(fresh.token);
      await this.cloud.updateToken(conn.id, fresh.token);
      this.log.info(`${conn.label}: renewed the token from wrangler's login`);
      return make(fresh.token);
    });
  }

  /** The backend already built for a connection, if any (never builds one: no token is read). */
  cachedBackend(id: string): WorkflowsBackend | undefined {
    return this.backends.get(id);
  }

  /** Forget a backend (token changed, connection removed) so the next call builds a fresh one. */
  dropBackend(id: string): void {
    const b = this.backends.get(id);
    this.backends.delete(id);
    void b?.close();
  }

  markReadOnly(id: string, missing: string): void {
    if (this.readOnly.get(id)?.missing === missing) return;
    this.readOnly.set(id, { missing });
    this.changed.fire();
  }
  clearReadOnly(id: string): void {
    if (this.readOnly.delete(id)) this.changed.fire();
  }
  readOnlyInfo(id: string): ReadOnlyInfo | undefined {
    return this.readOnly.get(id);
  }

  rememberDetails(connectionId: string, workflow: string, details: InstanceDetails): void {
    const key = `${connectionId}\u0000${workflow}\u0000${details.id}`;
    // Most recent last; the oldest go first, so a long session does not hold every instance it saw.
    this.details.delete(key);
    this.details.set(key, details);
    if (this.details.size > MAX_REMEMBERED_DETAILS) this.details.delete(this.details.keys().next().value as string);
  }
  knownDetails(connectionId: string, workflow: string, id: string): InstanceDetails | undefined {
    return this.details.get(`${connectionId}\u0000${workflow}\u0000${id}`);
  }

  fireChanged(): void {
    this.changed.fire();
  }

  dispose(): void {
    for (const id of [...this.backends.keys()]) this.dropBackend(id);
    this.changed.dispose();
  }
}
