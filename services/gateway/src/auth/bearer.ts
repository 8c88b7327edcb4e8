// The bearer-token request authenticator, as k8s.io/apiserver/pkg/authentication/request/
// bearertoken: "Authorization: Bearer <token>" (scheme case-insensitive). A Bearer header with
// an empty token is an error ("invalid bearer token"); any other scheme is not ours.

import type { TokenAuthenticator } from './token.js';
import type { AuthenticationResult } from './x509.js';

export function bearerTokenOf(authorization: string): string | undefined | { invalid: true } {
  const parts = authorization.trim().split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  const token = parts[1]!;
  if (token === '') return { invalid: true };
  return token;
}

export async function authenticateBearer(authorization: string, tokens: TokenAuthenticator, audiences: readonly string[]): Promise<AuthenticationResult> {
  const token = bearerTokenOf(authorization);
  if (token === undefined) return { kind: 'none' };
  if (typeof token !== 'string') return { kind: 'error', reason: 'invalid bearer token' };
  const r = await tokens.authenticateToken(token, audiences);
  if (r.kind === 'user') return { kind: 'user', user: r.user };
  if (r.kind === 'error') return { kind: 'error', reason: r.reason };
  // kube: a bearer token nobody recognises fails the request rather than falling to anonymous.
  return { kind: 'error', reason: 'invalid bearer token' };
}
