export interface LocalConnection {
  kind: 'local';
  id: string;
  label: string;
  baseUrl: string;
  /** How it was found: probing loopback ports, the `localUrls` setting, or started from VS Code. */
  source: 'discovered' | 'setting';
  /** Not on loopback: the user added it and was warned. */
  remote: boolean;
}

export interface CloudConnection {
  kind: 'cloud';
  id: string;
  label: string;
  accountId: string;
  accountName?: string;
  /** Overrides the production API base (tests point it at a gateway). */
  apiBaseUrl?: string;
}

export type Connection = LocalConnection | CloudConnection;

export function localConnectionId(baseUrl: string): string {
  return `local:${baseUrl}`;
}
