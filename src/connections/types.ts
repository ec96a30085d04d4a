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
  /**
   * What the stored secret is: a user API token (the default for connections saved before this
   * existed), an account-owned API token, or what `wrangler auth token` returned for the user's login.
   */
  credential?: CredentialKind;
  /** Which verify endpoint accepted the token when it was added. */
  verifiedWith?: 'user' | 'account';
}

export type CredentialKind = 'userToken' | 'accountToken' | 'wrangler';

export const CREDENTIAL_LABEL: Record<CredentialKind, string> = {
  userToken: 'user API token',
  accountToken: 'account-owned API token',
  wrangler: "wrangler's login (wrangler auth token)",
};

export type Connection = LocalConnection | CloudConnection;

export function localConnectionId(baseUrl: string): string {
  return `local:${baseUrl}`;
}
