// Seeds the fixture engine with instances that end in, or sit in, every status the local engine
// can reach. Plain fetch on purpose: the seed must not depend on the code it helps to test.
// (`queued` and `waitingForPause` are transient locally and cannot be held for a test.)

export const SEEDED = [
  { workflow: 'order-pipeline', id: 'order-complete', params: { orderId: 'A-1', approvalTimeout: '1 second' }, expect: 'complete' },
  { workflow: 'order-pipeline', id: 'order-waiting', params: { orderId: 'A-2', approvalTimeout: '1 hour' }, expect: 'running' },
  { workflow: 'flaky-payments', id: 'payment-errored', params: { amount: 99 }, expect: 'errored' },
  { workflow: 'approval-gate', id: 'approval-waiting', params: { requester: 'alice' }, expect: 'running' },
  { workflow: 'long-sleeper', id: 'sleeper-running', params: { minutes: 600 }, expect: 'running' },
  { workflow: 'long-sleeper', id: 'sleeper-paused', params: { minutes: 600 }, action: 'pause', expect: 'paused' },
  { workflow: 'long-sleeper', id: 'sleeper-terminated', params: { minutes: 600 }, action: 'terminate', expect: 'terminated' },
  { workflow: 'bulk-import', id: 'bulk-300', params: { count: 300 }, expect: 'complete' },
  // Hostile text in step names, errors, outputs and an event type (the display tests need it).
  { workflow: 'hostile-text', id: 'hostile-errored', params: { fail: true }, expect: 'errored' },
  { workflow: 'hostile-text', id: 'hostile-waiting', params: { wait: true }, expect: 'running' },
  // As odd an id as the engine takes: ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$, 100 characters at most.
  { workflow: 'hostile-text', id: `_-${'_-'.repeat(49)}`, params: { fail: true }, expect: 'errored' },
];

async function call(apiBase, method, path, body) {
  const res = await fetch(`${apiBase}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  return json;
}

/** PATCH …/status: current wrangler takes {status}, 4.85 takes {action}. */
export async function changeStatus(apiBase, workflow, id, action) {
  const path = `/workflows/${encodeURIComponent(workflow)}/instances/${encodeURIComponent(id)}/status`;
  let r = await call(apiBase, 'PATCH', path, { status: action });
  if (!r.success) r = await call(apiBase, 'PATCH', path, { action });
  if (!r.success) throw new Error(`${action} ${workflow}/${id}: ${JSON.stringify(r.errors)}`);
}

export async function createInstance(apiBase, workflow, id, params) {
  const r = await call(apiBase, 'POST', `/workflows/${encodeURIComponent(workflow)}/instances`, { id, params });
  if (!r.success) throw new Error(`create ${workflow}/${id}: ${JSON.stringify(r.errors)}`);
  return r.result.id;
}

export async function waitForStatus(apiBase, workflow, id, predicate, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    const r = await call(apiBase, 'GET', `/workflows/${encodeURIComponent(workflow)}/instances/${encodeURIComponent(id)}`);
    last = r.result;
    if (r.success && predicate(last)) return last;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`${workflow}/${id} did not reach the expected state; last: ${JSON.stringify(last)?.slice(0, 300)}`);
}

/** Creates the seeded instances and waits until each one is where it should be. */
export async function seed(apiBase, { only } = {}) {
  const items = only ? SEEDED.filter((s) => only.includes(s.id)) : SEEDED;
  await Promise.all(items.map((s) => createInstance(apiBase, s.workflow, s.id, s.params)));
  await Promise.all(
    items.map(async (s) => {
      // Running instances must have reached their long wait before being paused or terminated.
      await waitForStatus(apiBase, s.workflow, s.id, (d) => (d.steps?.length ?? 0) > 0 && ['running', 'complete', 'errored'].includes(d.status));
      if (s.action) await changeStatus(apiBase, s.workflow, s.id, s.action);
      await waitForStatus(apiBase, s.workflow, s.id, (d) => d.status === s.expect && (s.expect !== 'running' || d.steps.some((st) => st.end == null)));
    }),
  );
  return items.map((s) => `${s.workflow}/${s.id}: ${s.expect}`).join('\n');
}
