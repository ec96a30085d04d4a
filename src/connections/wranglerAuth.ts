// "Sign In with Wrangler": the credential of the user's existing `wrangler login`, taken by running
// `wrangler auth token --json` (wrangler ≥ 4.56; prints {"type":"oauth"|"api_token","token":…}, or
// {"type":"api_key",…} which has no bearer token). Sources:
// https://developers.cloudflare.com/changelog/post/2025-12-18-wrangler-auth-token/ and
// https://developers.cloudflare.com/workers/wrangler/commands/general/#auth-token
// The workspace's own wrangler is run with a Node its `engines` accepts (current wrangler: ≥ 22.12),
// without a shell; nothing it prints is kept except the token, which goes to SecretStorage only.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isApiError, WorkflowsApiError, type WorkflowsBackend } from '../api';

export interface WranglerLocation {
  /** The workspace folder whose node_modules holds wrangler. */
  folder: string;
  cli: string;
  version: string;
  /** The `engines.node` range, e.g. ">=22.12.0". */
  needsNode?: string;
}

export class WranglerAuthError extends Error {
  constructor(
    message: string,
    /** 'notLoggedIn': `wrangler login` is the remedy; 'missing': something must be installed. */
    readonly reason: 'missing' | 'node' | 'notLoggedIn' | 'failed',
  ) {
    super(message);
  }
}

/** The first workspace folder with `node_modules/wrangler` installed. */
export function findWrangler(folders: readonly string[]): WranglerLocation | undefined {
  for (const folder of folders) {
    const pkgFile = join(folder, 'node_modules', 'wrangler', 'package.json');
    if (!existsSync(pkgFile)) continue;
    try {
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: unknown; engines?: { node?: unknown }; bin?: unknown };
      const bin = typeof pkg.bin === 'object' && pkg.bin !== null ? (pkg.bin as Record<string, unknown>).wrangler : undefined;
      const cli = join(folder, 'node_modules', 'wrangler', typeof bin === 'string' ? bin : join('bin', 'wrangler.js'));
      if (!existsSync(cli)) continue;
      return { folder, cli, version: typeof pkg.version === 'string' ? pkg.version : 'unknown', needsNode: typeof pkg.engines?.node === 'string' ? pkg.engines.node : undefined };
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The lowest Node version a ">=22.12.0"-style range allows; undefined when there is no lower bound. */
export function minimumNode(range: string | undefined): [number, number] | undefined {
  const m = range ? />=\s*v?(\d+)(?:\.(\d+))?/.exec(range) : null;
  return m ? [Number(m[1]), Number(m[2] ?? 0)] : undefined;
}

function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function nodeVersion(node: string): Promise<[number, number] | undefined> {
  const r = await run(node, ['--version'], { timeoutMs: 10_000 });
  const m = /^v(\d+)\.(\d+)/.exec(r.stdout.trim());
  return r.code === 0 && m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Candidates, in order: the user's `nodePath` setting, `node` on PATH, the Node running this host. */
export async function findNode(min: [number, number] | undefined, configured: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const onPath = (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, process.platform === 'win32' ? 'node.exe' : 'node'));
  const candidates = [configured, ...onPath.filter((p) => existsSync(p)), process.execPath].filter((x): x is string => !!x);
  for (const node of [...new Set(candidates)]) {
    const v = await nodeVersion(node);
    if (v && (!min || v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]))) return node;
  }
  return undefined;
}

/**
 * Runs `wrangler auth token --json` and returns the bearer token. Throws WranglerAuthError with a
 * message that says what to do (install wrangler or Node, or run `wrangler login`).
 */
