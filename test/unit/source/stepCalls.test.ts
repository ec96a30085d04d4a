import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blankComments, findStepCalls, findWorkflowClasses } from '../../../src/model/stepCalls';

const fixture = readFileSync(join(__dirname, '..', '..', 'fixtures', 'workers', 'src', 'index.ts'), 'utf8');

describe('step call parser', () => {
  it('finds every step call of the fixture Worker with its kind and line', () => {
    const calls = findStepCalls(fixture);
    const names = calls.map((c) => `${c.kind}:${c.name}`);
    for (const expected of ['do:load order', 'do:reserve stock', 'sleep:cool down', 'do:ünïcødé ✓ 数据 <b>&amp;</b> "quotes"', 'do:render invoice', 'waitForEvent:wait for approval', 'do:charge card', 'waitForEvent:await decision', 'sleep:nap']) {
      assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
    }
    const reserve = calls.find((c) => c.name === 'reserve stock');
    assert.ok(reserve);
    assert.match(fixture.split('\n')[reserve.line], /await step\.do\(/);
    assert.equal(fixture.slice(reserve.nameStart, reserve.nameEnd), 'reserve stock');
  });

  it('reads the event type of waitForEvent', () => {
    const wait = findStepCalls(fixture).find((c) => c.name === 'await decision');
    assert.equal(wait?.eventType, 'decision');
    assert.equal(findStepCalls(fixture).find((c) => c.name === 'wait for approval')?.eventType, 'approval');
  });

  it('skips commented-out calls, names that are not literals and template literals with substitutions', () => {
    const src = [
      '// await step.do("commented", async () => 1);',
      '/* await step.sleep("block comment", "1 s"); */',
      'await step.do(name, async () => 1);',
      'await step.do(`row ${i}`, async () => 1);',
      'await step.do(`plain template`, async () => 1);',
      "const s = '// not a comment'; await step.sleepUntil('until then', date);",
    ].join('\n');
    assert.deepEqual(findStepCalls(src).map((c) => `${c.kind}:${c.name}`), ['do:plain template', 'sleepUntil:until then']);
  });

  it('finds calls in nested functions and loops, in JavaScript too, with a renamed step parameter', () => {
    const js = `export class Loop extends WorkflowEntrypoint {
  async run(event, s) {
    for (const x of [1, 2]) { await s.do('in loop', async () => x); }
    const helper = async () => s.waitForEvent('nested wait', { timeout: '1 hour', type: 'go' });
    await helper();
  }
}`;
    const calls = findStepCalls(js, new Set(['s']));
    assert.deepEqual(calls.map((c) => c.name), ['in loop', 'nested wait']);
    assert.equal(calls[1].eventType, 'go');
    assert.deepEqual(findWorkflowClasses(js).map((c) => c.className), ['Loop']);
  });

  it('finds classes extending WorkflowEntrypoint with their body range', () => {
    const classes = findWorkflowClasses(fixture);
    assert.deepEqual(classes.map((c) => c.className), ['OrderPipeline', 'FlakyPayments', 'ApprovalGate', 'BulkImport', 'LongSleeper', 'HostileText']);
    const order = classes[0];
    assert.ok(fixture.slice(order.start, order.end).includes("'render invoice'"));
    assert.ok(!fixture.slice(order.start, order.end).includes("'charge card'"));
  });

  it('blanks comments but keeps offsets and lines', () => {
    const src = 'a // b\n/* c\nd */ e';
    const out = blankComments(src);
    assert.equal(out.length, src.length);
    assert.equal(out.split('\n').length, 3);
    assert.ok(!out.includes('b') && !out.includes('c') && out.includes('e'));
  });
});

describe('workflow classes with object types in their type arguments', () => {
  it('finds the body after `WorkflowEntrypoint<Env, { … }>` and the calls inside it', () => {
    const src = 'export class Pay extends WorkflowEntrypoint<Env, { amount?: number; f: () => void }> {\n  async run(e: E, step: S) { await step.do("charge", async () => 1); }\n}\nclass Other {}';
    const [c] = findWorkflowClasses(src);
    assert.equal(c.className, 'Pay');
    assert.ok(src.slice(c.start, c.end).includes('"charge"'));
    assert.ok(!src.slice(c.start, c.end).includes('Other'));
  });
});

describe('engine step names', () => {
  it('split into base name and occurrence, also across lines', async () => {
    const { splitStepName } = await import('../../../src/model/status');
    assert.deepEqual(splitStepName('reserve stock-2'), { base: 'reserve stock', count: 2 });
    assert.deepEqual(splitStepName('line one\nline-two-11'), { base: 'line one\nline-two', count: 11 });
    assert.deepEqual(splitStepName('no suffix'), { base: 'no suffix', count: 1 });
  });
});
