import { strict as assert } from 'node:assert';
import { parsePanelTarget, parseWebviewMessage, MESSAGE_LIMITS } from '../../../src/webview/protocol';
import { buildInstanceHtml, contentSecurityPolicy, createNonce } from '../../../src/webview/html';

describe('parseWebviewMessage', () => {
  it('accepts every known request and copies only known fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'refresh' }), { type: 'refresh' });
    assert.deepEqual(parseWebviewMessage({ type: 'action', action: 'pause' }), { type: 'action', action: 'pause' });
    assert.deepEqual(parseWebviewMessage({ type: 'action', action: 'sendEvent' }), { type: 'action', action: 'sendEvent' });
    assert.deepEqual(parseWebviewMessage({ type: 'action', action: 'restartFromStep', step: 'charge-2' }), { type: 'action', action: 'restartFromStep', step: 'charge-2' });
    assert.deepEqual(parseWebviewMessage({ type: 'copy', text: '' }), { type: 'copy', text: '' });
    assert.deepEqual(parseWebviewMessage({ type: 'openJson', what: 'params' }), { type: 'openJson', what: 'params' });
    assert.deepEqual(parseWebviewMessage({ type: 'openJson', what: 'step', step: 'a-1' }), { type: 'openJson', what: 'step', step: 'a-1' });
    assert.deepEqual(parseWebviewMessage({ type: 'goToSource', step: 'a-1' }), { type: 'goToSource', step: 'a-1' });
    assert.deepEqual(parseWebviewMessage({ type: 'loadFullOutput', step: 'a-1' }), { type: 'loadFullOutput', step: 'a-1' });
  });

  it('drops a step on actions that do not take one', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'action', action: 'terminate', step: 'x-1' }), { type: 'action', action: 'terminate' });
  });

  it('refuses unknown types, unknown actions and malformed arguments', () => {
    const bad: unknown[] = [
      null,
      'ready',
      42,
      [],
      {},
      { type: 'eval', code: '1' },
      { type: 'action', action: 'delete' },
      { type: 'action', action: 'restartFromStep' },
      { type: 'action', action: 'restartFromStep', step: '' },
      { type: 'action', action: 'pause', step: 7 },
      { type: 'action', action: ['pause'] },
      { type: 'copy' },
      { type: 'copy', text: 5 },
      { type: 'copy', text: 'x'.repeat(MESSAGE_LIMITS.copyText + 1) },
      { type: 'openJson', what: 'secrets' },
      { type: 'openJson', what: 'step' },
      { type: 'goToSource' },
      { type: 'goToSource', step: { toString: () => 'a' } },
      { type: 'loadFullOutput', step: 'x'.repeat(MESSAGE_LIMITS.stepName + 1) },
      { type: '__proto__' },
    ];
    for (const m of bad) assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m)?.slice(0, 80));
  });
});

describe('parsePanelTarget', () => {
  it('reads a persisted target and rejects incomplete ones', () => {
    const t = { connectionId: 'local:8787', connectionLabel: 'Local', workflow: 'wf', id: 'i1' };
    assert.deepEqual(parsePanelTarget({ ...t, more: true }), t);
    assert.deepEqual(parsePanelTarget({ ...t, connectionLabel: undefined }), { ...t, connectionLabel: 'local:8787' });
    assert.equal(parsePanelTarget({ ...t, id: '' }), undefined);
    assert.equal(parsePanelTarget({ ...t, workflow: 3 }), undefined);
    assert.equal(parsePanelTarget(undefined), undefined);
  });
});

describe('instance HTML', () => {
  it('sets the strict CSP with a fresh nonce and links the bundle, styles and codicons', () => {
    const nonce = createNonce();
    assert.notEqual(nonce, createNonce());
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    const html = buildInstanceHtml({ cspSource: 'https://x.vscode-cdn.net', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/dist/webview.css', codiconsUri: 'https://x/dist/codicons/codicon.css', nonce, title: 'wf / <id>' });
    assert.ok(html.includes(`content="default-src 'none'; script-src 'nonce-${nonce}'; style-src https://x.vscode-cdn.net; font-src https://x.vscode-cdn.net; img-src https://x.vscode-cdn.net data:"`));
    assert.equal(contentSecurityPolicy('S', 'N'), "default-src 'none'; script-src 'nonce-N'; style-src S; font-src S; img-src S data:");
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://x/dist/webview.js"></script>`));
    assert.ok(html.includes('href="https://x/dist/webview.css"'));
    assert.ok(html.includes('href="https://x/dist/codicons/codicon.css"'));
    assert.ok(html.includes('<title>wf / &lt;id&gt;</title>'));
    assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handlers');
    assert.ok(!/style=/i.test(html), 'no inline styles');
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });
});
