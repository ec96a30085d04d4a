// The API token must never show up in an error, its message, its JSON, util.inspect of it, or of the
// backend object, whatever goes wrong.
import * as assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { cloudBackend, listAccounts, verifyToken, type CloudWorkflowsBackend } from '../../../src/api';
import { fail, JSON_HEADERS, mockAgent, ok, sendJson, testServer, type TestServer } from './helpers';

const TOKEN = 'cfut_SECRET_sEcReT_0123456789abcdefABCDEF';
const needles = [TOKEN, 'SECRET', 'sEcReT', '0123456789abcdefABCDEF'];

function assertClean(what: string, value: unknown): void {
  const views = [inspect(value, { depth: 10, showHidden: true, getters: true }), JSON.stringify(value) ?? '', String(value)];
  if (value instanceof Error) views.push(value.message, value.stack ?? '');
  for (const v of views) for (const n of needles) assert.ok(!v.includes(n), `${what} leaks the token: ${v.slice(0, 300)}`);
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected a failure');
}

describe('api: the token never leaks', () => {
  let srv: TestServer;
  let b: CloudWorkflowsBackend;
  let mode = 'ok';
  beforeEach(async () => {
    srv = await testServer((req, res, _body, socket) => {
      // Echo-happy server: it repeats the Authorization header in its error text, as a broken proxy might.
      const echoed = `bad token ${String(req.headers.authorization)}`;
      if (mode === '401') sendJson(res, 401, fail(10000, 'Authentication error'));
      else if (mode === '403') sendJson(res, 403, fail(10000, 'Authentication error'));
      else if (mode === '500') sendJson(res, 500, fail(10001, 'internal'), { 'cf-ray': 'ray-1' });
      else if (mode === 'html') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(`<html>${echoed}</html>`);
      } else if (mode === 'reset') socket.destroy();
      else if (mode === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"success":tru');
      } else sendJson(res, 200, ok([]));
    });
    b = cloudBackend({ apiToken: TOKEN, accountId: 'acc', baseUrl: `${srv.url}/client/v4`, retry: { maxRetries: 1, baseDelayMs: 5 }, rateBudget: false });
  });
  afterEach(async () => {
    await b.close();
    await srv.close();
  });

  it('the backend object does not show it (inspect, JSON, keys)', () => {
    assertClean('backend', b);
    assert.ok(!Object.keys(b).some((k) => /token/i.test(k)));
    assertClean('describe()', b.describe());
  });

  for (const m of ['401', '403', '500', 'html', 'reset', 'garbage']) {
    it(`errors on ${m} do not show it`, async () => {
      mode = m;
      const e1 = await caught(b.listWorkflows());
      const e2 = await caught(b.createInstance('wf', { id: 'x', params: { token: 'not-it' } }));
      const e3 = await caught(verifyToken({ apiToken: TOKEN, baseUrl: `${srv.url}/client/v4`, retry: { maxRetries: 0 } }));
      for (const e of [e1, e2, e3]) assertClean(`error (${m})`, e);
    });
  }

  it('a rejected token format is reported without the token', async () => {
    const bad = `${TOKEN}\n`;
    // Trailing whitespace is trimmed; an inner line break or "…" is refused without echoing.
    assert.doesNotThrow(() => cloudBackend({ apiToken: bad, accountId: 'acc' }));
    for (const t of [`${TOKEN}…`, `${TOKEN.slice(0, 10)}\n${TOKEN.slice(10)}`]) {
      let err: unknown;
      try {
        cloudBackend({ apiToken: t, accountId: 'acc' });
      } catch (e) {
        err = e;
      }
      assert.ok(err);
      assertClean('format error', err);
    }
  });

  it('MockAgent view: the token is sent, and only in the Authorization header', async () => {
    const agent = mockAgent();
    let seen: Record<string, string> = {};
    let path = '';
    agent
      .get('https://api.cloudflare.com')
      .intercept({ path: (p) => p.startsWith('/client/v4/accounts'), method: 'GET' })
      .reply((opts) => {
        seen = opts.headers as Record<string, string>;
        path = opts.path;
        return { statusCode: 200, data: ok([{ id: 'a', name: 'A' }], { page: 1, total_pages: 1 }), responseOptions: JSON_HEADERS };
      });
    await listAccounts({ apiToken: TOKEN, dispatcher: agent });
    assert.equal(seen.authorization, `Bearer ${TOKEN}`);
    assert.ok(!path.includes(TOKEN));
    await agent.close();
  });
});
