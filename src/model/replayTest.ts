// "Create Test from Instance…": turns a recorded instance into a Vitest file that replays it with
// the workflow introspection of `@cloudflare/vitest-pool-workers`. Pure: the command fetches, this writes.
//
// What the generated code relies on, and where it is documented (checked against
// @cloudflare/vitest-pool-workers 0.23.0, types/cloudflare-test.d.ts, and
// https://developers.cloudflare.com/workers/testing/vitest-integration/test-apis/#workflows):
// - `introspectWorkflowInstance(binding, id)` before `binding.create({ id, params })`; `modify(fn)`
//   with `disableSleeps()`, `disableRetryDelays()`, `mockStepResult({name, index}, value)`,
//   `mockStepError({name, index}, error, times?)` (errors `times` attempts, every attempt without it;
//   combinable with `mockStepResult` for "failed N times, then succeeded"), `mockEvent({type, payload})`,
//   `forceEventTimeout({name, index})`; `waitForStatus(status)`, `getOutput()`, `getError()` →
//   `{name, message}`, `dispose()`. `index` is the 1-based occurrence: the engine's `-N` name suffix.
// - The order in which steps ran: `(await binding.get(id)).status()` returns, in local dev only,
//   `__LOCAL_DEV_STEP_OUTPUTS`: each finished `step.do` result and received event payload, in the order
//   they completed (miniflare 5.20260815, workers/workflows/binding.worker.js, `WorkflowHandle.status`).
//   It is undocumented, so the generated test says so where it reads it.
// - The local engine never reports `waiting`: an instance blocked in waitForEvent stays `running`.
//
// Everything recorded (step names, outputs, errors, event types, params, binding name) is hostile: it
// enters the generated source only through `lit()` (a string literal) or `data()` (`JSON.parse` of a
// string literal), both ASCII-only, never as code, a comment or an identifier.
import { splitStepName } from './status';
import type { DoStep, InstanceDetails, Step, StepError, WaitForEventStep } from './types';

/** The largest generated file; beyond it the run is too big to be a readable test. */
export const MAX_TEST_BYTES = 4 * 1024 * 1024;

export interface ReplayTestInput {
  /** The Workflow's binding name in the user's wrangler config (`env[binding]`). */
  binding: string;
  instance: InstanceDetails;
  /** Untruncated outputs fetched by the caller, by full step name (with `-N`). */
  fullOutputs?: ReadonlyMap<string, unknown>;
  /** Module the test imports its helpers from; the pool's virtual module by default. */
  testModule?: string;
}

export interface ReplayTest {
  code: string;
  /** What the test could not reproduce, in plain words, for the user (contains recorded names). */
  notes: string[];
  /** Recorded step names in order, for display. */
  steps: string[];
}

/** A JavaScript string literal for any string: JSON escaping plus every non-ASCII unit as \uXXXX, so
 *  line/paragraph separators, bidi controls, `</script>` and `*\/` can never change the code around it. */
export function lit(s: string): string {
  return JSON.stringify(s)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/<\//g, '<\\/')
    .replace(/<!--/g, '<\\!--');
}

/** An expression evaluating to a copy of a JSON value. `JSON.parse` rather than an object literal: a
 *  `"__proto__"` key stays an own property, as in the recorded data. `undefined` stays `undefined`. */
export function data(v: unknown): string {
  if (v === undefined) return 'undefined';
  const json = JSON.stringify(v);
  if (json === undefined) return 'undefined';
  return `JSON.parse(${lit(json)})`;
}

/** Recorded outputs that are previews rather than values (cloud logs, wrangler, streams). */
function looksTruncated(v: unknown): string | undefined {
  if (v instanceof Uint8Array) return 'it returned a stream (raw bytes)';
  if (typeof v === 'string') {
    if (v.includes('[...output truncated]')) return 'its recorded output is truncated';
    if (/^\[ReadableStream\b/.test(v)) return 'it returned a stream; only a preview was recorded';
  }
  return undefined;
}

/** A short, single-line rendering of a recorded name for a note (the UI sanitises it again). */
function q(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const flat = name.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g, ' ');
  return `"${flat.length > 80 ? `${flat.slice(0, 79)}…` : flat}"`;
}

function errorExpr(e: StepError | null | undefined): string {
  const name = e?.name && e.name !== 'Error' ? e.name : undefined;
  const message = e?.message ?? 'step failed';
  return name ? `Object.assign(new Error(${lit(message)}), { name: ${lit(name)} })` : `new Error(${lit(message)})`;
}

