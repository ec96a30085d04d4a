// Is a URL on this machine? Decided on the host as WHATWG URL parses it (the same parse undici
// connects with), never on the text: "127.0.0.1.attacker.example" is a DNS name, not loopback, and
// "http://0x7f.1" is normalised to 127.0.0.1 by the parser, so it is loopback, as the request would be.
import { isIP } from 'node:net';

/** The parsed hostname without IPv6 brackets, or undefined for anything that is not an http(s) URL. */
export function httpHost(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return u.hostname.startsWith('[') && u.hostname.endsWith(']') ? u.hostname.slice(1, -1) : u.hostname;
}

/** 127.0.0.0/8, ::1 and `localhost`; everything else (other names, other addresses) is not loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  const family = isIP(h);
  if (family === 4) return h.split('.')[0] === '127';
  if (family === 6) return h === '::1';
  return false;
}

export function isLoopback(url: string): boolean {
  const host = httpHost(url);
  return host !== undefined && isLoopbackHost(host);
}
