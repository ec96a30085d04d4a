// Two bundles: the extension (Node, CommonJS, `vscode` external) and the webview UI (browser).
// --production minifies and drops source maps from the shipped files; --watch rebuilds on change.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

const common = { bundle: true, minify: production, sourcemap: production ? false : 'linked', logLevel: 'info', legalComments: 'none' };

// undici goes to its own file, loaded on the first request (src/api/undici.ts), not at activation.
const undiciAsHttpBundle = {
  name: 'undici-as-http-bundle',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './http.js', external: true }));
  },
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [undiciAsHttpBundle] },
  { ...common, entryPoints: ['node_modules/undici/index.js'], outfile: 'dist/http.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/webview/ui/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'chrome120' },
];
if (tests) {
  // The integration suite runs inside the extension host, so it is bundled like the extension.
  for (const [entry, outfile] of [['test/integration/index.ts', 'out/test/integration/index.js'], ['test/bench/hostBench.ts', 'out/test/bench/hostBench.js']]) {
    builds.push({ ...common, minify: false, sourcemap: 'inline', entryPoints: [entry], outfile, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'mocha'] });
  }
}

// Codicons ship with the webview (font + css), copied rather than fetched at run time.
mkdirSync('dist/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) cpSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
