// A stand-alone page for the instance webview: the real bundle and the real HTML shell (same CSP,
// same nonce handling) on 127.0.0.1, with `acquireVsCodeApi` stubbed. Tests and benchmarks post
// host messages with `window.__harness.post(msg)` and read what the UI sent from `__harness.sent`.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { buildInstanceHtml, createNonce } from '../../../src/webview/html';
import type { HostToWebview } from '../../../src/webview/protocol';
import { BODY_CLASS, themeCss, type HarnessTheme } from './themes';

const root = resolve(__dirname, '..', '..', '..');

export interface Harness {
  /** Origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  /** URL of the panel page. `scenario` names messages the stub posts when the UI says `ready`. */
  pageUrl(opts?: { theme?: HarnessTheme; csp?: boolean; scenario?: string }): string;
  /** Registers host messages served as a scenario (for the stand-alone demo page). */
  setScenario(name: string, messages: HostToWebview[]): void;
  bundleBytes: { js: number; css: number };
  close(): Promise<void>;
}

/** Bundles src/webview/ui/main.ts in memory (minified, like the shipped build) without touching dist/. */
async function bundle(minify: boolean): Promise<{ js: string; css: string }> {
  const result = await esbuild.build({
    entryPoints: { webview: join(root, 'src/webview/ui/main.ts') },
    bundle: true,
    minify,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    outdir: '/harness-out',
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const file = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: file('.js'), css: file('.css') };
}

/** Runs before the bundle: the VS Code API stub and a recorder for CSP violations. */
function stubScript(theme: HarnessTheme): string {
  return `(() => {
  document.body.classList.add(${JSON.stringify(BODY_CLASS[theme])});
  const saved = sessionStorage.getItem('harness-state');
  const h = (window.__harness = { sent: [], violations: [], state: saved ? JSON.parse(saved) : undefined,
    post(message) { window.postMessage(message, '*'); } });
  document.addEventListener('securitypolicyviolation', (e) => h.violations.push(e.violatedDirective + ' ' + e.blockedURI));
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    return {
      postMessage(m) {
        h.sent.push(JSON.parse(JSON.stringify(m)));
        if (m && m.type === 'ready' && window.__scenario) for (const msg of window.__scenario) h.post(msg);
      },
      getState() { return h.state; },
      setState(s) { h.state = s; sessionStorage.setItem('harness-state', JSON.stringify(s)); },
    };
  };
})();`;
}

/** `minify: false` keeps function names readable in profiles. */
export async function startHarness(opts: { minify?: boolean } = {}): Promise<Harness> {
  const built = await bundle(opts.minify ?? true);
  const codicons = join(root, 'node_modules/@vscode/codicons/dist');
  const codiconCss = readFileSync(join(codicons, 'codicon.css'));
  const codiconTtf = readFileSync(join(codicons, 'codicon.ttf'));
  const scenarios = new Map<string, HostToWebview[]>();
  let origin = '';

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const theme = (url.searchParams.get('theme') ?? 'dark') as HarnessTheme;
    switch (url.pathname) {
      case '/':
      case '/panel': {
        const nonce = createNonce();
        let html = buildInstanceHtml({
          cspSource: origin,
          scriptUri: `${origin}/dist/webview.js`,
          styleUri: `${origin}/dist/webview.css`,
          codiconsUri: `${origin}/dist/codicons/codicon.css`,
          nonce,
          title: 'Instance view harness',
        });
        // VS Code injects its theme variables; here a stylesheet from the same origin does it.
        html = html.replace('<link rel="stylesheet" href', `<link rel="stylesheet" href="${origin}/theme.css?theme=${encodeURIComponent(theme)}">\n<link rel="stylesheet" href`);
        const scenario = url.searchParams.get('scenario');
        const pre = [scenario ? `<script nonce="${nonce}" src="${origin}/scenario.js?name=${encodeURIComponent(scenario)}"></script>` : '', `<script nonce="${nonce}" src="${origin}/stub.js?theme=${encodeURIComponent(theme)}"></script>`].join('\n');
        html = html.replace(`<script nonce="${nonce}" src=`, `${pre}\n<script nonce="${nonce}" src=`);
        // `csp=0` drops the policy, to prove the UI itself never turns data into markup.
        if (url.searchParams.get('csp') === '0') html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n/, '');
        return send(200, 'text/html; charset=utf-8', html);
      }
      case '/stub.js':
        return send(200, 'text/javascript', stubScript(theme));
      case '/scenario.js':
        return send(200, 'text/javascript', `window.__scenario = ${JSON.stringify(scenarios.get(url.searchParams.get('name') ?? '') ?? [])};`);
      case '/theme.css':
        return send(200, 'text/css', themeCss(theme));
      case '/dist/webview.js':
        return send(200, 'text/javascript', built.js);
      case '/dist/webview.css':
        return send(200, 'text/css', built.css);
      case '/dist/codicons/codicon.css':
        return send(200, 'text/css', codiconCss);
      case '/dist/codicons/codicon.ttf':
        return send(200, 'font/ttf', codiconTtf);
      case '/favicon.ico':
        res.writeHead(204);
        return res.end();
      default:
        return send(404, 'text/plain', 'not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    pageUrl: (opts = {}) => {
      const q = new URLSearchParams({ theme: opts.theme ?? 'dark' });
      if (opts.csp === false) q.set('csp', '0');
      if (opts.scenario) q.set('scenario', opts.scenario);
      return `${origin}/panel?${q}`;
    },
    setScenario: (name, messages) => void scenarios.set(name, messages),
    bundleBytes: { js: Buffer.byteLength(built.js), css: Buffer.byteLength(built.css) },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
