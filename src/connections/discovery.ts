// Finds local `wrangler dev` sessions without configuration: wrangler takes 8787 and moves to the
// next free port, so probe 8787–8797 on loopback (and any URLs the user configured).
import { LOCAL_API_PATHS } from '../api';
import { undici } from '../api/undici';

export const DEFAULT_PORTS = Array.from({ length: 11 }, (_, i) => 8787 + i);

export { isLoopback } from '../api';

async function answers(baseUrl: string, timeoutMs: number): Promise<boolean> {
  for (const path of LOCAL_API_PATHS) {
    try {
      const res = await undici().request(`${baseUrl}${path}/workflows`, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.body.text();
      if (res.statusCode === 200 && text.includes('"success":true')) return true;
    } catch {
      /* nothing there */
    }
  }
  return false;
}

/**
 * Returns the base URLs (no API path) of the sessions that answer. All candidates are probed at once;
 * `onFound` hears of each session as soon as it answers, so a caller need not wait for the slowest
 * candidate (a port held by something that never answers costs the whole timeout).
 */
export async function discoverLocalSessions(extraUrls: string[], timeoutMs = 600, onFound?: (baseUrl: string) => void): Promise<string[]> {
  const candidates = [...new Set([...DEFAULT_PORTS.map((p) => `http://127.0.0.1:${p}`), ...extraUrls.map((u) => u.replace(/\/+$/, ''))])];
  const found = await Promise.all(
    candidates.map(async (u) => {
      if (!(await answers(u, timeoutMs))) return undefined;
      onFound?.(u);
      return u;
    }),
  );
  return found.filter((u): u is string => u !== undefined);
}

/** The first of `ports` that can be bound on loopback right now (nothing listens there), if any. */
export async function findFreePort(ports: readonly number[]): Promise<number | undefined> {
  const { createServer } = await import('node:net');
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  return undefined;
}
