// The instance view against hostile data, huge data and the keyboard, in headless Chromium.
// Step names, errors, outputs and params come from user code: none of it may ever run as markup,
// with or without the CSP, and all of it must read exactly as sent.
import { strict as assert } from 'node:assert';
import type { Browser, Dialog, Page } from 'playwright-core';
import type { InstanceDetails } from '../../../src/model/types';
import { parseWebviewMessage } from '../../../src/webview/protocol';
import { markHidden } from '../../../src/model/display';
import { InstanceBuilder } from '../../unit/model/builders';
import { afterPaint, launchChromium, postToView, sentMessages } from './browser';
import { bulkInstance, instanceMessage, runningInstance, TARGET } from './scenarios';
import { startHarness, type Harness } from './server';

/** Each payload that could run sets `window.__pwned`; `alert` ones would open a dialog. */
const HOSTILE = [
  '<script>window.__pwned="script"</script>',
  '</script><script>window.__pwned="close-script"</script>',
  '<img src=x onerror="window.__pwned=\'img\'">',
  '<img src=x onerror=alert(1)>',
  '"><svg onload="window.__pwned=\'svg\'">',
  '\'><iframe srcdoc="<script>parent.__pwned=\'iframe\'</script>"></iframe>',
  'javascript:window.__pwned="js-url"',
  '<a href="javascript:window.__pwned=\'link\'">click me</a>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=\'mxss\'">',
  '<style>body{display:none}</style>',
  '<!-- comment --> &lt;b&gt;entity&lt;/b&gt; &amp; &#x3C;',
  '${window.__pwned="template"} {{constructor.constructor("window.__pwned=1")()}}',
  '\u202Eexe.gnp\u202C bidi override',
  'zero\u200Bwidth\u200Cnon\u200Djoiner\uFEFFbom',
  '\u2066isolate\u2069 \u200Frtl mark\u200E',
  'controls \u0007 \u001b[31mred\u001b[0m tab\tnewline\nend',
  '🙂 emoji 👩‍👩‍👧 and combining e\u0301',
];

const ONE_MB = '<img src=x onerror="window.__pwned=\'big\'">'.repeat(Math.ceil((1024 * 1024) / 44)).slice(0, 1024 * 1024);

function hostileInstance(): InstanceDetails {
  const b = new InstanceBuilder({ workflow: HOSTILE[0], id: 'hostile-1', params: Object.fromEntries(HOSTILE.map((s, i) => [`${i}:${s}`, s])) });
  HOSTILE.forEach((s, i) => {
    if (i % 3 === 0) b.do(s, { attempts: [{ ms: 5, fail: s }, { after: 10, ms: 5 }], output: { value: s, [s]: i } });
    else if (i % 3 === 1) b.waitForEvent(s, { ms: 20, received: { type: s, payload: { note: s } } });
    else b.do(s, { attempts: [{ ms: 3 }], output: s });
  });
  b.do(ONE_MB, { attempts: [{ ms: 2 }], output: ONE_MB });
  return b.build('errored', {
    params: { ...Object.fromEntries(HOSTILE.map((s, i) => [`${i}:${s}`, s])), big: ONE_MB },
    error: { name: HOSTILE[2], message: HOSTILE[0] },
    trigger: { source: HOSTILE[3] },
    versionId: HOSTILE[5],
  });
}

interface PageProbe {
  pwned: unknown;
  violations: string[];
  dangerous: string[];
  scripts: number;
}

function probe(page: Page): Promise<PageProbe> {
  return page.evaluate(() => {
    const w = window as unknown as { __pwned?: unknown; __harness: { violations: string[] } };
    const dangerous: string[] = [];
    for (const el of document.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      if (['img', 'iframe', 'svg', 'math', 'object', 'embed', 'a', 'form'].includes(tag) || (tag === 'style' && el.closest('#app'))) dangerous.push(tag);
      for (const attr of el.getAttributeNames()) if (attr.startsWith('on')) dangerous.push(`${tag}[${attr}]`);
    }
    return { pwned: w.__pwned, violations: w.__harness.violations, dangerous, scripts: document.scripts.length };
  });
}

function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => els.map((e) => e.textContent ?? ''));
}

