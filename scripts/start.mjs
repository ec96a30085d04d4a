// `npm start [-- --worker <dir>]`: builds and packs the extension, starts the local engine with the
// sample workflows (seeded) or your own Worker, starts a real VS Code (code-server) with the
// extension installed and the project open, and prints the URL. Ctrl+C stops everything.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverablePort, fixtureDir, startEngine } from './lib/engine.mjs';
import { startHost } from './lib/host.mjs';
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

const stop = async () => {
  await host.stop();
  await engine.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
