import { strict as assert } from 'node:assert';
import MarkdownIt from 'markdown-it';
import {
  DISPLAY_LIMITS, forCommandUri, forMarkdown, forModalDetail, forNotification, forPanelTitle, forQuickPickDescription, forQuickPickDetail, forQuickPickLabel,
  forStatusBar, forTreeDescription, forTreeLabel, forWebview, forWebviewLine, hasHiddenCharacters, hiddenCharMarker, markHidden, shorten,
} from '../../../src/model/display';

// VS Code's notification link parser (src/vs/base/common/linkedText.ts, 1.100).
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
// VS Code's icon syntax as its label renderer reads it: `\$(x)` is text, `$(x)` is an icon.
const LIVE_ICON = /(?<!\\)\$\([A-Za-z0-9-]+(?:~[A-Za-z0-9-]+)?\)/;

const single = [forNotification, forQuickPickLabel, forQuickPickDescription, forQuickPickDetail, forTreeLabel, forTreeDescription, forPanelTitle, forStatusBar, forWebviewLine];
const all = [...single, forModalDetail, forMarkdown, forWebview];

describe('display: hidden characters', () => {
  const cases: [string, number][] = [
    ['\u202E', 0x202e], ['\u202A', 0x202a], ['\u2066', 0x2066], ['\u2069', 0x2069], ['\u200B', 0x200b], ['\u200F', 0x200f],
    ['\u2060', 0x2060], ['\u2064', 0x2064], ['\uFEFF', 0xfeff], ['\u061C', 0x061c], ['\u00AD', 0x00ad], ['\u180E', 0x180e],
    ['\uFE00', 0xfe00], ['\uFE0F', 0xfe0f], ['\u{E0001}', 0xe0001], ['\u{E007F}', 0xe007f], ['\u3164', 0x3164], ['\u115F', 0x115f],
    ['\u1160', 0x1160], ['\u034F', 0x034f], ['\u2028', 0x2028], ['\u2029', 0x2029], ['\u0000', 0], ['\u0007', 7], ['\u001B', 0x1b],
    ['\u007F', 0x7f], ['\u0085', 0x85], ['\u009B', 0x9b], ['\u{E0100}', 0xe0100],
  ];
  for (const [ch, cp] of cases) {
    it(`U+${cp.toString(16).toUpperCase().padStart(4, '0')} is shown as the one marker on every surface`, () => {
      const marker = hiddenCharMarker(cp);
      assert.ok(hasHiddenCharacters(`a${ch}b`));
      for (const f of all) {
        const out = f(`a${ch}b`);
        assert.ok(out.includes(marker.replace(/[+]/g, f === forMarkdown ? '\\+' : '+')), `${f.name}: ${JSON.stringify(out)}`);
        assert.ok(!out.includes(ch), `${f.name} kept the raw character`);
      }
    });
  }
  it('reads a bidi-reversed file name in its real order', () => {
    assert.equal(forTreeLabel('invoice\u202Egnp.exe'), 'invoice‹U+202E›gnp.exe');
    assert.equal(forWebviewLine('\u202Egnp.exe'), '‹U+202E›gnp.exe');
  });
  it('leaves ordinary text, accents, CJK and emoji without selectors alone', () => {
    for (const s of ['charge-card', 'café', '注文を処理', '🚀 launch', 'a b']) assert.equal(forTreeLabel(s), s);
    assert.equal(hasHiddenCharacters('plain text'), false);
  });
  it('keeps newlines and tabs only where the surface lays them out', () => {
    assert.equal(forWebview('a\nb\tc'), 'a\nb\tc');
    assert.equal(forModalDetail('a\nb'), 'a\nb');
    for (const f of single) assert.ok(!/[\n\r]/.test(f('a\nb\r\nc')), f.name);
    assert.equal(forTreeLabel('a\nb'), 'a ⏎ b');
    assert.equal(markHidden('a\nb', '\n'), 'a\nb');
    assert.equal(markHidden('a\nb'), 'a‹U+000A›b');
  });
  it('marks a lone surrogate', () => {
    assert.equal(forTreeLabel('a\uD800b'), 'a‹U+D800›b');
  });
});