describe('instance webview in Chromium', function () {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  let dialogs: string[];

  before(async () => {
    harness = await startHarness();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  async function open(opts: { csp?: boolean; theme?: 'light' | 'dark' } = {}): Promise<void> {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    dialogs = [];
    page.on('dialog', (d: Dialog) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(harness.pageUrl(opts));
    await page.waitForFunction(() => (window as unknown as { __harness: { sent: { type: string }[] } }).__harness.sent.some((m) => m.type === 'ready'));
  }
  afterEach(async () => {
    await page?.close();
  });

  for (const csp of [true, false]) {
    describe(csp ? 'with the panel CSP' : 'without any CSP (the UI alone must be safe)', () => {
      it('runs nothing and renders every hostile string literally', async () => {
        await open({ csp });
        const details = hostileInstance();
        await postToView(page, { type: 'init', target: { ...TARGET, workflow: HOSTILE[1] } }, instanceMessage(details, { workflow: HOSTILE[1], id: HOSTILE[4], connectionLabel: HOSTILE[6] }));
        await page.waitForSelector('.tl-row');
        await afterPaint(page);

        // Step names, one row each (the 1 MB name is clipped in its row).
        const labels = await texts(page, '.tl-label');
        // Bidi and invisible characters read as ‹U+XXXX› markers (rows are one line; panes keep newlines and tabs).
        const shown = (s: string) => markHidden(s, '\n\t');
        for (const s of HOSTILE) assert.ok(labels.includes(`${markHidden(s)}-1`), `row label for ${JSON.stringify(s)}`);
        assert.ok(labels.some((l) => l.includes('‹U+202E›exe.gnp‹U+202C›')), 'the RLO row shows its marker');
        const header = (await texts(page, '.inst-header'))[0];
        for (const s of [HOSTILE[1], HOSTILE[4], HOSTILE[6], HOSTILE[3], HOSTILE[5]]) assert.ok(header.includes(shown(s)), `header shows ${JSON.stringify(s)}`);
        const params = (await texts(page, '.card-params'))[0];
        for (const s of HOSTILE) assert.ok(params.includes(shown(s)), `params show ${JSON.stringify(s)}`);
        const error = (await texts(page, '.card-error'))[0];
        assert.ok(error.includes(shown(HOSTILE[0])) && error.includes(shown(HOSTILE[2])));

        // Every step's details: its errors, outputs and received events.
        for (let i = 0; i < HOSTILE.length; i++) {
          await page.click(`#tl-row-${i}`);
          const pane = (await texts(page, '.details-pane'))[0];
          assert.ok(pane.includes(`${shown(HOSTILE[i])}-1`), `details name ${i}`);
          assert.ok(pane.includes(shown(HOSTILE[i])), `details content ${i}`);
          // Open the first level of received events and outputs.
          for (const t of await page.$$('.details-pane .json-toggle[aria-expanded="false"]')) await t.click();
        }
        await page.click('#tl-row-12');
        assert.equal(await page.locator('.details-pane .inline-warning').count(), 1, 'bidi warning on the RLO name');

        const p = await probe(page);
        assert.equal(p.pwned, undefined);
        assert.deepEqual(dialogs, []);
        assert.deepEqual(p.dangerous, []);
        assert.equal(p.scripts, 2, 'only the stub and the bundle');
        assert.deepEqual(p.violations, [], 'nothing even tried to break the CSP');
      });

      it('shows a 1 MB string in full on request, still as text', async () => {
        await open({ csp });
        await postToView(page, { type: 'init', target: TARGET }, instanceMessage(hostileInstance()));
        await page.waitForSelector('.card-params .show-all');
        // Params: the preview, then everything.
        await page.click('.card-params .show-all');
        const full = await page.$$eval('.card-params .json-text', (els, big) => els.some((e) => e.textContent === big), ONE_MB);
        assert.ok(full, 'params value shown in full');
        // The step with the 1 MB name and output.
        const last = HOSTILE.length;
        await page.click(`#tl-row-${last}`);
        await page.click('.details-pane .step-name .show-all');
        const name = await page.$eval('.details-pane .step-name', (e) => e.textContent);
        assert.equal(name, `${ONE_MB}-1`);
        await page.click('.details-pane .json-view .show-all');
        const output = await page.$$eval('.details-pane .json-text', (els, big) => els.some((e) => e.textContent === big), ONE_MB);
        assert.ok(output, 'output shown in full');
        const p = await probe(page);
        assert.equal(p.pwned, undefined);
        assert.deepEqual(p.dangerous, []);
        assert.deepEqual(p.violations, []);
        assert.deepEqual(dialogs, []);
      });
    });
  }

  it('keeps a 10,000-step instance to a few hundred DOM nodes and scrolls through it', async () => {
    await open();
    await postToView(page, { type: 'init', target: TARGET }, instanceMessage(bulkInstance(10_000)));
    await page.waitForSelector('#tl-row-0');
    const count = () => page.evaluate(() => document.getElementsByTagName('*').length);
    const atTop = await count();
    assert.ok(atTop < 3000, `DOM nodes at top: ${atTop}`);
    assert.equal(await page.$eval('.tl-scroller', (e) => e.getAttribute('aria-rowcount')), '10000');

    for (const fraction of [0.5, 1]) {
      await page.$eval('.tl-scroller', (e, f) => (e.scrollTop = (e.scrollHeight - e.clientHeight) * f), fraction);
      await afterPaint(page);
      await afterPaint(page);
      const nodes = await count();
      assert.ok(nodes < 3000, `DOM nodes at ${fraction}: ${nodes}`);
    }
    const labels = await texts(page, '.tl-label');
    assert.ok(labels.includes('import row 9999-1'), 'the last row is rendered at the bottom');
    assert.ok(!labels.includes('import row 0-1'), 'the first row is gone');
  });

  it('moves the selection with the keyboard and opens details on Enter', async () => {
    await open();
    await postToView(page, { type: 'init', target: TARGET }, instanceMessage(bulkInstance(500)));
    await page.waitForSelector('#tl-row-0');
    await page.focus('.tl-scroller');
    const selected = () => page.$$eval('.tl-row[aria-selected="true"]', (els) => els.map((e) => e.id));
    await page.keyboard.press('Home');
    assert.deepEqual(await selected(), ['tl-row-0']);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    assert.deepEqual(await selected(), ['tl-row-3']);
    await page.keyboard.press('ArrowUp');
    assert.deepEqual(await selected(), ['tl-row-2']);
    assert.equal(await page.$eval('.tl-scroller', (e) => e.getAttribute('aria-activedescendant')), 'tl-row-2');
    await page.keyboard.press('End');
    await afterPaint(page);
    assert.deepEqual(await selected(), ['tl-row-499']);
    assert.ok(((await texts(page, '.details-pane'))[0] ?? '').includes('import row 499-1'));
    await page.keyboard.press('PageUp');
    const afterPageUp = await selected();
    assert.equal(afterPageUp.length, 1);
    assert.ok(Number(afterPageUp[0].slice(7)) < 499);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('step-name')), true, 'focus moved to the details');
  });

  it('keeps selection, scroll and zoom across live updates and reloads', async () => {
    await open();
    const details = bulkInstance(2000, 'running');
    await postToView(page, { type: 'init', target: TARGET }, instanceMessage(details));
    await page.waitForSelector('#tl-row-0');
    await postToView(page, { type: 'selectStep', name: 'import row 1500-1' });
    await page.click('[data-zoom="in"]');
    await afterPaint(page);
    const before = await page.$eval('.tl-scroller', (e) => ({ top: e.scrollTop, width: e.scrollWidth }));
    assert.ok(before.top > 1000);

    await postToView(page, instanceMessage(bulkInstance(2000, 'running')));
    await afterPaint(page);
    const after = await page.$eval('.tl-scroller', (e) => ({ top: e.scrollTop, width: e.scrollWidth }));
    assert.equal(after.top, before.top);
    assert.equal(after.width, before.width);
    assert.deepEqual(await page.$$eval('.tl-row[aria-selected="true"]', (els) => els.map((e) => e.id)), ['tl-row-1500']);

    // A reload (hidden panel, window reload) restores from the persisted state.
    await page.waitForTimeout(300);
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __harness: { sent: unknown[] } }).__harness.sent.length > 0);
    await postToView(page, { type: 'init', target: TARGET }, instanceMessage(details));
    await page.waitForSelector('#tl-row-1500');
    await afterPaint(page);
    const restored = await page.$eval('.tl-scroller', (e) => ({ top: e.scrollTop, width: e.scrollWidth }));
    assert.equal(restored.top, before.top);
    assert.equal(restored.width, before.width);
    assert.deepEqual(await page.$$eval('.tl-row[aria-selected="true"]', (els) => els.map((e) => e.id)), ['tl-row-1500']);
    const state = await page.evaluate(() => (window as unknown as { __harness: { state: { target: unknown } } }).__harness.state.target);
    assert.deepEqual(state, TARGET);
  });

  it('a live update keeps the focus on the same header button, but only while the frame has the focus', async () => {
    await open();
    await postToView(page, { type: 'init', target: TARGET }, instanceMessage(runningInstance()));
    await page.waitForSelector('[data-action="terminate"]');
    await page.focus('[data-action="terminate"]');
    await postToView(page, instanceMessage(runningInstance()));
    await afterPaint(page);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'terminate', 'the rebuilt button has the focus again');
    // In VS Code the frame loses the focus to the workbench (a quick input) and keeps its last focused
    // element; an update must not focus it again, or the workbench loses what the user opened.
    await page.evaluate(() => {
      document.hasFocus = () => false;
    });
    await postToView(page, instanceMessage(runningInstance()));
    await afterPaint(page);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action') ?? null), null, 'no header button took the focus');
  });

  it('sends only well-formed requests: actions legal for the status, copy, open, source', async () => {
    await open();
    await postToView(page, { type: 'init', target: TARGET }, instanceMessage(runningInstance()));
    await page.waitForSelector('[data-action="pause"]');
    assert.deepEqual(await page.$$eval('[data-action]', (els) => els.map((e) => e.getAttribute('data-action'))), ['pause', 'terminate', 'restart', 'sendEvent']);
    await page.click('[data-action="pause"]');
    assert.equal(await page.$eval('[data-action="terminate"]', (e) => (e as HTMLButtonElement).disabled), true, 'buttons wait for the result');
    await postToView(page, { type: 'actionResult', action: 'pause', ok: false, message: '<b>not now</b>' });
    await page.waitForSelector('[data-banner="action"]');
    assert.ok(((await texts(page, '[data-banner="action"]'))[0] ?? '').includes('Pause failed: <b>not now</b>'));
    assert.equal(await page.$eval('[data-action="terminate"]', (e) => (e as HTMLButtonElement).disabled), false);

    await page.click('#tl-row-1');
    await page.click('text=Restart from this step');
    await page.click('text=Go to step source');
    await page.click('text=Open step JSON');
    await page.click('.card-params [aria-label="Open in Editor"]');
    await page.click('.card-params [aria-label="Copy params"]');
    await page.click('text=Load full output');
    await postToView(page, { type: 'fullOutput', step: 'notify slack-1', output: { full: '<i>yes</i>' } });
    await page.waitForFunction(() => document.querySelector('.details-pane')?.textContent?.includes('<i>yes</i>'));

    // Every request but `ready` carries the view generation of the last init (0 when init named none).
    const sent = (await sentMessages(page)) as ({ type: string; generation?: unknown } & Record<string, unknown>)[];
    for (const m of sent) assert.equal(m.generation, m.type === 'ready' ? undefined : 0, `generation of ${JSON.stringify(m)}`);
    const plain = sent.map(({ generation: _g, ...m }) => m);
    for (const m of plain) assert.deepEqual(parseWebviewMessage(m), m, `host accepts ${JSON.stringify(m)}`);
    assert.deepEqual(
      plain.map((m) => JSON.stringify(m)),
      [
        { type: 'ready' },
        { type: 'action', action: 'pause' },
        { type: 'action', action: 'restartFromStep', step: 'notify slack-1' },
        { type: 'goToSource', step: 'notify slack-1' },
        { type: 'openJson', what: 'step', step: 'notify slack-1' },
        { type: 'openJson', what: 'params' },
        { type: 'copy', text: '{\n  "requester": "alice"\n}' },
        { type: 'loadFullOutput', step: 'notify slack-1' },
      ].map((m) => JSON.stringify(m)),
    );
  });

  it('shows fetch errors without losing the data, and a retry', async () => {
    await open();
    await postToView(page, { type: 'init', target: TARGET }, { type: 'loading' }, { type: 'error', message: 'HTTP 404 <script>x</script>' });
    await page.waitForSelector('[data-banner="fetch"]');
    assert.ok(((await texts(page, '[data-banner="fetch"]'))[0] ?? '').includes('Could not load the instance: HTTP 404 <script>x</script>'));
    await postToView(page, instanceMessage(runningInstance()));
    await page.waitForSelector('#tl-row-0');
    assert.equal(await page.locator('[data-banner="fetch"]').count(), 0);
    await postToView(page, { type: 'error', message: 'offline' });
    await page.click('[data-banner="fetch"] >> text=Retry');
    assert.equal(await page.locator('#tl-row-1').count(), 1, 'rows stay');
    const sent = await sentMessages(page);
    assert.deepEqual(sent.at(-1), { type: 'refresh', generation: 0 });
    await postToView(page, { type: 'requestFailed', request: 'goToSource', message: 'No step.do call named "<b>x</b>"' });
    await page.waitForSelector('[data-banner="request"]');
    assert.ok(((await texts(page, '[data-banner="request"]'))[0] ?? '').includes('Go to step source failed: No step.do call named "<b>x</b>"'));
  });
});