export async function wranglerToken(opts: { folders: readonly string[]; nodePath?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ token: string; type: string; wrangler: WranglerLocation }> {
  const env = opts.env ?? process.env;
  const wrangler = findWrangler(opts.folders);
  if (!wrangler) {
    throw new WranglerAuthError('No wrangler in this workspace. Install it in the project ("npm install --save-dev wrangler"), run "npx wrangler login" once, then try again.', 'missing');
  }
  const min = minimumNode(wrangler.needsNode);
  const node = await findNode(min, opts.nodePath, env);
  if (!node) {
    throw new WranglerAuthError(
      `wrangler ${wrangler.version} needs Node.js ${wrangler.needsNode ?? ''}, and none was found. Install Node.js ${min ? `${min[0]}.${min[1]}` : ''} or newer (https://nodejs.org), or point the "cloudflareWorkflows.nodePath" setting at one.`,
      'node',
    );
  }
  const r = await run(node, [wrangler.cli, 'auth', 'token', '--json'], { cwd: wrangler.folder, env: { ...env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' }, timeoutMs: opts.timeoutMs ?? 60_000 });
  if (r.code !== 0) {
    const notLoggedIn = /not logged in|wrangler login/i.test(r.stdout + r.stderr);
    throw new WranglerAuthError(
      notLoggedIn ? 'wrangler is not logged in. Run "npx wrangler login" in a terminal, then sign in again.' : `"wrangler auth token" failed (exit code ${r.code}). Run "npx wrangler auth token" in a terminal to see why.`,
      notLoggedIn ? 'notLoggedIn' : 'failed',
    );
  }
  // The JSON is the last thing printed; anything before it (warnings) is ignored.
  const jsonText = r.stdout.slice(r.stdout.indexOf('{'));
  let parsed: { type?: unknown; token?: unknown };
  try {
    parsed = JSON.parse(jsonText) as { type?: unknown; token?: unknown };
  } catch {
    throw new WranglerAuthError('"wrangler auth token --json" printed something that is not JSON. Is this wrangler 4.56 or newer?', 'failed');
  }
  if (typeof parsed.token !== 'string' || parsed.token.trim() === '') {
    throw new WranglerAuthError(
      parsed.type === 'api_key' ? 'wrangler uses a Global API key (CLOUDFLARE_API_KEY), which has no bearer token. Use "wrangler login" or an API token instead.' : 'wrangler returned no token. Run "npx wrangler login" in a terminal, then sign in again.',
      'notLoggedIn',
    );
  }
  return { token: parsed.token.trim(), type: typeof parsed.type === 'string' ? parsed.type : 'unknown', wrangler };
}

/**
 * A backend whose token comes from `wrangler auth token`: when a call is refused as unauthenticated
 * (an OAuth token expires after about an hour), `reauth` runs wrangler once more, silently, and the
 * call is tried once again with the new token. A second refusal asks the user to log in.
 */
export function withSilentReauth(initial: WorkflowsBackend, reauth: () => Promise<WorkflowsBackend>): WorkflowsBackend {
  let current = initial;
  let pending: Promise<WorkflowsBackend> | undefined;
  const renew = async (stale: WorkflowsBackend): Promise<WorkflowsBackend> => {
    // Concurrent failures share one wrangler run; a call that failed on an older backend just retries.
    if (current !== stale) return current;
    pending ??= reauth().then(
      (b) => {
        current = b;
        pending = undefined;
        void stale.close();
        return b;
      },
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
    return pending;
  };
  const call = async (name: keyof WorkflowsBackend, args: unknown[]): Promise<unknown> => {
    const used = current;
    try {
      return await (used[name] as (...a: unknown[]) => Promise<unknown>).apply(used, args);
    } catch (e) {
      if (!isApiError(e, 'auth')) throw e;
      const fresh = await renew(used);
      try {
        return await (fresh[name] as (...a: unknown[]) => Promise<unknown>).apply(fresh, args);
      } catch (again) {
        if (!isApiError(again, 'auth')) throw again;
        throw new WorkflowsApiError('auth', 'Cloudflare refused the token from wrangler\'s login even after renewing it. Run "npx wrangler login" in a terminal, then "Sign In with Wrangler" again.', { status: again.status });
      }
    }
  };
  const passThrough = new Set<PropertyKey>(['kind', 'capabilities', 'describe', 'stats', 'close']);
  return new Proxy({} as WorkflowsBackend, {
    get(_target, prop) {
      const value = (current as unknown as Record<PropertyKey, unknown>)[prop];
      if (typeof value !== 'function') return value;
      if (passThrough.has(prop)) return (...args: unknown[]) => (current[prop as keyof WorkflowsBackend] as (...a: unknown[]) => unknown).apply(current, args);
      return (...args: unknown[]) => call(prop as keyof WorkflowsBackend, args);
    },
  });
}
