// Shared by the engine suites: the engine runner and seed (ES modules, hence dynamic import from these
// CommonJS test files), and polling until an instance reaches a state.
import type { InstanceDetails, WorkflowsBackend } from '../../src/api';

export type Wrangler = 'current' | 'legacy';

export interface Engine {
  baseUrl: string;
  apiBase: string;
  port: number;
  wranglerVersion: string;
  logs: () => string;
  stop: () => Promise<void>;
}

export async function startEngine(wrangler: Wrangler = 'current'): Promise<Engine> {
  const mod = await import('../../scripts/lib/engine.mjs');
  return mod.startEngine({ wrangler });
}

export async function seed(apiBase: string, only?: string[]): Promise<string> {
  const mod = await import('../../scripts/lib/seed.mjs');
  return mod.seed(apiBase, only ? { only } : {});
}

/**
 * Starts an engine and seeds it. A failing seed stops the engine (nothing left running) and reports the
 * tail of wrangler's log, which is usually where the reason is.
 */
export async function startSeeded(wrangler: Wrangler, only?: string[]): Promise<Engine> {
  const engine = await startEngine(wrangler);
  try {
    await seed(engine.apiBase, only);
    return engine;
  } catch (e) {
    const log = engine.logs().slice(-3000);
    await engine.stop();
    throw new Error(`seeding wrangler ${wrangler} failed: ${e instanceof Error ? e.message : String(e)}\n--- wrangler dev log (tail) ---\n${log}`, { cause: e });
  }
}

/** Polls getInstance until `predicate` holds; fails with the last state after `timeoutMs`. */
export async function waitFor(b: WorkflowsBackend, workflow: string, id: string, predicate: (d: InstanceDetails) => boolean, timeoutMs = 30_000): Promise<InstanceDetails> {
  const deadline = Date.now() + timeoutMs;
  let last: InstanceDetails | undefined;
  while (Date.now() < deadline) {
    last = await b.getInstance(workflow, id);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${workflow}/${id} did not reach the expected state; last status ${last?.status}, ${last?.steps.length} steps`);
}

/** Running and parked in its long step (sleep or waitForEvent), so pause/terminate act on a stable state. */
export const parked = (d: InstanceDetails): boolean => d.status === 'running' && d.steps.some((s) => (s.type === 'sleep' || s.type === 'waitForEvent') && !s.end);
