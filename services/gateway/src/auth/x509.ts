// Client certificate authentication, as kube-apiserver's x509 authenticator: a certificate that
// chains to the client CA (checked by TLS, with --client-ca-file as the only trust anchor) and
// allows client auth names the user — CN is the username, each O a group. A certificate without
// a CN authenticates nobody (the request is anonymous); a presented certificate that does not
// verify is an authentication error (401), as kube's union authenticator fails on it.

import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '@kapi/apimachinery';

/** What an authenticator concludes about a request. */
export type AuthenticationResult =
  | { kind: 'user'; user: UserInfo }
  /** No credentials of this kind. */
  | { kind: 'none' }
  /** Credentials that do not verify; `reason` is for the log only. */
  | { kind: 'error'; reason: string };

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function authenticateSocket(socket: TLSSocket): AuthenticationResult {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0 || !cert.raw) return { kind: 'none' };
  if (!socket.authorized) {
    return { kind: 'error', reason: `verifying certificate ${cert.subject?.CN ?? ''}: ${String(socket.authorizationError ?? 'unknown authority')}` };
  }
  // Go verifies the leaf's extended key usage against ClientAuth; no EKU extension means any.
  const eku = cert.ext_key_usage;
  if (eku && eku.length > 0 && !eku.includes(EKU_CLIENT_AUTH) && !eku.includes(EKU_ANY)) {
    return { kind: 'error', reason: 'x509: certificate specifies an incompatible key usage' };
  }
  const cn = asList(cert.subject?.CN)[0] ?? '';
  if (cn === '') return { kind: 'none' };
  return { kind: 'user', user: { username: cn, groups: asList(cert.subject?.O) } };
}

/** Results per TLS connection: the peer certificate cannot change within one. */
const cache = new WeakMap<TLSSocket, AuthenticationResult>();

/** Authenticates the client certificate of the connection `socket` (undefined for plain TCP). */
export function authenticateClientCertificate(socket: TLSSocket | undefined): AuthenticationResult {
  if (!socket || typeof socket.getPeerCertificate !== 'function') return { kind: 'none' };
  let result = cache.get(socket);
  if (!result) {
    result = authenticateSocket(socket);
    cache.set(socket, result);
  }
  return result;
}
