// The replay-test generator: recorded data (hostile) only ever becomes string literals, never code.
import * as assert from 'node:assert/strict';
import ts from 'typescript';
import { data, generateReplayTest, lit, replayTestFileName } from '../../../src/model/replayTest';
import type { InstanceDetails, Step } from '../../../src/model/types';

const HOSTILE = [
  "'); process.exit(1); ('",
  '"); globalThis.pwned = 1; //',
  '`${globalThis.pwned = 1}`',
  '*/ globalThis.pwned = 1; /*',
  'line\u2028separator\u2029paragraph',
  '</script><script>alert(1)</script><!--',
  'bidi \u202egnp.exe\u202c zero\u200bwidth \u2066isolate\u2069',
  '\\u0027 backslash \\ \\\\',
  'new\nline\r\n\ttab \u0000 nul',
  'lone surrogate \ud800 end',
  '数据 ✓ 🙂',
];

function instance(text: string, status: InstanceDetails['status'] = 'complete'): InstanceDetails {
  const steps: Step[] = [
    { type: 'step', name: `${text}-1`, start: 'a', end: 'b', success: true, output: { [text]: text, __proto__x: text }, attempts: [{ success: false, error: { name: text, message: text } }, { success: true }] },
    { type: 'sleep', name: `${text} sleep-1`, start: 'b', end: 'c', finished: true },
    { type: 'waitForEvent', name: `${text} wait-1`, start: 'c', end: 'd', finished: true, output: { type: text, payload: [text], timestamp: 'x' } },
    { type: 'step', name: `${text} fails-1`, start: 'd', end: 'e', success: false, attempts: [{ success: false, error: { name: 'Error', message: text } }] },
  ];
  return { id: text, workflow: text, status, params: { p: text }, output: { out: text }, error: { name: text, message: text }, stepCount: steps.length, steps };
}

/** The code with every string literal's content blanked: what is left is the structure. */
function skeleton(code: string): string {
  const sf = ts.createSourceFile('t.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.push('<str>');
    else if (n.getChildCount(sf) === 0) out.push(n.getText(sf));
    else n.getChildren(sf).forEach(visit);
  };
  visit(sf);
  // Comments and trivia are compared too: a hostile value must not appear in either.
  return out.join(' ') + '\n' + code.split('\n').filter((l) => /^\s*(\/\/|\/\*\*|\*)/.test(l)).join('\n');
}

describe('replay test generator', () => {
  it('lit() gives an ASCII-only literal that evaluates to the same string', () => {
    for (const s of HOSTILE) {
      const l = lit(s);
      assert.match(l, /^"[\x20-\x7e]*"$/, l);
      assert.ok(!l.includes('</') && !l.includes('<!--'), l);
      assert.equal(new Function(`return ${l};`)(), s);
    }
  });

  it('data() keeps a "__proto__" key an own property and round-trips values', () => {
    const v = JSON.parse('{"__proto__": {"polluted": true}, "a": [1, "\u2028", null]}') as unknown;
    const back = new Function(`return ${data(v)};`)() as Record<string, unknown>;
    assert.deepEqual(Object.keys(back), ['__proto__', 'a']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal(data(undefined), 'undefined');
  });

  for (const status of ['complete', 'errored', 'running'] as const) {
    it(`hostile names, outputs, errors, event types, params and binding only change string literals (${status})`, () => {
      const benign = generateReplayTest({ binding: 'B', instance: instance('x', status) }).code;
      const base = skeleton(benign);
      for (const h of HOSTILE) {
        const { code } = generateReplayTest({ binding: h, instance: instance(h, status) });
        assert.match(code, /^[\x20-\x7e\n]*$/, 'the generated file is printable ASCII');
        assert.equal(skeleton(code), base, `structure changed for ${JSON.stringify(h)}`);
        // And it is still valid TypeScript.
        const diags = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } }).diagnostics ?? [];
        assert.deepEqual(diags.map((d) => d.messageText), []);
      }
    });
  }

  it('mocks each step as recorded: failed attempts then the result, the event, the timeout, sleeps and retries off', () => {
    const d = instance('s');
    d.steps.push({ type: 'waitForEvent', name: 'late-1', start: 'e', end: 'f', error: { name: 'Error', message: 'timed out' } });
    const { code, steps } = generateReplayTest({ binding: 'B', instance: d });
    assert.deepEqual(steps, ['s-1', 's sleep-1', 's wait-1', 's fails-1', 'late-1']);
    assert.match(code, /await m\.disableSleeps\(\);/);
    assert.match(code, /await m\.disableRetryDelays\(\);/);
    assert.match(code, /m\.mockStepError\(\{ name: "s", index: 1 \}, Object\.assign\(new Error\("s"\), \{ name: "s" \}\), 1\);\n\s+await m\.mockStepResult\(\{ name: "s", index: 1 \}/);
    assert.match(code, /m\.mockEvent\(\{ type: "s", payload: JSON\.parse\("\[\\"s\\"\]"\) \}\)/);
    assert.match(code, /m\.mockStepError\(\{ name: "s fails", index: 1 \}, new Error\("s"\)\);/, 'gives up: every attempt fails');
    assert.match(code, /m\.forceEventTimeout\(\{ name: "late", index: 1 \}\)/);
    assert.match(code, /waitForStatus\('complete'\)/);
  });

  it('uses fetched full outputs, and says what it cannot reproduce instead of mocking a preview', () => {
    const d = instance('s');
    d.steps[0] = { ...d.steps[0], output: 'abc[...output truncated]' } as Step;
    const full = generateReplayTest({ binding: 'B', instance: d, fullOutputs: new Map([['s-1', { whole: true }]]) });
    assert.match(full.code, /mockStepResult\(\{ name: "s", index: 1 \}, JSON\.parse\("\{\\"whole\\":true\}"\)\)/);
    assert.ok(!full.notes.some((n) => n.includes('truncated')));
    const cut = generateReplayTest({ binding: 'B', instance: d });
    assert.ok(!/mockStepResult\(\{ name: "s", index: 1 \}/.test(cut.code));
    assert.ok(cut.notes.some((n) => n.includes('"s-1"') && n.includes('truncated')), cut.notes.join('\n'));
    assert.match(cut.code, /const CHECKED = JSON\.parse\("\[1\]"\)/, 'the unknown result is not compared');
  });

  it('notes with recorded names are single-line and free of bidi and zero-width characters', () => {
    const d = instance('\u202eevil\u200b\nname');
    d.steps[0] = { ...d.steps[0], output: '[ReadableStream: 5 bytes]' } as Step;
    const { notes } = generateReplayTest({ binding: 'B', instance: d });
    assert.ok(notes.length > 0);
    for (const n of notes) assert.ok(!/[\n\u202e\u200b]/.test(n), n);
  });

  it('file names keep only safe characters', () => {
    assert.equal(replayTestFileName('../../etc/passwd', 'a b\u202e'), 'etc-passwd.a-b.replay.test.ts');
    assert.equal(replayTestFileName('数据', ''), 'instance.instance.replay.test.ts');
  });
});
