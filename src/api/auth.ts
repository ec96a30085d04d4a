// Which verify endpoint accepts a token. A user token answers at /user/tokens/verify; an
// account-owned token (what Cloudflare recommends for automation) only at
// /accounts/{account_id}/tokens/verify, and the user endpoint refuses it with an authentication error.
// Sources: https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify,
// https://developers.cloudflare.com/api/resources/accounts/subresources/tokens/methods/verify,
// https://developers.cloudflare.com/fundamentals/api/get-started/account-owned-tokens/
import { verifyToken, type CloudConnectionOptions, type TokenVerification } from './cloud';
import { isApiError, WorkflowsApiError } from './errors';

export type VerifyEndpoint = 'user' | 'account';

export interface VerifiedCredential {
  verification: TokenVerification;
  endpoint: VerifyEndpoint;
  /** The account whose endpoint answered (endpoint 'account'). */
  accountId?: string;
}

/** An answer that says "not this endpoint's kind of token" rather than "the network is down". */
const refused = (e: unknown): boolean => isApiError(e, 'auth') || isApiError(e, 'permission') || isApiError(e, 'notFound');

/**
 * Verifies with the user endpoint, then, when that refuses the token, with each candidate account's
 * endpoint (and the other way round when `accountFirst`). Any other error (network, rate limit, 5xx)
 * ends the attempt as is; a token refused everywhere is kind 'auth'.
 */
export async function verifyCredential(opts: CloudConnectionOptions, accountIds: readonly string[], accountFirst = false): Promise<VerifiedCredential> {
  const ids = [...new Set(accountIds)];
  const tries: (() => Promise<VerifiedCredential>)[] = [
    async () => ({ verification: await verifyToken(opts), endpoint: 'user' }),
    ...ids.map((accountId) => async (): Promise<VerifiedCredential> => ({ verification: await verifyToken({ ...opts, accountId }), endpoint: 'account', accountId })),
  ];
  if (accountFirst) tries.push(tries.shift() as () => Promise<VerifiedCredential>);
  let first: unknown;
  for (const attempt of tries) {
    try {
      return await attempt();
    } catch (e) {
      if (!refused(e)) throw e;
      first ??= e;
    }
  }
  const message =
    ids.length === 0
      ? 'Cloudflare did not accept this token as a user token. If it is an account-owned token, give the account ID it belongs to.'
      : `Cloudflare accepted this token neither as a user token nor as an account token of ${ids.join(', ')}. Check the token and the account ID.`;
  throw new WorkflowsApiError('auth', message, { status: isApiError(first) ? first.status : undefined });
}
