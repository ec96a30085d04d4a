// Shared set-up for everything that runs in the real host: a real engine (wrangler dev on the
// fixture, seeded), a copy of the fixture as the workspace, code-server, and headless Chromium.
// Every process is stopped in `dispose()`, also after failures.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { discoverablePort, fixtureDir, startEngine } from '../../scripts/lib/engine.mjs';
import { launchBrowser, startHost } from '../../scripts/lib/host.mjs';
import { seed } from '../../scripts/lib/seed.mjs';
import { startGateway, type Gateway } from '../support/gateway';

export const root = resolve(__dirname, '..', '..');

export interface RealHost {
  engine: Awaited<ReturnType<typeof startEngine>>;
  gateway?: Gateway;
  host: Awaited<ReturnType<typeof startHost>>;
  browser: Browser;
  page: Page;
  workspace: string;
  stateDir: string;
  dispose(): Promise<void>;
}

export async function startRealHost(opts: {
  name: string;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  /** Load the extension under development; with a tests path, run that module in the host. */
  extensionTestsPath?: string;
  /** The extension to load (default: this project). */
  extensionDevelopmentPath?: string;
  /**
   * Bundle this project (development build, test bundles included) before starting, so a suite run on
   * its own tests the current source: without it a fresh checkout has no bundle and the host waits for
   * a test module that is not there. Benchmarks turn it off to measure the production build they made.
   */
  build?: boolean;
  /**
   * Also start the production-shaped gateway in front of the engine (cloud connections). `accounts`:
   * the accounts its user tokens see (default one). `apiBaseUrlSetting`: the user's apiBaseUrl setting
   * points at the gateway (so flows can be clicked without the test calling commands); `envToken`:
   * CLOUDFLARE_API_TOKEN holds the write token, as on a wrangler user's machine.
   */
  gateway?: boolean | { accounts?: { id: string; name: string }[]; apiBaseUrlSetting?: boolean; envToken?: boolean };
  /** Runs after seeding, before the host starts (benchmarks add their data here). */
  prepare?: (engine: Awaited<ReturnType<typeof startEngine>>) => Promise<void>;
  log?: (line: string) => void;
}): Promise<RealHost> {
  if ((opts.build ?? true) && !opts.extensionDevelopmentPath) execFileSync(process.execPath, ['esbuild.mjs', '--tests'], { cwd: root, stdio: 'ignore' });
  const stateDir = mkdtempSync(join(tmpdir(), `cfwf-${opts.name}-`));
  const workspace = join(stateDir, 'workspace');
  cpSync(fixtureDir, workspace, { recursive: true, filter: (src) => !src.includes('.wrangler') });
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'cloudflareWorkflows.autoRefreshSeconds': 0 }, null, 2));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(stateDir, { recursive: true, force: true })];
  const dispose = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        /* keep cleaning */
      }
    }
  };
  try {
    const engine = await startEngine({ port: await discoverablePort() });
    cleanups.push(() => engine.stop());
    opts.log?.(`engine: wrangler ${engine.wranglerVersion} at ${engine.baseUrl}`);
    await seed(engine.apiBase);
    await opts.prepare?.(engine);
    const env: Record<string, string> = { CFWF_ENGINE_URL: engine.baseUrl, CFWF_ENGINE_API: engine.apiBase, ...opts.env };
    const settings: Record<string, unknown> = { ...opts.settings };
    let gateway: Gateway | undefined;
    if (opts.gateway) {
      // Distinctive tokens, so a leak anywhere is found by a plain substring search.
      const salt = Math.random().toString(36).slice(2);
      const g = typeof opts.gateway === 'object' ? opts.gateway : {};
      gateway = await startGateway({ engineApiBase: engine.apiBase, accounts: g.accounts, tokens: { [`cfwf-write-${salt}-token`]: 'write', [`cfwf-read-${salt}-token`]: 'read' } });
      const started = gateway;
      cleanups.push(() => started.close());
      Object.assign(env, { CFWF_GATEWAY_API: gateway.apiBase, CFWF_GATEWAY_ACCOUNT: gateway.accountId, CFWF_GATEWAY_WRITE_TOKEN: gateway.writeToken, CFWF_GATEWAY_READ_TOKEN: gateway.readToken, CFWF_GATEWAY_ACCOUNT_TOKEN: gateway.accountToken });
      if (g.envToken) env.CLOUDFLARE_API_TOKEN = gateway.writeToken;
      if (g.apiBaseUrlSetting) settings['cloudflareWorkflows.apiBaseUrl'] = gateway.apiBase;
    }
    const host = await startHost({ workspace, stateDir, env, settings });
    cleanups.push(() => host.stop());
    opts.log?.(`code-server at ${host.url}`);
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    // A headless page is never focused; VS Code pauses focus-gated work (auto-refresh) without it.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
    const url = host.workbenchUrl(workspace, { extensionDevelopmentPath: opts.extensionDevelopmentPath ?? root, extensionTestsPath: opts.extensionTestsPath });
    await page.goto(url);
    return { engine, gateway, host, browser, page, workspace, stateDir, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** The extension's own log files (the "Cloudflare Workflows" output channel) under the host's state. */
export function extensionLogs(stateDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('Cloudflare Workflows.log')) out.push(p);
    }
  };
  if (existsSync(stateDir)) walk(stateDir);
  return out;
}
