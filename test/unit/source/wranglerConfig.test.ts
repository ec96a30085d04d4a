import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWranglerConfig } from '../../../src/model/wranglerConfig';

describe('wrangler config reader', () => {
  it('reads the fixture wrangler.jsonc (comments and all)', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'fixtures', 'workers', 'wrangler.jsonc'), 'utf8');
    const c = parseWranglerConfig('wrangler.jsonc', text);
    assert.equal(c.name, 'workflows-fixture');
    assert.deepEqual(c.workflows.map((w) => `${w.name}=${w.className}`), ['order-pipeline=OrderPipeline', 'flaky-payments=FlakyPayments', 'approval-gate=ApprovalGate', 'bulk-import=BulkImport', 'long-sleeper=LongSleeper', 'hostile-text=HostileText']);
  });

  it('reads wrangler.toml [[workflows]] tables, including script_name for a class in another Worker', () => {
    const toml = `name = "api" # the worker
main = "src/index.ts"

[vars]
name = "not the worker name"

[[workflows]]
name = "billing"
binding = "BILLING"
class_name = "BillingFlow"

[[workflows]]
name = 'reports'
binding = "REPORTS"
class_name = "ReportFlow"
script_name = "reports-worker"
`;
    const c = parseWranglerConfig('wrangler.toml', toml);
    assert.equal(c.name, 'api');
    assert.deepEqual(c.workflows, [
      { name: 'billing', binding: 'BILLING', className: 'BillingFlow', scriptName: undefined },
      { name: 'reports', binding: 'REPORTS', className: 'ReportFlow', scriptName: 'reports-worker' },
    ]);
  });

  it('tolerates trailing commas and ignores malformed files', () => {
    assert.equal(parseWranglerConfig('wrangler.json', '{"workflows":[{"name":"a","class_name":"A",},],}').workflows.length, 1);
    assert.deepEqual(parseWranglerConfig('wrangler.json', '{not json').workflows, []);
  });

  it('reads account_id (top level only) from JSONC and TOML, for the account-owned token picker', () => {
    assert.equal(parseWranglerConfig('wrangler.jsonc', '{ // c\n "account_id": "0123456789abcdef0123456789abcdef", "workflows": [] }').accountId, '0123456789abcdef0123456789abcdef');
    assert.equal(parseWranglerConfig('wrangler.toml', 'name = "w"\naccount_id = "abc123"\n[[workflows]]\nname = "x"\nclass_name = "X"\naccount_id = "inner"\n').accountId, 'abc123');
    assert.equal(parseWranglerConfig('wrangler.toml', '[env.prod]\naccount_id = "prod"\n').accountId, undefined);
    assert.equal(parseWranglerConfig('wrangler.json', '{"account_id": 5}').accountId, undefined);
  });
});
