// Loopback is decided on the host as WHATWG URL parses it (what undici connects to), not on the text.
import * as assert from 'node:assert/strict';
import { httpHost, isLoopback } from '../../../src/api';

describe('api/address: isLoopback', () => {
  const loopback = [
    'http://127.0.0.1:8787',
    'http://127.5.6.7/',
    'http://localhost:8787',
    'http://LOCALHOST:8787',
    'http://[::1]:8787',
    'http://[0:0:0:0:0:0:0:1]:8787',
    // WHATWG URL normalises these IPv4 spellings to 127.0.0.1, and that is where the request goes.
    'http://0x7f.1:8787',
    'http://2130706433/',
    'http://127.1/',
    'https://127.0.0.1/',
  ];
  const notLoopback = [
    'http://127.0.0.1.attacker.example:8787',
    'http://127.0.0.1.nip.io/',
    'http://localhost.attacker.example/',
    'http://attacker.example/?127.0.0.1',
    'http://attacker.example/#@127.0.0.1',
    'http://127.0.0.1@attacker.example/',
    'http://128.0.0.1/',
    'http://0.0.0.0:8787',
    'http://[::2]/',
    'http://[::ffff:10.0.0.1]/',
    'http://10.0.0.5:8787',
    'file:///etc/passwd',
    'ftp://127.0.0.1/',
    'javascript:alert(1)//127.0.0.1',
    '127.0.0.1:8787',
    'not a url',
    '',
  ];
  for (const u of loopback) it(`${u} is loopback`, () => assert.equal(isLoopback(u), true));
  for (const u of notLoopback) it(`${JSON.stringify(u)} is not loopback`, () => assert.equal(isLoopback(u), false));

  it('reads the host without brackets and only for http(s)', () => {
    assert.equal(httpHost('http://[::1]:1/'), '::1');
    assert.equal(httpHost('http://0x7f.1/'), '127.0.0.1');
    assert.equal(httpHost('ws://127.0.0.1/'), undefined);
  });
});
