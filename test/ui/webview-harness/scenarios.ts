// Instances for the harness: realistic ones for screenshots and the demo page, hostile and huge ones for tests.
import { allowedActions, canSendEvent, isFinal } from '../../../src/model/status';
import type { InstanceDetails } from '../../../src/model/types';
import type { HostToWebview, InstanceMeta, PanelTarget } from '../../../src/webview/protocol';
import { bulkInstance, InstanceBuilder } from '../../unit/model/builders';

export const TARGET: PanelTarget = { connectionId: 'local:8787', connectionLabel: 'wrangler dev · 127.0.0.1:8787', workflow: 'order-pipeline', id: 'order-7f3a9c' };

export function metaFor(details: InstanceDetails, overrides: Partial<InstanceMeta> = {}): InstanceMeta {
  return {
    connectionLabel: TARGET.connectionLabel,
    workflow: details.workflow,
    id: details.id,
    actions: allowedActions(details.status),
    canSendEvent: canSendEvent(details.status),
    live: !isFinal(details.status),
    capabilities: { stepOutput: true, restartFromStep: true, goToSource: true },
    fetchedAt: Date.now(),
    ...overrides,
  };
}

export function instanceMessage(details: InstanceDetails, overrides: Partial<InstanceMeta> = {}): HostToWebview {
  return { type: 'instance', details, meta: metaFor(details, overrides) };
}

/** The order pipeline from the fixture Worker: retries, a sleep, odd characters, a received event. */
export function orderPipeline(): InstanceDetails {
  const b = new InstanceBuilder({ workflow: 'order-pipeline', id: 'order-7f3a9c', params: { orderId: 'A-1001', items: [{ sku: 'KB-01', qty: 2 }, { sku: 'MS-07', qty: 1 }], express: true }, queuedFor: 12 });
  b.do('load order', { attempts: [{ ms: 38 }], output: { orderId: 'A-1001', items: 3, total: 42.5 } })
    .do('reserve stock', {
      attempts: [{ ms: 120, fail: 'warehouse busy (attempt 1)' }, { after: 250, ms: 95, fail: 'warehouse busy (attempt 2)' }, { after: 500, ms: 140 }],
      retries: { limit: 3, delay: '250 millis', backoff: 'exponential' },
      timeout: '30 seconds',
      output: { reserved: 3 },
    })
    .sleep('cool down', 1000)
    .do('ünïcødé ✓ 数据 <b>&amp;</b> "quotes"', { attempts: [{ ms: 24 }], output: 'special characters survive' })
    .do('render invoice', { attempts: [{ ms: 310 }], output: { invoice: 'INV-2026-0042', pages: 2, lines: [{ sku: 'KB-01', price: 19.5 }, { sku: 'MS-07', price: 3.5 }] } })
    .waitForEvent('wait for approval', { ms: 1800, received: { type: 'approval', payload: { approved: true, by: 'dana@example.com' } } })
    .do('charge card', { attempts: [{ ms: 80, fail: 'card declined: insufficient funds' }, { after: 1000, ms: 60, fail: 'card declined: insufficient funds' }, { after: 2000, ms: 70, fail: 'card declined: insufficient funds' }], retries: { limit: 2, delay: 1000, backoff: 'exponential' }, failed: true });
  return b.build('errored', { error: { name: 'Error', message: 'card declined: insufficient funds' }, output: null, trigger: { source: 'api' }, versionId: '5c1e0d4a-9b7e-4f0e-8a51-3c2b7a6f9e10' });
}

/** A running instance waiting for its next retry, then for an event. */
export function runningInstance(now = Date.now()): InstanceDetails {
  const b = new InstanceBuilder({ workflow: 'approval-gate', id: 'gate-42', start: now - 6000, params: { requester: 'alice' } });
  b.do('request approval', { attempts: [{ ms: 40 }], output: { requester: 'alice' } }).do('notify slack', { attempts: [{ ms: 200, fail: 'ETIMEDOUT' }], retries: { limit: 5, delay: '10 seconds', backoff: 'linear' }, open: true });
  return b.build('running');
}

export { bulkInstance };
