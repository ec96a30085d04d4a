// Watch Instance / Watch Workflow (errors): a notification when a watched instance completes,
// errors or starts retrying, with Open and Restart buttons. Watches live in globalState, so they
// survive a window reload. Polling is light: one detail call per watched instance per interval; on a
// cloud connection a watched instance is followed by its event stream after the first call instead,
// and polled again only if the stream cannot be had.
import * as vscode from 'vscode';
import { isApiError, UNAVAILABLE_FOR_MS } from '../api';
import type { ConnectionRegistry } from '../connections/registry';
import { deriveState } from '../model/derived';
import { forNotification } from '../model/display';
import { isFinal } from '../model/status';
import type { InstanceDetails } from '../model/types';
import type { Log } from '../log';
import type { FollowDetailsHandlers, InstanceRef } from '../service/workflowsService';

/** Follows an instance by its event stream from details just fetched; undefined when it cannot (WorkflowsService.follow). */
export type FollowInstance = (ref: InstanceRef, base: InstanceDetails, handlers: FollowDetailsHandlers) => { stop(): void } | undefined;

export interface Watch {
  kind: 'instance' | 'workflowErrors';
  connectionId: string;
  workflow: string;
  id?: string;
  /** Last seen state, to notify on changes only. */
  last?: string;
  /** For workflow watches: errored count when last seen. */
  errored?: number;
}

const KEY = 'cloudflareWorkflows.watches';

