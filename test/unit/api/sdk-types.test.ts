// Our production wire types against the official `cloudflare` SDK's Workflows types. Mostly compile-time:
// `tsc -p . --noEmit` fails when the SDK (the API's generated schema) drifts from what we send and parse.
// Known, deliberate difference: the SDK types create `params` as a JSON *string*; wrangler sends parsed
// JSON and so do we, so `params` is left out of the request comparisons.
import * as assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import type { EventCreateParams } from 'cloudflare/resources/workflows/instances/events';
import type {
  InstanceBulkParams,
  InstanceBulkResponse,
  InstanceCreateParams,
  InstanceCreateResponse,
  InstanceGetParams,
  InstanceGetResponse,
  InstanceListParams,
  InstanceListResponse,
  InstanceStepParams,
  InstanceStepResponse,
} from 'cloudflare/resources/workflows/instances/instances';
import type { StatusEditParams, StatusEditResponse } from 'cloudflare/resources/workflows/instances/status';
import type { WorkflowGetResponse, WorkflowListResponse } from 'cloudflare/resources/workflows/workflows';
import type { GetInstanceOptions } from '../../../src/api';
import type { KnownStatus, TriggerSource } from '../../../src/model/types';
import type {
  CloudCreatedInstance,
  CloudCreateInstanceBody,
  CloudListInstancesQuery,
  CloudStatusBody,
  CloudStatusResult,
  CloudStepOutput,
  CloudStepQuery,
  WireInstanceDetail,
  WireInstanceListItem,
  WireStep,
  WireTriggerSource,
  WireWorkflow,
} from '../../../src/api/wire';

type Assignable<A, B> = [A] extends [B] ? true : false;
type Mutual<A, B> = Assignable<A, B> extends true ? Assignable<B, A> : false;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** Same field names: mutual assignability alone misses an optional field one side lacks. */
type SameKeys<A, B> = Mutual<keyof A, keyof B>;
/** Per status variant, the same field names (false for any variant makes the result `boolean`). */
type SameVariantKeys<Ours extends { status: string }, Theirs extends { status: string }> = {
  [S in Theirs['status']]: SameKeys<Extract<Ours, { status: S }>, Extract<Theirs, { status: S }>>;
}[Theirs['status']];
/** Compiles only when T is exactly `true`. */
function check<T extends true>(): T | void {
  return undefined;
}

// Path and account parameters the SDK puts into its params objects; not part of any body or query.
// (Create is different: there `instance_id` is a body field, so only account_id is left out.)
type PathParams = 'account_id' | 'workflow_name' | 'instance_id';

// ---- enums ----
check<Mutual<InstanceListResponse['status'], KnownStatus>>(); // a new status in the SDK shows here
check<Mutual<NonNullable<InstanceListResponse['trigger_source']>, WireTriggerSource>>();
check<Assignable<WireTriggerSource, TriggerSource>>();
check<Assignable<InstanceGetResponse['steps'][number]['type'], WireStep['type']>>(); // a new step type shows here

// ---- requests we send ----
// Create: every SDK field except params and location_hint (not offered) is one we know, with the same type.
check<Mutual<Omit<CloudCreateInstanceBody, 'params'>, Omit<InstanceCreateParams, 'account_id' | 'params' | 'location_hint'>>>();
check<SameKeys<CloudCreateInstanceBody, Omit<InstanceCreateParams, 'account_id' | 'location_hint'>>>();
check<Mutual<Omit<CloudCreateInstanceBody, 'params'>, Omit<InstanceBulkParams.Body, 'params' | 'location_hint'>>>();
check<SameKeys<CloudCreateInstanceBody, Omit<InstanceBulkParams.Body, 'location_hint'>>>();
check<Assignable<InstanceCreateParams['params'], CloudCreateInstanceBody['params']>>();
// Status change: exactly the SDK's four variants.
check<Mutual<CloudStatusBody, DistributiveOmit<StatusEditParams, PathParams>>>();
check<SameVariantKeys<CloudStatusBody, DistributiveOmit<StatusEditParams, PathParams>>>();
// List: every query parameter but the deprecated page, with the same types.
check<Mutual<CloudListInstancesQuery, Omit<InstanceListParams, PathParams | 'page'>>>();
check<SameKeys<CloudListInstancesQuery, Omit<InstanceListParams, PathParams | 'page'>>>();
// Step output query.
check<Mutual<CloudStepQuery, Omit<InstanceStepParams, PathParams>>>();
check<SameKeys<CloudStepQuery, Omit<InstanceStepParams, PathParams>>>();
// Detail query options.
check<Assignable<GetInstanceOptions['order'], InstanceGetParams['order']>>();
// Events take any JSON body.
check<Assignable<unknown, EventCreateParams['body']>>();

// ---- responses we parse: whatever the SDK says can come back must fit our wire types ----
check<Assignable<InstanceListResponse, WireInstanceListItem>>();
check<Assignable<InstanceGetResponse, WireInstanceDetail>>();
check<Assignable<InstanceCreateResponse, CloudCreatedInstance>>();
check<Assignable<InstanceBulkResponse, CloudCreatedInstance>>();
check<Assignable<InstanceStepResponse, CloudStepOutput>>();
check<Assignable<StatusEditResponse, CloudStatusResult>>();
check<Assignable<WorkflowListResponse, WireWorkflow>>();
check<Assignable<WorkflowGetResponse, WireWorkflow>>();

describe('api: wire types vs the official cloudflare SDK', () => {
  // The checks above are types, so this runs the compiler on this file: no errors here, and the
  // same kind of check on a drifted pair must be an error (otherwise `check` could pass anything).
  it('type checks, and a drifted type fails the check', function () {
    this.timeout(120_000);
    const file = __filename;
    const probe = join(dirname(file), '__drift_probe__.ts');
    const probeText = [
      `import type { InstanceListResponse } from 'cloudflare/resources/workflows/instances/instances';`,
      `type Assignable<A, B> = [A] extends [B] ? true : false;`,
      `type Mutual<A, B> = Assignable<A, B> extends true ? Assignable<B, A> : false;`,
      `function check<T extends true>(): T | void { return undefined; }`,
      `check<Mutual<InstanceListResponse['status'], 'queued' | 'running'>>();`,
    ].join('\n');
    const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, skipLibCheck: true, esModuleInterop: true, types: ['node', 'mocha'], noEmit: true };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, ...rest) => (resolve(name) === probe ? ts.createSourceFile(name, probeText, lang) : getSourceFile(name, lang, ...rest));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => resolve(name) === probe || fileExists(name);
    const program = ts.createProgram([file, probe], options, host);
    const errors = (f: string) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(errors(file), [], 'our wire types match the SDK');
    const drift = errors(probe);
    assert.equal(drift.length, 1, drift.join('\n'));
    assert.match(drift[0], /does not satisfy the constraint 'true'/);
  });

  it('the SDK still has the Workflows methods whose shapes we mirror', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('cloudflare/resources/workflows/instances/instances') as { BaseInstances: { prototype: object } };
    for (const m of ['create', 'list', 'bulk', 'get', 'step']) assert.equal(typeof (mod.BaseInstances.prototype as Record<string, unknown>)[m], 'function', m);
  });
});
