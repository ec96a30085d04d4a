// discoverLocalSessions: a session is reported the moment it answers, not when the slowest
// candidate (a port held by something that never answers) has timed out; such a port is not a session.
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { discoverLocalSessions, findFreePort } from '../../../src/connections/discovery';

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('connections/discovery discoverLocalSessions', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('reports an answering session before a hanging candidate times out, and leaves the hanging one out', async () => {
    const session = await listen((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/cdn-cgi/local/explorer/api/workflows' ? '{"success":true,"result":[]}' : '{"success":false}');
    });
    const hanging = await listen(() => {
      /* never answers */
    });
    servers.push(session.server, hanging.server);
    let settled = false;
    const heard: { url: string; whileProbing: boolean }[] = [];
    const found = await discoverLocalSessions([hanging.url, session.url], 400, (url) => heard.push({ url, whileProbing: !settled })).finally(() => (settled = true));
    assert.ok(found.includes(session.url), 'the session is found');
    assert.ok(!found.includes(hanging.url), 'a port that never answers is no session');
    const mine = heard.filter((h) => h.url === session.url || h.url === hanging.url);
    assert.deepEqual(mine, [{ url: session.url, whileProbing: true }], 'heard of the session once, before the probe ended');
  });
});

describe('connections/discovery findFreePort', () => {
  it('skips a port something listens on and returns the next bindable one; none when all are taken', async () => {
    const { server, url } = await listen((_req, res) => res.end());
    const busy = Number(new URL(url).port);
    const other = await listen((_req, res) => res.end());
    const busy2 = Number(new URL(other.url).port);
    try {
      // A port just released by a probe server: bindable.
      const probe = createServer();
      const freeOne = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)));
      await new Promise((r) => probe.close(r));
      assert.equal(await findFreePort([busy, freeOne]), freeOne);
      assert.equal(await findFreePort([busy, busy2]), undefined);
    } finally {
      server.close();
      other.server.close();
    }
  });
});
