// Pure mapping from wire shapes to domain types: tolerant of extra fields and new values, strict about
// what the UI relies on.
import * as assert from 'node:assert/strict';
import {
  parseBatchDelete,
  parseCounts,
  parseCreated,
  parseCreatedBatch,
  parseEnvelope,
  parseInstanceDetails,
  parseInstanceList,
  parseStep,
  parseStepOutput,
  parseTokenVerify,
  parseWorkflowDetails,
  parseWorkflowList,
  ShapeError,
  parseVersions,
} from '../../../src/api/parse';

describe('api/parse', () => {
  describe('envelope', () => {
    it('reads success, errors, result and result_info', () => {
      const e = parseEnvelope({ success: true, errors: [], messages: [], result: [1], result_info: { cursor: 'c' }, extra: 1 });
      assert.deepEqual(e, { success: true, errors: [], result: [1], resultInfo: { cursor: 'c' }, messages: [] });
    });
    it('reads the envelope messages (bounded)', () => {
      const e = parseEnvelope({ success: true, errors: [], messages: [{ code: 10100, message: 'page is deprecated' }, ...Array.from({ length: 20 }, () => 'x')], result: null });
      assert.deepEqual(e.messages[0], { code: 10100, message: 'page is deprecated' });
      assert.equal(e.messages.length, 10);
    });
    it('accepts the non-standard {code, error} error shape', () => {
      const e = parseEnvelope({ success: false, errors: [{ code: 7, error: 'boom' }] });
      assert.deepEqual(e.errors, [{ code: 7, message: 'boom' }]);
    });
    it('rejects a body that is not an envelope', () => {
      assert.throws(() => parseEnvelope('hello'), ShapeError);
      assert.throws(() => parseEnvelope([]), ShapeError);
      assert.throws(() => parseEnvelope({ result: 1 }), /success/);
    });
  });

  describe('workflows', () => {
    it('maps a local list without counts and a cloud list with counts', () => {
      const list = parseWorkflowList([
        { name: 'a', class_name: 'A', script_name: 's' },
        { name: 'b', id: 'uuid', class_name: 'B', script_name: 's', created_on: 't1', modified_on: 't2', triggered_on: null, instances: { running: 2, rollingBack: 1, brandNew: 5 } },
      ]);
      assert.deepEqual(list[0], { name: 'a', className: 'A', scriptName: 's' });
      assert.equal(list[1].instances?.running, 2);
      assert.equal(list[1].instances?.rollingBack, 1);
      assert.equal(list[1].instances?.complete, 0, 'missing keys count as 0');
      assert.equal(list[1].createdOn, 't1');
    });
    it('fills all nine counts on details', () => {
      const d = parseWorkflowDetails({ name: 'a', instances: { complete: 3 } });
      assert.deepEqual(Object.keys(d.instances).sort(), Object.keys(parseCounts({})).sort());
      assert.equal(d.instances.complete, 3);
      assert.equal(parseWorkflowDetails({ name: 'x' }).instances.running, 0);
    });
    it('requires a name', () => {
      assert.throws(() => parseWorkflowList([{ class_name: 'A' }]), /result\[0\]\.name/);
    });
  });

  describe('instances', () => {
    it('maps list items; unknown or missing status becomes unknown', () => {
      const list = parseInstanceList([
        { id: 'a', status: 'complete', created_on: 'c', modified_on: 'm', started_on: null, ended_on: 'e', version_id: 'v', workflow_id: 'w', trigger_source: 'cron', future: true },
        { id: 'b', status: 'hibernating' },
        { id: 'c' },
      ]);
      assert.deepEqual(list[0], { id: 'a', status: 'complete', createdOn: 'c', modifiedOn: 'm', startedOn: null, endedOn: 'e', versionId: 'v', triggerSource: 'cron' });
      assert.equal(list[1].status, 'unknown');
      assert.equal(list[2].status, 'unknown');
    });
    it('requires string ids', () => {
      assert.throws(() => parseInstanceList([{ id: 5 }]), /result\[0\]\.id/);
      assert.throws(() => parseInstanceList({}), /array/);
    });

    it('maps a local detail, filling id and workflow', () => {
      const d = parseInstanceDetails(
        {
          status: 'running',
          params: { a: 1 },
          queued: 'q',
          start: 's',
          end: null,
          output: null,
          error: null,
          steps: [
            {
              name: 'reserve stock-1',
              start: 's1',
              end: 'e1',
              success: true,
              type: 'step',
              output: { reserved: 3 },
              config: { retries: { limit: 3, backoff: 'constant', delay: 50 }, timeout: '30 seconds' },
              attempts: [
                { start: 'a1', end: 'b1', success: false, error: { name: 'Error', message: 'warehouse busy' } },
                { start: 'a2', end: 'b2', success: true, error: null },
              ],
            },
            { name: 'cool down-1', start: 's2', end: 'e2', finished: true, type: 'sleep', error: null },
            { name: 'wait for approval-1', start: 's3', end: null, finished: false, type: 'waitForEvent', error: null, output: null },
          ],
          step_count: 3,
        },
        { id: 'order-1', workflow: 'order-pipeline' },
      );
      assert.equal(d.id, 'order-1');
      assert.equal(d.workflow, 'order-pipeline');
      assert.equal(d.status, 'running');
      assert.equal(d.stepCount, 3);
      assert.deepEqual(d.params, { a: 1 });
      const [doStep, sleep, wait] = d.steps;
      assert.equal(doStep.type, 'step');
      if (doStep.type === 'step') {
        assert.equal(doStep.attempts.length, 2);
        assert.equal(doStep.attempts[0].error?.message, 'warehouse busy');
        assert.equal(doStep.config?.retries?.delay, 50);
        assert.deepEqual(doStep.output, { reserved: 3 });
      }
      assert.deepEqual(sleep, { type: 'sleep', name: 'cool down-1', start: 's2', end: 'e2', finished: true, error: null });
      assert.equal(wait.type, 'waitForEvent');
      if (wait.type === 'waitForEvent') assert.equal(wait.end, null);
    });

    it('maps a production detail: versionId, trigger, success, rollback, termination and rollback steps', () => {
      const d = parseInstanceDetails(
        {
          status: 'terminated',
          versionId: 'v1',
          trigger: { source: 'api' },
          success: false,
          queued: 'q',
          start: 's',
          end: 'e',
          output: 42,
          error: { name: 'Terminated', message: 'by user' },
          rollback: { outcome: 'complete', error: null },
          schedule: { cron: '* * * * *', scheduledTime: 1 },
          step_count: 3,
          steps: [
            { type: 'rollback', name: 'undo-1', start: 's', end: 'e', success: true, output: null, attempts: [], config: { retries: { limit: 1, delay: '[dynamic]' }, timeout: 1000, sensitive: 'output' } },
            { type: 'waitForEvent', name: 'w-1', start: 's', end: 'e', finished: true, error: null, event_type: 'approval', output: '{"ok":true}' },
            { type: 'termination', trigger: { source: 'api' } },
          ],
        },
        { id: 'x', workflow: 'w' },
      );
      assert.equal(d.versionId, 'v1');
      assert.deepEqual(d.trigger, { source: 'api' });
      assert.equal(d.success, false);
      assert.deepEqual(d.rollback, { outcome: 'complete', error: null });
      assert.equal(d.steps[0].type, 'rollback');
      if (d.steps[0].type === 'rollback') assert.equal(d.steps[0].config?.sensitive, 'output');
      assert.equal(d.steps[1].type === 'waitForEvent' && d.steps[1].eventType, 'approval', 'event_type → eventType');
      assert.deepEqual(d.steps[2], { type: 'termination', trigger: { source: 'api' } });
    });

    it('keeps unknown step types as {type: unknown, rawType, raw}', () => {
      const raw = { type: 'parallel', name: 'fan-out-1', start: 's', end: null, branches: 3 };
      const s = parseStep(raw, 'steps[0]');
      assert.deepEqual(s, { type: 'unknown', rawType: 'parallel', raw, name: 'fan-out-1', start: 's', end: null });
      assert.equal(parseStep({ name: 'x' }, 'p').type, 'unknown');
    });

    it('drops optional fields of the wrong type instead of passing them on', () => {
      const d = parseInstanceDetails({ status: 'complete', start: 12, end: true, success: 'yes', steps: [{ type: 'sleep', name: 'n', start: 5, finished: 'no' }] }, { id: 'a', workflow: 'b' });
      assert.equal(d.start, undefined);
      assert.equal(d.end, undefined);
      assert.equal(d.success, undefined);
      assert.deepEqual(d.steps[0], { type: 'sleep', name: 'n' });
      assert.equal(d.stepCount, 1, 'step_count falls back to the number of steps');
    });

    it('rejects what would crash later', () => {
      assert.throws(() => parseInstanceDetails(null, { id: 'a', workflow: 'b' }), ShapeError);
      assert.throws(() => parseInstanceDetails({ status: 'running', steps: 'many' }, { id: 'a', workflow: 'b' }), /steps/);
      assert.throws(() => parseInstanceDetails({ steps: [null] }, { id: 'a', workflow: 'b' }), /steps\[0\]/);
    });
  });

  describe('other results', () => {
    it('created instances, single and batch', () => {
      assert.deepEqual(parseCreated({ id: 'a' }), { id: 'a' });
      assert.deepEqual(parseCreated({ id: 'a', status: 'queued', version_id: 'v', workflow_id: 'w', trigger_source: 'api' }), { id: 'a', status: 'queued', versionId: 'v', workflowId: 'w', triggerSource: 'api' });
      assert.deepEqual(parseCreatedBatch([{ id: 'a' }, { id: 'b' }]), { created: [{ id: 'a' }, { id: 'b' }], unreadable: [] });
      // An unreadable item is reported by position; only a non-list is a shape error.
      assert.deepEqual(parseCreatedBatch([{ id: 'a' }, { nope: 1 }, null]), { created: [{ id: 'a' }], unreadable: [1, 2] });
      assert.throws(() => parseCreatedBatch({ id: 'a' }), ShapeError);
    });
    it('workflow id, triggered_on, schedules (bounded, malformed entries dropped) and versions', () => {
      const w = parseWorkflowDetails({ name: 'w', id: 'u', triggered_on: null, schedules: [{ cron: '*/5 * * * *', next_instance: '2026-12-02T00:05:00Z' }, { cron: 5 }, null, { cron: '0 0 * * *' }], instances: {} });
      assert.equal(w.id, 'u');
      assert.equal(w.triggeredOn, null);
      assert.deepEqual(w.schedules, [{ cron: '*/5 * * * *', nextInstance: '2026-12-02T00:05:00Z' }, { cron: '0 0 * * *' }]);
      assert.deepEqual(parseVersions([{ id: 'v1', class_name: 'C', created_on: 't', language: 'python', has_dag: true, extra: 1 }]), [{ id: 'v1', className: 'C', createdOn: 't', language: 'python', hasDag: true }]);
      assert.throws(() => parseVersions([{ class_name: 'C' }]), /result\[0\]\.id/);
    });
    it('batch delete outcomes', () => {
      const r = parseBatchDelete({ deleted: [{ id: 'a' }], errors: [{ id: 'b', code: 10400, message: 'workflows.api.error.instance.not_found' }, { id: 'c', code: 10001, message: 'boom' }] });
      assert.deepEqual(r, { deleted: ['a'], failed: [{ id: 'b', message: 'Instance not found.' }, { id: 'c', message: 'boom [10001]' }] });
    });
    it('step output', () => {
      assert.deepEqual(parseStepOutput({ status: 'complete', error: null, output: { big: true }, event_type: 'e' }), { status: 'complete', error: null, output: { big: true }, eventType: 'e' });
    });
    it('token verification', () => {
      assert.deepEqual(parseTokenVerify({ id: 't', status: 'active', expires_on: 'x' }), { id: 't', status: 'active', expiresOn: 'x' });
      assert.throws(() => parseTokenVerify({ id: 't' }), /status/);
    });
  });
});
