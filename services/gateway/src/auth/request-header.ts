// The front-proxy request-header authenticator (k8s.io/apiserver/pkg/authentication/request/
// headerrequest behind x509.NewDynamicCAVerifier): a request whose client certificate chains to
// --requestheader-client-ca-file, and whose CN is in --requestheader-allowed-names (any CN when
// the list is empty), names its user in the first non-empty --requestheader-username-headers
// header, its groups in --requestheader-group-headers and extras in headers starting with a
// --requestheader-extra-headers-prefix (key lowercased and percent-unescaped). A certificate
// that does not verify or is not allowed is an error; no username header is "not mine".
// The headers are removed once used (ClearAuthenticationHeaders).

import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { UserInfo } from '@kapi/apimachinery';
import { peerChainsTo } from './cert-chain.js';
import type { RequestCredentials } from './union.js';
import type { AuthenticationResult } from './x509.js';

export interface RequestHeaderOptions {
  clientCAs: X509Certificate[];
  allowedNames: string[];
  usernameHeaders: string[];
  uidHeaders?: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

function all(headers: RequestCredentials['headers'], name: string): string[] {
  const v = headers[name.toLowerCase()];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function requestHeaderAuthenticator(opts: RequestHeaderOptions): (req: RequestCredentials) => AuthenticationResult {
  return (req) => {
    const socket = req.socket as TLSSocket | undefined;
    if (!socket || typeof socket.getPeerCertificate !== 'function') return { kind: 'none' };
    const peer = socket.getPeerCertificate();
    if (!peer || !peer.raw) return { kind: 'none' };
    if (!peerChainsTo(socket, opts.clientCAs)) return { kind: 'error', reason: 'x509: certificate signed by unknown authority' };
    const cn = Array.isArray(peer.subject?.CN) ? (peer.subject.CN[0] ?? '') : (peer.subject?.CN ?? '');
    if (opts.allowedNames.length > 0 && !opts.allowedNames.includes(cn)) {
      return { kind: 'error', reason: `x509: subject with cn=${cn} is not in the allowed list` };
    }
    const username = opts.usernameHeaders.map((h) => all(req.headers, h)[0] ?? '').find((v) => v !== '') ?? '';
    if (username === '') return { kind: 'none' };
    const user: UserInfo = { username, groups: opts.groupHeaders.flatMap((h) => all(req.headers, h)) };
    const uid = (opts.uidHeaders ?? []).map((h) => all(req.headers, h)[0] ?? '').find((v) => v !== '');
    if (uid) user.uid = uid;
    const extra: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      const prefix = opts.extraHeaderPrefixes.find((p) => name.startsWith(p.toLowerCase()));
      if (!prefix || value === undefined) continue;
      let key = name.slice(prefix.length).toLowerCase();
      try {
        key = decodeURIComponent(key);
      } catch {
        // kept as is
      }
      (extra[key] ??= []).push(...(Array.isArray(value) ? value : [value]));
    }
    if (Object.keys(extra).length > 0) user.extra = extra;
    // ClearAuthenticationHeaders
    for (const h of [...opts.usernameHeaders, ...(opts.uidHeaders ?? []), ...opts.groupHeaders]) delete req.headers[h.toLowerCase()];
    for (const name of Object.keys(req.headers)) if (opts.extraHeaderPrefixes.some((p) => name.startsWith(p.toLowerCase()))) delete req.headers[name];
    return { kind: 'user', user };
  };
}
