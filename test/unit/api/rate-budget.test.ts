// The cloud request budget: a sliding window under Cloudflare's 1,200 per 5 minutes, reads stop first.
import * as assert from 'node:assert/strict';
import { cloudBackend, formatRetryAt, isApiError } from '../../../src/api';
import { RateBudget } from '../../../src/api/rate-budget';
import { expectApiError, mockAgent, ok, JSON_HEADERS } from './helpers';

function clock(start = Date.parse('2026-11-29T10:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('api/rate budget', () => {
  it('formats retry times as HH:MM, rounded up to the minute', () => {
    const d = new Date(2026, 10, 29, 9, 5, 10);
    assert.equal(formatRetryAt(d), '09:06');
    assert.equal(formatRetryAt(new Date(2026, 10, 29, 23, 59, 0)), '23:59');
  });

  it('defaults stay under 1,200 per 5 minutes, keeping a reserve for writes', async () => {
    const c = clock();
    const b = new RateBudget({ now: c.now, maxWaitMs: 0 });
    let reads = 0;
    for (;;) {
      try {
        await b.acquire('read');
        reads++;
      } catch (e) {
        assert.ok(isApiError(e, 'rateLimited'));
        break;
      }
    }
    assert.equal(reads, 1100);
    let writes = 0;
    while (b.tryTake('write')) writes++;
    assert.equal(writes, 80);
    assert.equal(reads + writes, 1180, 'never more than 1,200 minus headroom');
    assert.equal(b.snapshot().remaining, 0);
  });

  it('frees slots as the window slides', async () => {
    const c = clock();
    const b = new RateBudget({ now: c.now, limit: 10, headroom: 0, writeReserve: 2, windowMs: 60_000, maxWaitMs: 0 });
    for (let i = 0; i < 8; i++) {
      await b.acquire('read');
      c.advance(1000);
    }
    const e = await expectApiError(b.acquire('read'), 'rateLimited', /^Rate limited by Cloudflare; retry at \d\d:\d\d$/);
    // The oldest request (t=0) leaves the window at t=60 s.
    assert.equal(e.extra.retryAt?.getTime(), Date.parse('2026-11-29T10:01:00Z'));
    c.advance(60_000 - 8000 + 1);
    await b.acquire('read');
  });

  it('a read waits briefly for a slot when one frees soon', async () => {
    const b = new RateBudget({ limit: 1, headroom: 0, writeReserve: 0, windowMs: 80, maxWaitMs: 1000 });
    await b.acquire('read');
    const started = Date.now();
    await b.acquire('read');
    assert.ok(Date.now() - started >= 60, `waited ${Date.now() - started} ms`);
  });

  it('a write never waits: it fails fast with the retry time', async () => {
    const c = clock();
    const b = new RateBudget({ now: c.now, limit: 1, headroom: 0, writeReserve: 0, maxWaitMs: 5000 });
    await b.acquire('write');
    await expectApiError(b.acquire('write'), 'rateLimited');
  });

  it('blockUntil (a 429 from the server) stops everything until then', async () => {
    const c = clock();
    const b = new RateBudget({ now: c.now, maxWaitMs: 0 });
    b.blockUntil(c.now() + 90_000);
    await expectApiError(b.acquire('write'), 'rateLimited');
    assert.equal(b.snapshot().blockedUntil?.getTime(), c.now() + 90_000);
    c.advance(90_001);
    await b.acquire('write');
  });

  it('the cloud backend fails fast without sending once its budget is spent, and counts requests', async () => {
    const agent = mockAgent();
    agent.get('https://api.cloudflare.com').intercept({ path: (p) => p.includes('/workflows'), method: 'GET' }).reply(200, ok([]), JSON_HEADERS).times(3);
    const b = cloudBackend({ apiToken: 't', accountId: 'acc', dispatcher: agent, rateBudget: { limit: 5, headroom: 0, writeReserve: 2, maxWaitMs: 0 } });
    await b.listWorkflows();
    await b.listWorkflows();
    await b.listWorkflows();
    await expectApiError(b.listWorkflows(), 'rateLimited', /^Rate limited by Cloudflare; retry at/);
    const s = b.stats();
    assert.equal(s.requests, 3);
    assert.equal(s.budget?.used, 3);
    assert.equal(s.budget?.limit, 5);
    await b.close();
    await agent.close();
  });
});
