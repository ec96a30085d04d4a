// Starts a real Workflows engine: `wrangler dev` on any Workers project, on a free loopback port,
// and stops its whole process tree afterwards (also when the caller crashes or is interrupted).
// Used by the tests, `npm start`, the seed script and the benchmarks, never hand-started.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { node22Path } from '../setup-node22.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixtureDir = join(root, 'test', 'fixtures', 'workers');
export const API_PATHS = ['/cdn-cgi/local/explorer/api', '/cdn-cgi/explorer/api'];

/** Which wrangler to run: the current one (on Node 22) or 4.85, the last one that runs on Node 20. */
const WRANGLERS = {
  current: () => ({ node: node22Path(), cli: join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js') }),
  legacy: () => ({ node: process.execPath, cli: join(root, 'node_modules', 'wrangler-legacy', 'bin', 'wrangler.js') }),
};

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** The first free port of 8787–8797, where the extension finds wrangler dev by itself. */
export async function discoverablePort() {
  for (let p = 8787; p <= 8797; p++) {
    const free = await new Promise((resolveFree) => {
      const srv = createServer();
      srv.once('error', () => resolveFree(false));
      srv.listen(p, '127.0.0.1', () => srv.close(() => resolveFree(true)));
    });
    if (free) return p;
  }
  return freePort();
}

const live = new Set();
function killTree(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}
function killAll() {
  for (const child of live) killTree(child, 'SIGKILL');
}
process.once('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * @param {{ workerDir?: string, wrangler?: 'current'|'legacy', port?: number, persist?: string|false,
 *           timeoutMs?: number, onLog?: (line: string) => void }} [opts]
 * @returns {Promise<{ baseUrl: string, apiBase: string, port: number, wranglerVersion: string,
 *                     logs: () => string, stop: () => Promise<void> }>}
 */
export async function startEngine(opts = {}) {
  const workerDir = resolve(opts.workerDir ?? fixtureDir);
  const { node, cli } = WRANGLERS[opts.wrangler ?? 'current']();
  const port = opts.port ?? (await freePort());
  const inspectorPort = await freePort();
  // A private state folder and dev registry: engines from other runs never see each other's data.
  const scratch = mkdtempSync(join(tmpdir(), 'cfwf-engine-'));
  const persist = opts.persist === undefined ? join(scratch, 'state') : opts.persist;
  const args = [cli, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort)];
  if (persist) args.push('--persist-to', persist);
  const child = spawn(node, args, {
    cwd: workerDir,
    detached: true, // own process group, so stop() ends workerd too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_REGISTRY_PATH: join(scratch, 'registry'),
      WRANGLER_LOG_PATH: join(scratch, 'logs'),
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
  });
  live.add(child);
  let output = '';
  const onData = (buf) => {
    const text = buf.toString();
    output = (output + text).slice(-200_000);
    if (opts.onLog) for (const line of text.split('\n')) if (line.trim()) opts.onLog(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  const exitPromise = new Promise((r) => child.once('exit', (code, signal) => r((exited = { code, signal }))));

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!live.has(child)) return;
    live.delete(child);
    if (!exited) {
      killTree(child, 'SIGTERM');
      const t = setTimeout(() => killTree(child, 'SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(t);
      killTree(child, 'SIGKILL'); // stragglers in the group (workerd)
    }
    rmSync(scratch, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  try {
    for (;;) {
      if (exited) throw new Error(`wrangler dev exited early (${JSON.stringify(exited)}):\n${output.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within ${opts.timeoutMs ?? 120_000} ms:\n${output.slice(-4000)}`);
      for (const path of API_PATHS) {
        try {
          const res = await fetch(`${baseUrl}${path}/workflows`, { signal: AbortSignal.timeout(2000) });
          if (res.ok && (await res.json()).success) {
            const version = /wrangler (\d+\.\d+\.\d+)/.exec(output)?.[1] ?? 'unknown';
            return { baseUrl, apiBase: `${baseUrl}${path}`, port, wranglerVersion: version, logs: () => output, stop };
          }
        } catch {
          /* not up yet */
        }
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  } catch (e) {
    await stop();
    throw e;
  }
}
