// Current wrangler needs Node >= 22.12. When the system Node is older, fetch a pinned Node 22
// binary from the npm registry into .cache/ (never a global install) and point to it.
// Users who already run Node >= 22 pay nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE22_VERSION = '22.23.5';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, '.cache', `node-${NODE22_VERSION}`);

/** Absolute path of a Node >= 22.12 binary, installing the pinned one when needed. */
export function node22Path({ install = true } = {}) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return process.execPath;
  const pkg = process.platform === 'win32' ? `node-win-${process.arch}` : `node-${process.platform}-${process.arch}`;
  const bin = join(prefix, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(bin)) return bin;
  if (!install) throw new Error(`Node 22 is not installed; run "npm install" (looked for ${bin})`);
  mkdirSync(prefix, { recursive: true });
  console.log(`[setup] fetching ${pkg}@${NODE22_VERSION} from the npm registry for wrangler…`);
  execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `${pkg}@${NODE22_VERSION}`], { stdio: 'inherit' });
  if (!existsSync(bin)) throw new Error(`Node 22 install did not produce ${bin}`);
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`[setup] Node for wrangler: ${node22Path()}`);
}
