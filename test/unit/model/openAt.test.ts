import { strict as assert } from 'node:assert';
import { stepToOpenAt } from '../../../src/model/openAt';
import { buildTimeline } from '../../../src/model/timeline';
import type { InstanceDetails } from '../../../src/model/types';
import { InstanceBuilder } from './builders';

const at = (d: InstanceDetails) => stepToOpenAt(buildTimeline(d, { now: Date.now(), hideIdle: false }), d.status);

describe('stepToOpenAt (where an instance view opens)', () => {
  it('errored: the step that failed, not the last step', () => {
    const d = new InstanceBuilder().do('load').do('charge', { attempts: [{ ms: 5, fail: 'declined' }, { ms: 5, fail: 'declined' }], failed: true }).build('errored');
    assert.equal(at(d), 'charge-1');
  });

  it('errored after a failure that was retried successfully: the final failure', () => {
    const d = new InstanceBuilder().do('flaky', { attempts: [{ ms: 5, fail: 'busy' }, { ms: 5 }] }).do('ship', { attempts: [{ ms: 5, fail: 'gone' }], failed: true }).do('after').build('errored');
    assert.equal(at(d), 'ship-1');
  });

  it('running: the step in progress', () => {
    const d = new InstanceBuilder().do('load').do('work', { attempts: [{}] }).build('running');
    assert.equal(at(d), 'work-1');
  });

  it('running while retrying: the retrying step', () => {
    const d = new InstanceBuilder().do('load').do('charge', { attempts: [{ ms: 5, fail: 'busy' }], open: true }).build('running');
    assert.equal(at(d), 'charge-1');
  });

  it('waiting: the wait it is blocked on', () => {
    const d = new InstanceBuilder().do('load').waitForEvent('approval', { eventType: 'decision' }).build('waiting');
    assert.equal(at(d), 'approval-1');
  });

  it('complete: no step is forced on the user', () => {
    const d = new InstanceBuilder().do('load').do('ship').build('complete');
    assert.equal(at(d), undefined);
  });
});
