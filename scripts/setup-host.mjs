// Installs the real VS Code host used by the tests: code-server (VS Code 1.100.3 on Node 20) into
// .vscode-test/, the way @vscode/test-electron keeps its download there. Idempotent: a marker file
// makes a second run instant. Steps follow ../shared/reference/observed.md §2 (offline-safe: no
// postinstall that downloads from GitHub). Needs only Node 20, npm and node-gyp's toolchain (python3,
// make, g++): no system packages.
// - kerberos is not rebuilt: VS Code loads it lazily, only for Kerberos/Negotiate proxy auth, and its
//   build needs libkrb5-dev. That one workbench feature is off; everything else starts without it.
// - ripgrep (workspace text search and Quick Open's file search) comes from the npm package `ripgrep`
//   (pithings/ripgrep-node): ripgrep compiled to wasm32-wasip1 and shipped inside the package, run by
//   Node's WASI; its README calls lib/rg.mjs a drop-in for @vscode/ripgrep's rgPath. @vscode/ripgrep's
//   own postinstall downloads rg from GitHub, which a registry-only machine cannot reach.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const hostDir = join(root, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const pkgDir = join(hostDir, 'node_modules', 'code-server');
export const codeServerBin = join(pkgDir, 'out', 'node', 'entry.js');
const marker = join(hostDir, '.installed');
// Bump LAYOUT whenever the steps below change what ends up installed: a host installed by an older
// layout (e.g. with the system rg copied in) then gets redone instead of being trusted.
const LAYOUT = 2;
const markerText = `${CODE_SERVER_VERSION} layout ${LAYOUT}\n`;

function run(cmd, args, cwd, env = {}) {
  console.log(`[setup-host] ${cwd.replace(root, '.')}$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_unsafe_perm: 'true', ...env } });
}
function link(target, path) {
  if (!existsSync(path)) symlinkSync(target, path);
}

function installed() {
  try { return readFileSync(marker, 'utf8') === markerText; } catch { return false; }
}

/** rg for VS Code's search: a shell shim at @vscode/ripgrep's rgPath that runs the WASI ripgrep. */
function installRipgrep(vscodeDir) {
  // require.resolve: the TypeScript runners load this file through tsx as CommonJS.
  const rgLib = dirname(createRequire(import.meta.url).resolve('ripgrep'));
  const binDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  rmSync(binDir, { recursive: true, force: true });
  mkdirSync(binDir, { recursive: true });
  cpSync(rgLib, join(binDir, 'ripgrep-wasm'), { recursive: true });
  // Absolute Node: search processes may run with a PATH that has no node on it.
  writeFileSync(join(binDir, 'rg'), `#!/bin/sh\nexec '${process.execPath}' "$(dirname "$0")/ripgrep-wasm/rg.mjs" "$@"\n`, { mode: 0o755 });
  execFileSync(join(binDir, 'rg'), ['--version'], { stdio: 'inherit' });
}

export function ensureHost() {
  if (installed()) return codeServerBin;
  if (process.versions.node.split('.')[0] !== '20') {
    throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20 exactly; this is Node ${process.versions.node}`);
  }
  rmSync(hostDir, { recursive: true, force: true });
  mkdirSync(hostDir, { recursive: true });
  writeFileSync(join(hostDir, 'package.json'), '{"private":true}\n');
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], hostDir);
  const vscodeDir = join(pkgDir, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], vscodeDir);
  installRipgrep(vscodeDir);
  try {
    run('npm', ['rebuild', '@parcel/watcher', '@vscode/spdlog', 'native-watchdog', 'node-pty', '@vscode/deviceid'], vscodeDir);
  } catch (e) {
    // node-pty's post-build step fails after pty.node is built; the module itself works.
    if (!existsSync(join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'))) throw e;
  }
  link('node_modules', join(vscodeDir, 'node_modules.asar'));
  link('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], join(vscodeDir, 'extensions'));
  run('npm', ['rebuild', 'argon2', '--build-from-source'], hostDir);
  execFileSync(process.execPath, [codeServerBin, '--version'], { stdio: 'inherit' });
  writeFileSync(marker, markerText);
  return codeServerBin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  ensureHost();
  console.log(`[setup-host] code-server ${CODE_SERVER_VERSION} ready in .vscode-test/ (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}