describe('display: shortening', () => {
  it('shortens a 5,000-character value on every surface with an ellipsis', () => {
    const long = 'x'.repeat(5000);
    for (const f of all) {
      const out = f(long);
      assert.ok(out.length < 5000 && out.endsWith('…'), `${f.name}: ${out.length}`);
    }
    assert.equal(forPanelTitle(long).length, DISPLAY_LIMITS.panelTitle);
    assert.equal(forTreeLabel(long).length, DISPLAY_LIMITS.treeLabel);
  });
  it('never splits a surrogate pair', () => {
    const out = shorten('😀'.repeat(10), 5);
    assert.equal(out, '😀😀😀😀…');
  });
  it('leaves short values whole', () => {
    assert.equal(shorten('abc', 3), 'abc');
    assert.equal(forNotification('abc'), 'abc');
  });
  it('shows non-strings as text', () => {
    assert.equal(forTreeLabel(undefined), '');
    assert.equal(forTreeLabel(42), '42');
  });
});

describe('display: links and icons', () => {
  const hostile = 'Payment failed: [Update payment settings](command:cloudflareWorkflows.addAccount?%7B%22apiBaseUrl%22%3A%22https%3A%2F%2Fevil.example%22%7D) or [docs](https://evil.example/x "t")';
  it('no notification or modal text forms a link', () => {
    for (const f of [forNotification, forModalDetail]) {
      NOTIFICATION_LINK.lastIndex = 0;
      assert.equal(NOTIFICATION_LINK.test(f(hostile)), false, f.name);
    }
    assert.ok(forNotification(hostile).includes('[Update payment settings] (command:'));
  });
  it('no quick-pick or status bar text renders an icon', () => {
    for (const f of [forQuickPickLabel, forQuickPickDescription, forQuickPickDetail, forStatusBar]) {
      const out = f('$(debug-restart) From the beginning $(error~spin)');
      assert.equal(LIVE_ICON.test(out), false, `${f.name}: ${out}`);
      assert.equal(out, '\\$(debug-restart) From the beginning \\$(error~spin)');
    }
  });
  it('a step named like the restart picker\'s first item does not look like it', () => {
    assert.notEqual(forQuickPickLabel('$(debug-restart) From the beginning'), '$(debug-restart) From the beginning');
  });
});

describe('display: Markdown', () => {
  // A CommonMark renderer with HTML and autolinks on: the most permissive reading of the text.
  const md = new MarkdownIt({ html: true, linkify: true });
  const render = (s: string) => md.render(forMarkdown(s));
  it('renders links, autolinks, emphasis and HTML as plain text', () => {
    const hostile = '[click](command:workbench.action.terminal.new) **bold** _em_ `code` <img src=x onerror=alert(1)> <a href="https://e.example">a</a> https://evil.example www.evil.example a@b.example &lt;b&gt; # heading\n===\n- item\n> quote\n![img](https://e.example/i.png)';
    const html = render(hostile);
    for (const tag of ['<a', '<img', '<strong', '<em', '<code', '<h1', '<h2', '<ul', '<blockquote']) assert.ok(!html.includes(tag), `${tag} in ${html}`);
    assert.ok(html.includes('[click](command:workbench.action.terminal.new)'), html);
    assert.ok(html.includes('&amp;lt;b&amp;gt;'), 'entities shown as typed');
  });
  it('keeps the text readable after rendering', () => {
    assert.equal(md.renderInline(forMarkdown('a.b (c) d-e')), 'a.b (c) d-e');
  });
  it('escapes $(icon) the way VS Code honours with theme icons on', () => {
    const out = forMarkdown('$(debug-restart) go');
    assert.ok(out.startsWith('\\$(debug-restart)'), out);
  });
  it('keeps line breaks as hard breaks', () => {
    assert.ok(render('a\nb').includes('<br>'));
  });
});

describe('display: idempotence and command links', () => {
  it('escaping twice shows no extra backslash', () => {
    const once = forQuickPickLabel('$(debug-restart) x');
    assert.equal(forQuickPickLabel(once), once);
    assert.equal(forNotification(forNotification('[a](command:x)')), forNotification('[a](command:x)'));
  });
  it('command-link arguments cannot end the link', () => {
    const out = forCommandUri([{ id: 'a)(b![c]*~\'' }]);
    assert.ok(!/[()[\]!*~']/.test(out), out);
    assert.deepEqual(JSON.parse(decodeURIComponent(out)), [{ id: 'a)(b![c]*~\'' }]);
  });
});
