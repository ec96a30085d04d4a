// Waiting on a condition, for the UI suites and their page objects (kept apart from support.ts,
// which imports the page objects).

/** Polls `fn` until it holds (true) or `timeoutMs` has passed (false). */
export async function poll(fn: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, everyMs))) if (await fn()) return true;
  return false;
}

/** Polls `fn` until it holds; throws, naming `what`, once `timeoutMs` has passed. */
export async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  if (!(await poll(fn, timeoutMs, 300))) throw new Error(`timed out: ${what}`);
}
