// Loaded only when CFWF_SELFTEST=fail: a failing assertion that must turn the run red.
import * as assert from 'node:assert/strict';

describe('Harness self-test', () => {
  it('fails on purpose', () => {
    assert.equal(1 + 1, 3, 'deliberate failure');
  });
});
