// `npm run package`: production bundles, then the .vsix (offline) into dist-vsix/.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
run(process.execPath, ['esbuild.mjs', '--production', ...process.argv.slice(2)]);
mkdirSync(join(root, 'dist-vsix'), { recursive: true });
run('npx', ['vsce', 'package', '--no-dependencies', '--out', 'dist-vsix/cloudflare-workflows.vsix']);