export class WatchManager implements vscode.Disposable {
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  /** Consecutive failures per watch and when to try it next: a failing watch backs off. */
  private readonly failures = new Map<string, { count: number; nextAt: number }>();
  /** Notifications shown (tests read them). */
  readonly notified: string[] = [];
  /**
   * Instance watches kept current by the event stream (not polled while they are), by key, with the
   * watch as last seen: the stream compares with this, not with the stored list, which a check in
   * progress writes only when it ends.
   */
  private readonly followers = new Map<string, { handle: { stop(): void }; watch: Watch }>();
  /** Watches the stream ended since the last check began: that check's snapshot must not bring them back. */
  private readonly endedByStream = new Set<string>();
  /** When a watch whose stream failed may try the stream again (it polls until then), by key. */
  private readonly streamRetryAt = new Map<string, number>();
  /** Stream updates write the watch list one at a time. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: vscode.Memento,
    private readonly registry: ConnectionRegistry,
    private readonly log: Log,
    private readonly onOpen: (w: Watch) => void,
    private readonly follow?: FollowInstance,
  ) {
    this.schedule();
  }

  list(): Watch[] {
    return this.state.get<Watch[]>(KEY, []);
  }

  private key(w: Watch): string {
    return `${w.kind}|${w.connectionId}|${w.workflow}|${w.id ?? ''}`;
  }

  async add(w: Watch): Promise<void> {
    this.endedByStream.delete(this.key(w));
    const all = this.list().filter((x) => this.key(x) !== this.key(w));
    await this.state.update(KEY, [...all, w]);
    this.schedule();
  }

  async remove(w: Watch): Promise<void> {
    this.stopFollowing(this.key(w));
    this.streamRetryAt.delete(this.key(w));
    await this.state.update(KEY, this.list().filter((x) => this.key(x) !== this.key(w)));
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.list().length === 0) return;
    this.timer = setInterval(() => void this.check(), this.intervalMs());
  }

  private intervalMs(): number {
    return Math.max(2, vscode.workspace.getConfiguration('cloudflareWorkflows').get<number>('watchIntervalSeconds', 10)) * 1000;
  }

  /** One pass over every watch; notifies on transitions. Public so tests can drive it. */
  async check(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const next: Watch[] = [];
      const now = Date.now();
      for (const w of this.list()) {
        // The stream keeps it current: no request (its latest state is read below).
        if (this.followers.has(this.key(w))) {
          next.push(w);
          continue;
        }
        const failing = this.failures.get(this.key(w));
        if (failing && now < failing.nextAt) {
          next.push(w);
          continue;
        }
        try {
          next.push(await this.checkOne(w));
          this.failures.delete(this.key(w));
        } catch (e) {
          if (isApiError(e, 'notFound')) {
            // The instance (or workflow) is gone: polling it again cannot succeed.
            this.failures.delete(this.key(w));
            this.notified.push(`stopped: ${w.workflow}/${w.id ?? '*'}`);
            void vscode.window.showWarningMessage(forNotification(`Cloudflare Workflows: stopped watching ${w.id ? `instance ${w.id} of ${w.workflow}` : `workflow ${w.workflow}`}: it no longer exists.`, 600));
            continue;
          }
          const count = (failing?.count ?? 0) + 1;
          this.failures.set(this.key(w), { count, nextAt: now + backoffMs(this.intervalMs(), count) });
          this.log.warn(`Watch on ${w.workflow}/${w.id ?? '*'} failed (${count} in a row, next try in ${Math.round(backoffMs(this.intervalMs(), count) / 1000)} s): ${e instanceof Error ? e.message : String(e)}`);
          next.push(w);
        }
      }
      // Followed watches as the stream last saw them; ones it ended meanwhile stay gone.
      const merged = next.flatMap((w) => {
        const key = this.key(w);
        const followed = this.followers.get(key);
        if (followed) return [followed.watch];
        return this.endedByStream.has(key) ? [] : [w];
      });
      this.endedByStream.clear();
      // Finished instance watches end by themselves.
      await this.state.update(KEY, merged.filter((w) => !(w.kind === 'instance' && w.last && isFinal(w.last as never))));
      if (next.length !== this.list().length) this.schedule();
    } finally {
      this.busy = false;
    }
  }

  private async checkOne(w: Watch): Promise<Watch> {
    const backend = await this.registry.backend(w.connectionId);
    if (w.kind === 'workflowErrors') {
      const d = await backend.getWorkflow(w.workflow);
      const errored = d.instances.errored ?? 0;
      if (w.errored !== undefined && errored > w.errored) this.notify(w, `${errored - w.errored} new errored instance(s) in ${w.workflow}.`, false, 'error');
      return { ...w, errored };
    }
    const d = await backend.getInstance(w.workflow, w.id as string);
    this.registry.rememberDetails(w.connectionId, w.workflow, d);
    const next = this.observe(w, d);
    if (!isFinal(d.status)) this.startFollowing(next, d);
    return next;
  }

  /** Follows a watched instance by its event stream from the details just fetched, where the connection can. */
  private startFollowing(w: Watch, base: InstanceDetails): void {
    const key = this.key(w);
    if (!this.follow || !w.id || this.followers.has(key) || (this.streamRetryAt.get(key) ?? 0) > Date.now()) return;
    const handle = this.follow({ connectionId: w.connectionId, workflow: w.workflow, id: w.id }, base, {
      onDetails: (d) => this.streamed(key, d),
      // The follower has stopped either way: a watch left in `followers` would never be polled again.
      onEnd: (d) => {
        this.streamed(key, d);
        this.stopFollowing(key);
      },
      onUnavailable: (reason) => {
        this.stopFollowing(key);
        this.streamRetryAt.set(key, Date.now() + UNAVAILABLE_FOR_MS);
        this.log.info(`Watch on ${w.workflow}/${w.id ?? '*'}: polling instead of the event stream (${reason.message})`);
      },
    });
    if (handle) this.followers.set(key, { handle, watch: w });
  }

  private stopFollowing(key: string): void {
    this.followers.get(key)?.handle.stop();
    this.followers.delete(key);
  }

  /** New details from the stream: notify on a transition and store the state, as a poll would. */
  private streamed(key: string, d: InstanceDetails): void {
    const followed = this.followers.get(key);
    if (!followed) return;
    const before = followed.watch.last;
    const next = this.observe(followed.watch, d);
    const final = isFinal(d.status);
    if (final) {
      this.stopFollowing(key);
      this.endedByStream.add(key);
    } else followed.watch = next;
    if (next.last === before && !final) return;
    this.writes = this.writes
      .then(async () => {
        await this.state.update(KEY, this.list().flatMap((x) => (this.key(x) !== key ? [x] : final ? [] : [next])));
        if (final) this.schedule();
      })
      .catch((e: unknown) => this.log.warn(`Watch: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** The watch after seeing `d`: notifies on a change of state. */
  private observe(w: Watch, d: InstanceDetails): Watch {
    const derived = deriveState(d, Date.now());
    const state = derived.kind === 'retrying' ? 'retrying' : d.status;
    if (w.last !== undefined && state !== w.last) {
      if (state === 'complete') this.notify(w, `${w.id} completed.`, false);
      else if (state === 'errored') this.notify(w, `${w.id} errored: ${d.error?.message ?? 'no message'}`, true, 'error');
      else if (state === 'retrying' && derived.kind === 'retrying') this.notify(w, `${w.id} is retrying (attempt ${derived.attempt} of ${derived.limit}).`, true, 'warning');
      else if (state === 'terminated') this.notify(w, `${w.id} was terminated.`, true);
    }
    return { ...w, last: state };
  }

  private notify(w: Watch, text: string, offerRestart: boolean, severity: 'info' | 'warning' | 'error' = 'info'): void {
    this.notified.push(text);
    this.log.info(`Watch: ${text}`);
    const buttons = offerRestart && w.id ? ['Open', 'Restart'] : ['Open'];
    const shown =
      severity === 'error' ? vscode.window.showErrorMessage(forNotification(`Cloudflare Workflows: ${text}`, 600), ...buttons) :
      severity === 'warning' ? vscode.window.showWarningMessage(forNotification(`Cloudflare Workflows: ${text}`, 600), ...buttons) :
      vscode.window.showInformationMessage(forNotification(`Cloudflare Workflows: ${text}`, 600), ...buttons);
    void shown.then((pick) => {
      if (pick === 'Open') this.onOpen(w);
      if (pick === 'Restart' && w.id) void vscode.commands.executeCommand('cloudflareWorkflows.restart', { connectionId: w.connectionId, workflow: w.workflow, id: w.id });
    });
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const key of [...this.followers.keys()]) this.stopFollowing(key);
  }
}

/** Doubles the wait after each consecutive failure, up to 5 minutes. */
export function backoffMs(intervalMs: number, failures: number): number {
  return Math.min(5 * 60_000, intervalMs * 2 ** Math.min(failures, 16));
}
