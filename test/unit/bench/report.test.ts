// The benchmark report's pure half: verdicts, the count of targets met, spread and ratio ranges.
import * as assert from 'node:assert/strict';
import { dirtyPaths, formatRatio, formatSpeedup, formatSpread, infoRow, pairedRatios, spread, tableLines, targetRow, targetSummary, unpairedRatios } from '../../../bench/report';

const base = { figure: 'f', ours: '1 ms', reference: '—', ratio: '—' };

describe('bench report', () => {
  it('a row without a target is informational: never "pass", never counted as a target met', () => {
    const rows = [targetRow({ ...base, target: '≤ 1' }, true), targetRow({ ...base, target: '≤ 1' }, false), infoRow(base), infoRow(base)];
    const lines = tableLines(rows);
    assert.equal(lines.filter((l) => l.endsWith('| pass |')).length, 1);
    assert.equal(lines.filter((l) => l.endsWith('| **miss** |')).length, 1);
    assert.equal(lines.filter((l) => l.endsWith('| informational |')).length, 2);
    const s = targetSummary(rows);
    assert.deepEqual({ met: s.met, missed: s.missed, targets: s.targets, informational: s.informational }, { met: 1, missed: 1, targets: 2, informational: 2 });
    assert.equal(s.text, '1 of 2 targets met, 1 missed; 2 informational figures');
  });

  it('reports min, median, max and the number of rounds', () => {
    assert.deepEqual(spread([5, 1, 3, 2, 4]), { min: 1, median: 3, max: 5, n: 5 });
    assert.equal(spread([1, 2, 3, 10]).median, 2.5);
    assert.equal(formatSpread([700, 812, 743]), '743 ms (700–812, 3 rounds)');
    assert.equal(formatSpread([7.46], 'ms', 1), '7.5 ms (1 round)');
  });

  it('pairs ratios round by round and refuses unequal rounds', () => {
    // Round 2 is slow for both sides: paired, each round's ratio is 0.5.
    const r = pairedRatios([50, 500, 60], [100, 1000, 120]);
    assert.deepEqual(r, { min: 0.5, median: 0.5, max: 0.5, n: 3 });
    assert.equal(formatRatio(r), '0.50× (0.50–0.50×, 3 paired rounds)');
    assert.throws(() => pairedRatios([1, 2], [1]), /as many rounds/);
  });

  it('a ratio whose range includes 1.0 is "no measurable difference", not a win', () => {
    const r = pairedRatios([87, 95, 104], [100, 100, 100]);
    assert.equal(r.median, 0.95);
    assert.ok(formatRatio(r).startsWith('no measurable difference'), formatRatio(r));
    assert.match(formatRatio(r), /0\.87–1\.04×, 3 paired rounds/);
    assert.ok(!formatRatio(pairedRatios([80, 90], [100, 100])).startsWith('no measurable'));
    // Exactly 1.0 at an end still counts as "cannot tell".
    assert.ok(formatRatio(pairedRatios([100, 90], [100, 100])).startsWith('no measurable difference'));
  });

  it('bounds an unpaired ratio by the extremes of both samples', () => {
    const r = unpairedRatios([10, 20], [100, 200]);
    assert.deepEqual(r, { min: 10 / 200, median: 15 / 150, max: 20 / 100, n: 2 });
    assert.equal(formatSpeedup(r), '10× faster (5–20×)');
    assert.ok(formatSpeedup(unpairedRatios([10, 30], [20, 25])).startsWith('no measurable difference'));
  });

  it('reads the dirty paths out of `git status --porcelain`', () => {
    assert.deepEqual(dirtyPaths(''), []);
    assert.deepEqual(dirtyPaths(' M bench/all.ts\nM  src/x.ts\n'), ['bench/all.ts', 'src/x.ts']);
  });
});
