// `npm start [-- --worker <dir>]`: builds and packs the extension, starts the local engine with the
// sample workflows (seeded) or your own Worker, starts a real VS Code (code-server) with the
// extension installed and the project open, and prints the URL. Ctrl+C stops everything.
// `--check` then opens that URL in headless Chromium (CHROMIUM_PATH, else the one shipped in
// node_modules), waits for the Workflows view to list the engine's workflows, and stops everything.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverablePort, fixtureDir, startEngine } from './lib/engine.mjs';
import { launchBrowser, startHost } from './lib/host.mjs';
import { seed } from './lib/seed.mjs';
import { ensureHost } from './setup-host.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const worker = resolve(arg('--worker') ?? fixtureDir);
const own = worker !== fixtureDir;

console.log('[start] packaging the extension…');
execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit' });
ensureHost();

console.log(`[start] starting wrangler dev for ${worker}…`);
// The sample project gets fresh, seeded state; your own project keeps its usual .wrangler state.
const engine = await startEngine({ workerDir: worker, port: await discoverablePort(), persist: own ? false : undefined, onLog: (l) => process.env.CFWF_VERBOSE && console.log(`[wrangler] ${l}`) });
console.log(`[start] engine: wrangler ${engine.wranglerVersion} at ${engine.baseUrl}`);
if (!own) console.log(await seed(engine.apiBase));

const stateDir = join(root, '.vscode-test', 'start');
mkdirSync(stateDir, { recursive: true });
const extensionsDir = join(stateDir, 'extensions');
execFileSync(process.execPath, [ensureHost(), '--extensions-dir', extensionsDir, '--install-extension', join(root, 'dist-vsix', 'cloudflare-workflows.vsix'), '--force'], { stdio: 'inherit', env: { ...process.env, XDG_CONFIG_HOME: join(stateDir, 'config') } });
const port = Number(arg('--port') ?? 8080);
const host = await startHost({ workspace: worker, stateDir, extensionsDir, port });
console.log(`\n  Open ${host.url}/?folder=${encodeURIComponent(worker)}\n  (Local Explorer UI: ${engine.baseUrl}/cdn-cgi/explorer/)\n  Ctrl+C stops the engine and VS Code.\n`);

const stop = async (code = 0) => {
  await host.stop();
  await engine.stop();
  process.exit(code);
};
if (process.argv.includes('--check')) await stop(await browserCheck(`${host.url}/?folder=${encodeURIComponent(worker)}`));

/** Opens the workbench like a user would and waits until the Workflows view lists a workflow. */
async function browserCheck(url) {
  const t = Date.now();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.locator('.activitybar [aria-label^="Cloudflare Workflows"]').first().click({ timeout: 90_000 });
    // The first row is the local connection the extension discovered; its children are the workflows.
    const connection = page.locator('.part.sidebar [role="treeitem"]').first();
    await connection.waitFor({ timeout: 60_000 });
    if ((await connection.getAttribute('aria-expanded')) !== 'true') await connection.locator('.monaco-tl-twistie').click();
    await page.locator('.part.sidebar [role="treeitem"][aria-level="2"]').first().waitFor({ timeout: 60_000 });
    const rows = await page.locator('.part.sidebar [role="treeitem"] .label-name').allTextContents();
    console.log(`[start] browser check passed in ${((Date.now() - t) / 1000).toFixed(1)} s; the Workflows view shows: ${rows.join(', ')}`);
    return 0;
  } catch (e) {
    console.error(`[start] browser check failed: ${e instanceof Error ? e.message : e}`);
    return 1;
  } finally {
    await browser.close();
  }
}
process.on('SIGINT', () => stop());
process.on('SIGTERM', () => stop());
setInterval(() => {}, 1 << 30);
