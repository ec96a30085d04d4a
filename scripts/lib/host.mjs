// Starts the real VS Code host (code-server) and opens its workbench in headless Chromium.
// Used by the integration runner, the UI tests, `npm start` and the benchmarks.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureHost } from '../setup-host.mjs';
import { launchChromium } from './chromium.mjs';
import { freePort } from './engine.mjs';

export { CHROMIUM_ARGS, chromiumPath } from './chromium.mjs';

const live = new Set();
process.once('exit', () => {
  for (const c of live) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ }
});

/**
 * @param {{ workspace: string, stateDir: string, env?: Record<string,string>, port?: number,
 *           settings?: Record<string, unknown>, extensionsDir?: string, onLog?: (l: string) => void }} opts
 */
export async function startHost(opts) {
  const bin = ensureHost();
  const port = opts.port ?? (await freePort());
  const userDataDir = join(opts.stateDir, 'user-data');
  const extensionsDir = opts.extensionsDir ?? join(opts.stateDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // Quiet, deterministic workbench: no welcome page, no trust prompt, no telemetry.
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'workbench.tips.enabled': false,
    'window.restoreWindows': 'none',
    'workbench.colorTheme': 'Default Dark Modern',
    ...opts.settings,
  }, null, 2));
  const args = [bin, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: join(opts.stateDir, 'config'), ...opts.env },
  });
  live.add(child);
  let output = '';
  const onData = (b) => {
    const t = b.toString();
    output = (output + t).slice(-100_000);
    if (opts.onLog) for (const l of t.split('\n')) if (l.trim()) opts.onLog(l);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  const exit = new Promise((r) => child.once('exit', () => { exited = true; r(); }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited early:\n${output.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer:\n${output.slice(-3000)}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) break;
    } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    logs: () => output,
    /** Workbench URL for a folder, optionally running extension tests in the extension host. */
    workbenchUrl(folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
      const q = new URLSearchParams({ folder });
      const payload = [];
      if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${extensionDevelopmentPath}`]);
      if (extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://127.0.0.1:${port}${extensionTestsPath}`]);
      if (payload.length) q.set('payload', JSON.stringify(payload));
      return `${url}/?${q}`;
    },
    async stop() {
      if (!live.delete(child)) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 4000);
      await exit;
      clearTimeout(t);
    },
  };
}

/** Headless Chromium through playwright-core: CHROMIUM_PATH or the one shipped in node_modules. */
export function launchBrowser() {
  return launchChromium();
}
