// The pure half of the benchmark report: spread, paired ratios with their range, verdicts, the
// table and the count of targets met. No I/O, so test/unit/bench/report.test.ts can check that a
// figure without a target never reads "pass" and that a ratio whose range spans 1.0 is no win.

/** `pass`/`miss` only for a row with a real target; everything else is `informational`. */
export type Verdict = 'pass' | 'miss' | 'informational';

export interface Row {
  figure: string;
  ours: string;
  reference: string;
  ratio: string;
  target: string;
  verdict: Verdict;
}

/** A row judged against a target: `met` decides pass or miss. */
export function targetRow(r: Omit<Row, 'verdict'>, met: boolean): Row {
  return { ...r, verdict: met ? 'pass' : 'miss' };
}

/** A row that only reports a figure: never counted as a target met. */
export function infoRow(r: Omit<Row, 'verdict' | 'target'>): Row {
  return { ...r, target: '—', verdict: 'informational' };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  return { min: values.length ? Math.min(...values) : NaN, median: median(values), max: values.length ? Math.max(...values) : NaN, n: values.length };
}

function num(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** "743 ms (700–812, 5 rounds)": the median with its range and how many rounds it came from. */
export function formatSpread(values: readonly number[], unit = 'ms', digits = 0): string {
  const s = spread(values);
  if (s.n === 1) return `${num(s.median, digits)} ${unit} (1 round)`;
  return `${num(s.median, digits)} ${unit} (${num(s.min, digits)}–${num(s.max, digits)}, ${s.n} rounds)`;
}

/** Per-round ratios `mine[i] / base[i]` of rounds measured side by side (interleaved). */
export function pairedRatios(mine: readonly number[], base: readonly number[]): Spread {
  if (mine.length !== base.length) throw new Error(`paired ratios need as many rounds on each side (${mine.length} vs ${base.length})`);
  return spread(mine.map((m, i) => m / base[i]));
}

/**
 * The range a ratio of two unpaired samples can take (the slowest of one over the fastest of the
 * other and vice versa), with the ratio of the medians in the middle.
 */
export function unpairedRatios(mine: readonly number[], base: readonly number[]): Spread {
  const a = spread(mine);
  const b = spread(base);
  return { min: a.min / b.max, median: a.median / b.median, max: a.max / b.min, n: Math.min(a.n, b.n) };
}

/** The ratio's range includes 1.0: the two sides cannot be told apart in this run. */
export function spansOne(r: Spread): boolean {
  return r.min <= 1 && r.max >= 1;
}

/**
 * "0.87× (0.80–0.95×, 11 paired rounds)", or "no measurable difference (0.95–1.06×, …)" when the
 * range includes 1.0, so a median below 1 is never sold as a win it cannot show.
 */
export function formatRatio(r: Spread, kind: 'paired' | 'unpaired' = 'paired'): string {
  const range = `${num(r.min, 2)}–${num(r.max, 2)}×, ${r.n} ${kind} rounds`;
  if (spansOne(r)) return `no measurable difference (median ${num(r.median, 2)}×; ${range})`;
  return `${num(r.median, 2)}× (${range})`;
}

/** "242× faster (180–300×)" for a reference that takes longer than ours; same rule about 1.0. */
export function formatSpeedup(oursOverTheirs: Spread): string {
  const inv: Spread = { min: 1 / oursOverTheirs.max, median: 1 / oursOverTheirs.median, max: 1 / oursOverTheirs.min, n: oursOverTheirs.n };
  if (spansOne(inv)) return `no measurable difference (${num(inv.min, 2)}–${num(inv.max, 2)}×)`;
  return `${num(inv.median, 0)}× faster (${num(inv.min, 0)}–${num(inv.max, 0)}×)`;
}

export function verdictCell(v: Verdict): string {
  return v === 'pass' ? 'pass' : v === 'miss' ? '**miss**' : 'informational';
}

export function tableLines(rows: readonly Row[]): string[] {
  return [
    '| Figure | This project | Reference | Ratio | Target | |',
    '|---|---:|---:|---:|---|---|',
    ...rows.map((r) => `| ${r.figure} | ${r.ours} | ${r.reference} | ${r.ratio} | ${r.target} | ${verdictCell(r.verdict)} |`),
  ];
}

/** Counts only rows with a real target; informational rows are reported separately. */
export function targetSummary(rows: readonly Row[]): { met: number; missed: number; targets: number; informational: number; text: string } {
  const met = rows.filter((r) => r.verdict === 'pass').length;
  const missed = rows.filter((r) => r.verdict === 'miss').length;
  const informational = rows.filter((r) => r.verdict === 'informational').length;
  return { met, missed, targets: met + missed, informational, text: `${met} of ${met + missed} targets met, ${missed} missed; ${informational} informational figures` };
}

/** The bench measures a commit: results from a tree with uncommitted changes would name the wrong one. */
export function dirtyPaths(porcelain: string): string[] {
  return porcelain
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.slice(3));
}
