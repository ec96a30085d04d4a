// What the extension sent to the gateway, read from outside it (GET /__gateway/log): by the
// integration suite in the extension host and by the UI tests in the runner.
export interface GatewayRequest {
  method: string;
  path: string;
  status: number;
}

export async function gatewayLog(apiBase: string | undefined): Promise<GatewayRequest[]> {
  if (!apiBase) throw new Error('This run has no gateway.');
  const res = await fetch(new URL('/__gateway/log', apiBase));
  if (!res.ok) throw new Error(`The gateway log answered HTTP ${res.status}.`);
  return (await res.json()) as GatewayRequest[];
}
