// Installs the real VS Code host used by the tests: code-server (VS Code 1.100.3 on Node 20) into
// .vscode-test/, the way @vscode/test-electron keeps its download there. Idempotent: a marker file
// makes a second run instant. Steps follow ../shared/reference/observed.md §2 (offline-safe: no
// postinstall that downloads from GitHub).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const hostDir = join(root, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const pkgDir = join(hostDir, 'node_modules', 'code-server');
export const codeServerBin = join(pkgDir, 'out', 'node', 'entry.js');
const marker = join(hostDir, '.installed');

function run(cmd, args, cwd, env = {}) {
  console.log(`[setup-host] ${cwd.replace(root, '.')}$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_unsafe_perm: 'true', ...env } });
}
function link(target, path) {
  if (!existsSync(path)) symlinkSync(target, path);
}

export function ensureHost() {
  if (existsSync(marker)) return codeServerBin;
  if (process.versions.node.split('.')[0] !== '20') {
    throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20 exactly; this is Node ${process.versions.node}`);
  }
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find(existsSync);
  if (!rg) throw new Error('ripgrep is missing: apt-get install -y ripgrep libkrb5-dev chromium');
  rmSync(hostDir, { recursive: true, force: true });
  mkdirSync(hostDir, { recursive: true });
  writeFileSync(join(hostDir, 'package.json'), '{"private":true}\n');
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], hostDir);
  const vscodeDir = join(pkgDir, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], vscodeDir);
  const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync(rg, join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);
  try {
    run('npm', ['rebuild', '@parcel/watcher', '@vscode/spdlog', 'kerberos', 'native-watchdog', 'node-pty', '@vscode/deviceid'], vscodeDir);
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
  writeFileSync(marker, `${CODE_SERVER_VERSION}\n`);
  return codeServerBin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  ensureHost();
  console.log(`[setup-host] code-server ${CODE_SERVER_VERSION} ready in .vscode-test/ (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}