const isDo = (s: Step): s is DoStep => s.type === 'step';
const isWait = (s: Step): s is WaitForEventStep => s.type === 'waitForEvent';

export function generateReplayTest(input: ReplayTestInput): ReplayTest {
  const { instance: d, binding } = input;
  const notes: string[] = [];
  const mocks: string[] = [];
  const sequence: unknown[] = [];
  // Positions in `sequence` whose value is not known (the step runs its real code).
  const unknownAt = new Set<number>();
  const names: string[] = [];
  let hasSleep = false;
  let hasRetries = false;
  // The recorded run stopped (or still stands) at this step: nothing after it is replayed.
  let openStep: string | undefined;

  for (const s of d.steps) {
    if (openStep !== undefined) break;
    if (s.type === 'termination') {
      notes.push('The instance was terminated; the test replays the steps before that and checks where it stood, not the termination.');
      break;
    }
    if (s.type === 'unknown' || s.type === 'rollback') {
      notes.push(`Step ${q(s.name ?? s.type)} is of a kind the test cannot mock (${s.type === 'rollback' ? 'a rollback' : 'unknown type'}); it is left out.`);
      continue;
    }
    names.push(s.name);
    const { base, count } = splitStepName(s.name);
    const ref = `{ name: ${lit(base)}, index: ${count} }`;
    if (s.type === 'sleep') {
      hasSleep = true;
      if (!s.end && !s.finished) openStep = s.name;
      continue;
    }
    if (isWait(s)) {
      if (s.error) {
        mocks.push(`      await m.forceEventTimeout(${ref});`);
      } else if (s.end || s.finished) {
        const ev = (s.output ?? {}) as { type?: unknown; payload?: unknown };
        const type = typeof ev.type === 'string' ? ev.type : s.eventType;
        if (type === undefined) {
          notes.push(`The event received by ${q(s.name)} has no recorded type; it is not replayed.`);
          openStep = s.name;
          continue;
        }
        mocks.push(`      await m.mockEvent({ type: ${lit(type)}, payload: ${data(ev.payload)} });`);
        sequence.push(ev.payload);
      } else {
        openStep = s.name;
      }
      continue;
    }
    if (!isDo(s)) continue;
    if (s.success == null) {
      openStep = s.name;
      continue;
    }
    const failed = s.attempts.filter((a) => a.success === false);
    const lastError = failed.at(-1)?.error;
    if (new Set(failed.map((a) => `${a.error?.name}\u0000${a.error?.message}`)).size > 1) {
      notes.push(`Step ${q(s.name)} failed with different errors across attempts; every mocked attempt throws the last one.`);
    }
    if (s.success === false) {
      hasRetries ||= failed.length > 1;
      mocks.push(`      await m.mockStepError(${ref}, ${errorExpr(lastError)});`);
      continue;
    }
    if (failed.length > 0) {
      hasRetries = true;
      mocks.push(`      await m.mockStepError(${ref}, ${errorExpr(lastError)}, ${failed.length});`);
    }
    const output = input.fullOutputs?.has(s.name) ? input.fullOutputs.get(s.name) : s.output;
    const why = looksTruncated(output);
    if (why) {
      notes.push(`Step ${q(s.name)} is not mocked because ${why}: the test runs its real code, and does not check its result.`);
      unknownAt.add(sequence.length);
      sequence.push(null);
      continue;
    }
    mocks.push(`      await m.mockStepResult(${ref}, ${data(output)});`);
    sequence.push(output);
  }

  const checked = sequence.map((_, i) => i).filter((i) => !unknownAt.has(i));
  const distinct = new Set(sequence.map((v) => JSON.stringify(v))).size === sequence.length;
  if (!distinct) notes.push('Some steps returned equal results, so swapping those steps would not be noticed.');

  const finalStatus = d.status;
  const lines: string[] = [];
  const mod = input.testModule ?? 'cloudflare:test';
  lines.push(
    `// Generated by Cloudflare Workflows for VS Code ("Create Test from Instance"): replays a recorded run.`,
    `// Needs @cloudflare/vitest-pool-workers (workflow introspection) and a vitest config that uses it.`,
    `import { env, introspectWorkflowInstance } from ${lit(mod)};`,
    `import { expect, it } from 'vitest';`,
    ``,
    `const BINDING = ${lit(binding)};`,
    `const INSTANCE_ID = 'replayed-instance';`,
    `const PARAMS = ${data(d.params)};`,
    `/** The steps of the recorded run, in order. */`,
    `const RECORDED_STEPS = ${data(names)};`,
    `/** Each finished step's result (or received event payload) in the order they completed. */`,
    `const RECORDED_SEQUENCE = ${data(sequence)};`,
    `/** Positions of RECORDED_SEQUENCE the test compares (the others ran real code). */`,
    `const CHECKED = ${data(checked)};`,
    ``,
    `type Handle = { status(): Promise<{ status: string; __LOCAL_DEV_STEP_OUTPUTS?: unknown[] }> };`,
    `type Binding = { create(o: { id: string; params?: unknown }): Promise<unknown>; get(id: string): Promise<Handle> };`,
    ``,
    `it(${lit(`replays ${d.workflow} instance ${d.id} (${finalStatus})`)}, async () => {`,
    `  const workflow = (env as unknown as Record<string, Binding>)[BINDING];`,
    `  expect(workflow, 'the Workflow binding is configured').toBeDefined();`,
    `  const instance = await introspectWorkflowInstance(workflow as never, INSTANCE_ID);`,
    `  try {`,
    `    await instance.modify(async (m) => {`,
  );
  if (hasSleep) lines.push(`      await m.disableSleeps();`);
  if (hasRetries) lines.push(`      await m.disableRetryDelays();`);
  lines.push(...mocks, `    });`, `    await workflow.create({ id: INSTANCE_ID, params: PARAMS });`, ``);
  // Local dev only: the order in which steps finished (see the note at the top of replayTest.ts).
  lines.push(
    `    const ran = async () => ((await (await workflow.get(INSTANCE_ID)).status()).__LOCAL_DEV_STEP_OUTPUTS ?? []);`,
    `    // Compared as JSON, as the run was recorded (a missing result reads as null).`,
    `    const pick = (xs: unknown[]) => CHECKED.map((i: number) => JSON.parse(JSON.stringify(xs[i] ?? null)) as unknown);`,
  );
  if (finalStatus === 'complete') {
    lines.push(
      `    await instance.waitForStatus('complete');`,
      `    expect(await instance.getOutput()).toEqual(${data(d.output)});`,
    );
  } else if (finalStatus === 'errored') {
    const e = d.error ?? [...d.steps].reverse().find((s): s is DoStep => isDo(s) && s.success === false)?.attempts.at(-1)?.error;
    lines.push(`    await instance.waitForStatus('errored');`);
    if (e) lines.push(`    expect(await instance.getError()).toMatchObject({ message: ${lit(e.message)} });`);
    else notes.push('The recorded error has no message; the test checks only that the instance errors.');
  } else {
    // Still running, waiting, paused or terminated when recorded: replay up to where it stood.
    if (finalStatus !== 'running' && finalStatus !== 'waiting') {
      notes.push(`The instance was ${finalStatus} when recorded; the test replays it up to that point and checks the steps, not the status.`);
    }
    lines.push(
      `    // Up to where the recorded run stood${openStep !== undefined ? ' (an unfinished step)' : ''}.`,
      `    await expect.poll(async () => (await ran()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(RECORDED_SEQUENCE.length);`,
    );
    if (openStep !== undefined && d.steps.some((s) => s.name === openStep && isWait(s))) {
      lines.push(`    // The local engine reports an instance blocked in waitForEvent as running.`, `    expect((await (await workflow.get(INSTANCE_ID)).status()).status).toBe('running');`);
    }
  }
  lines.push(
    `    expect(pick((await ran()).slice(0, RECORDED_SEQUENCE.length)), 'steps ran in the recorded order: ' + RECORDED_STEPS.join(' > ')).toEqual(pick(RECORDED_SEQUENCE));`,
  );
  if (finalStatus === 'complete' || finalStatus === 'errored') {
    lines.push(`    expect((await ran()).length, 'no steps beyond the recorded ones').toBe(RECORDED_SEQUENCE.length);`);
  }
  lines.push(`  } finally {`, `    await instance.dispose();`, `  }`, `});`, ``);

  const code = lines.join('\n');
  if (code.length > MAX_TEST_BYTES) {
    throw new Error(`The generated test would be ${Math.round(code.length / 1024 / 1024)} MB (limit ${MAX_TEST_BYTES / 1024 / 1024} MB): the instance's outputs are too large to embed.`);
  }
  return { code, notes, steps: names };
}

/** File name for the generated test: from the workflow name, reduced to safe characters. */
export function replayTestFileName(workflow: string, id: string): string {
  const safe = (s: string) => s.normalize('NFKD').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'instance';
  return `${safe(workflow)}.${safe(id)}.replay.test.ts`;
}
