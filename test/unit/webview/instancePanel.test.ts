// InstancePanelManager against a fake `vscode` module: one panel per instance, the panel options
// and HTML, the ready handshake, the serializer and clean-up.
import { strict as assert } from 'node:assert';
import Module from 'node:module';
import type * as PanelModule from '../../../src/webview/instancePanel';
import type { InstancePanelDeps } from '../../../src/webview/instanceSession';
import type { PanelTarget } from '../../../src/webview/protocol';
import * as fake from './fakeVscode';
import { InstanceBuilder } from '../model/builders';

// Route `require('vscode')` to the fake before the manager is loaded.
const moduleWithResolve = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const fakePath = require.resolve('./fakeVscode');

const target: PanelTarget = { connectionId: 'local', connectionLabel: 'Local', workflow: 'order-pipeline', id: 'inst-1' };
const flush = () => new Promise((r) => setImmediate(r));

describe('InstancePanelManager', () => {
  let panelModule: typeof PanelModule;
  let fetches: number;
  let manager: PanelModule.InstancePanelManager;

  let originalResolve: typeof moduleWithResolve._resolveFilename;
  before(() => {
    originalResolve = moduleWithResolve._resolveFilename;
    moduleWithResolve._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? fakePath : originalResolve.call(this, request, ...rest);
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    panelModule = require('../../../src/webview/instancePanel') as typeof PanelModule;
  });
  after(() => {
    moduleWithResolve._resolveFilename = originalResolve;
  });

  beforeEach(() => {
    fake.reset();
    fetches = 0;
    const deps: InstancePanelDeps = {
      fetchInstance: async (t) => {
        fetches++;
        return { details: new InstanceBuilder({ workflow: t.workflow, id: t.id }).do('load').build('complete') };
      },
      runAction: async () => undefined,
      openJson: () => undefined,
      goToSource: () => undefined,
      loadFullOutput: async () => undefined,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    };
    manager = new panelModule.InstancePanelManager(fake.Uri.file('/ext') as never, deps, { refreshIntervalMs: 1000 });
  });
  afterEach(() => manager.dispose());

  it('opens one panel per instance, titled with its id, with locked-down options', () => {
    manager.open(target);
    manager.open({ ...target });
    assert.equal(fake.created.length, 1);
    const panel = fake.created[0];
    assert.equal(panel.reveals, 1);
    assert.equal(panel.viewType, 'cloudflareWorkflows.instance');
    assert.equal(panel.title, 'inst-1');
    assert.equal(panel.createOptions.retainContextWhenHidden, false);
    assert.equal(panel.createOptions.enableScripts, true);
    assert.deepEqual(
      (panel.createOptions.localResourceRoots as fake.Uri[]).map((u) => u.path),
      ['/ext/dist', '/ext/media'],
    );
    manager.open({ ...target, id: 'inst-2' });
    assert.equal(fake.created.length, 2);
    assert.deepEqual(
      manager.panels().map((t) => t.id),
      ['inst-1', 'inst-2'],
    );
  });

  it('loads the bundle under a CSP with a nonce', () => {
    manager.open(target);
    const html = fake.created[0].webview.html;
    const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
    assert.ok(nonce);
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://webview.test/ext/dist/webview.js">`));
    assert.ok(html.includes('https://webview.test/ext/dist/webview.css'));
    assert.ok(html.includes('https://webview.test/ext/dist/codicons/codicon.css'));
    assert.ok(html.includes("style-src https://webview.test; font-src https://webview.test; img-src https://webview.test data:"));
  });

  it('fetches on ready, posts the instance and reports what it posted', async () => {
    const seen: string[] = [];
    manager.onDidPost((p) => seen.push(`${p.target.id}:${p.message.type}`));
    manager.open(target, { selectStep: 'load-1' });
    const webview = fake.created[0].webview;
    webview.received.fire({ type: 'ready' });
    await flush();
    assert.equal(fetches, 1);
    assert.deepEqual(seen, ['inst-1:init', 'inst-1:loading', 'inst-1:instance', 'inst-1:selectStep']);
    assert.deepEqual(manager.lastPosted(target), { type: 'selectStep', name: 'load-1' });
    assert.equal(webview.posted.length, 4);
    webview.received.fire({ type: 'copy', text: 'abc' });
    webview.received.fire({ type: 'copy', text: 42 });
    await flush();
    assert.deepEqual(fake.clipboardWrites, ['abc']);
  });

  it('restores panels from webview state and refuses unusable state', async () => {
    manager.registerSerializer();
    const serializer = fake.serializers.get('cloudflareWorkflows.instance');
    assert.ok(serializer);
    const restored = new fake.FakePanel('cloudflareWorkflows.instance', 'old', undefined, {});
    await serializer.deserializeWebviewPanel(restored, { target, ui: { scrollTop: 10 } });
    assert.deepEqual(manager.panels(), [target]);
    assert.equal(restored.title, 'inst-1');
    assert.ok(restored.webview.html.includes('webview.js'));
    const broken = new fake.FakePanel('cloudflareWorkflows.instance', 'x', undefined, {});
    await serializer.deserializeWebviewPanel(broken, { target: { id: 3 } });
    assert.equal(broken.disposed, true);
  });

  it('forgets a panel when it is closed', () => {
    manager.open(target);
    fake.created[0].dispose();
    assert.deepEqual(manager.panels(), []);
    assert.equal(manager.lastPosted(target), undefined);
    manager.open(target);
    assert.equal(fake.created.length, 2);
  });
});
