// Which verify endpoint accepts a token: user first, the account endpoint of each candidate account
// when the user endpoint refuses it (an account-owned token), and no fallback on other errors.
import * as assert from 'node:assert/strict';
import type { MockAgent } from 'undici';
import { verifyCredential } from '../../../src/api';
import { expectApiError, fail, JSON_HEADERS, mockAgent, ok } from './helpers';

const ORIGIN = 'https://api.cloudflare.com';
const ACC = '0123456789abcdef0123456789abcdef';
const TOKEN = 'account-token-SECRET-0123456789';

describe('api/auth verifyCredential (mocked API)', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = mockAgent();
  });
  afterEach(async () => {
    await agent.close();
  });
  const pool = () => agent.get(ORIGIN);

  it('a user token answers at /user/tokens/verify and the account endpoint is not asked', async () => {
    pool().intercept({ path: '/client/v4/user/tokens/verify', method: 'GET' }).reply(200, ok({ id: 't', status: 'active' }), JSON_HEADERS);
    assert.deepEqual(await verifyCredential({ apiToken: TOKEN, dispatcher: agent }, [ACC]), { verification: { id: 't', status: 'active' }, endpoint: 'user' });
  });

  it('an account-owned token refused by the user endpoint is verified at /accounts/{id}/tokens/verify', async () => {
    pool().intercept({ path: '/client/v4/user/tokens/verify', method: 'GET' }).reply(401, fail(1000, 'Invalid API Token'), JSON_HEADERS);
    pool().intercept({ path: '/client/v4/accounts/other/tokens/verify', method: 'GET' }).reply(401, fail(1000, 'Invalid API Token'), JSON_HEADERS);
    pool().intercept({ path: `/client/v4/accounts/${ACC}/tokens/verify`, method: 'GET' }).reply(200, ok({ id: 't', status: 'active' }), JSON_HEADERS);
    const v = await verifyCredential({ apiToken: TOKEN, dispatcher: agent }, ['other', ACC]);
    assert.deepEqual(v, { verification: { id: 't', status: 'active' }, endpoint: 'account', accountId: ACC });
  });

  it('account first when the connection is known to hold an account token; falls back to the user endpoint', async () => {
    const order: string[] = [];
    pool().intercept({ path: `/client/v4/accounts/${ACC}/tokens/verify`, method: 'GET' }).reply(() => (order.push('account'), { statusCode: 401, data: fail(1000, 'Invalid API Token'), responseOptions: JSON_HEADERS }));
    pool().intercept({ path: '/client/v4/user/tokens/verify', method: 'GET' }).reply(() => (order.push('user'), { statusCode: 200, data: ok({ id: 't', status: 'active' }), responseOptions: JSON_HEADERS }));
    assert.equal((await verifyCredential({ apiToken: TOKEN, dispatcher: agent }, [ACC], true)).endpoint, 'user');
    assert.deepEqual(order, ['account', 'user']);
  });

  it('refused everywhere: auth, saying what to give; without candidates it asks for the account id', async () => {
    pool().intercept({ path: '/client/v4/user/tokens/verify', method: 'GET' }).reply(401, fail(1000, 'Invalid API Token'), JSON_HEADERS).times(2);
    pool().intercept({ path: `/client/v4/accounts/${ACC}/tokens/verify`, method: 'GET' }).reply(401, fail(1000, 'Invalid API Token'), JSON_HEADERS);
    await expectApiError(verifyCredential({ apiToken: TOKEN, dispatcher: agent }, []), 'auth', /give the account ID/);
    const e = await expectApiError(verifyCredential({ apiToken: TOKEN, dispatcher: agent }, [ACC]), 'auth', /neither as a user token nor as an account token/);
    assert.ok(!e.message.includes(TOKEN));
  });

  it('a network or server error is not a reason to try the other endpoint', async () => {
    pool().intercept({ path: '/client/v4/user/tokens/verify', method: 'GET' }).reply(500, fail(10000, 'boom'), JSON_HEADERS).times(5);
    await expectApiError(verifyCredential({ apiToken: TOKEN, dispatcher: agent, retry: { maxRetries: 0 } }, [ACC]), 'server');
  });

  it('an account id that is not one never reaches a URL path', async () => {
    pool().intercept({ path: '/client/v4/user/tokens/verify', method: 'GET' }).reply(401, fail(1000, 'Invalid API Token'), JSON_HEADERS);
    await expectApiError(verifyCredential({ apiToken: TOKEN, dispatcher: agent }, ['../user']), 'invalidInput');
  });
});
