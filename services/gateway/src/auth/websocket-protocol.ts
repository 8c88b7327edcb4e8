// Bearer tokens carried in a WebSocket subprotocol, as kube's request/websocket/protocol.go:
// browsers cannot set Authorization on a WebSocket, so an upgrade request may offer the
// subprotocol "base64url.bearer.authorization.k8s.io.<base64url(token)>". The token goes to the
// same token authenticators; the subprotocol is removed so that it is never echoed back.

import type { TokenAuthenticator } from './token.js';
import type { RequestCredentials } from './union.js';
import type { AuthenticationResult } from './x509.js';

const PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

function header(headers: RequestCredentials['headers'], name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/** wsstream.IsWebSocketRequest: Connection contains "upgrade" and Upgrade is "websocket". */
function isWebSocketRequest(headers: RequestCredentials['headers']): boolean {
  const connection = header(headers, 'connection').toLowerCase().split(',').map((s) => s.trim());
  return connection.includes('upgrade') && header(headers, 'upgrade').toLowerCase() === 'websocket';
}

export function websocketProtocolAuthenticator(tokens: TokenAuthenticator, audiences: readonly string[]) {
  return async (req: RequestCredentials): Promise<AuthenticationResult> => {
    if (!isWebSocketRequest(req.headers)) return { kind: 'none' };
    const offered = header(req.headers, 'sec-websocket-protocol').split(',').map((p) => p.trim()).filter((p) => p !== '');
    const found = offered.find((p) => p.startsWith(PROTOCOL_PREFIX));
    if (found === undefined) return { kind: 'none' };
    const encoded = found.slice(PROTOCOL_PREFIX.length);
    if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return { kind: 'error', reason: 'invalid base64.bearer.authorization token encoding' };
    const token = Buffer.from(encoded, 'base64url').toString('utf8');
    if (token === '') return { kind: 'error', reason: 'invalid bearer token' };
    const r = await tokens.authenticateToken(token, audiences);
    // the subprotocol is consumed, the others are kept for the upgrade
    req.headers['sec-websocket-protocol'] = offered.filter((p) => p !== found).join(',');
    if (r.kind === 'user') return { kind: 'user', user: r.user };
    if (r.kind === 'error') return r;
    return { kind: 'error', reason: 'invalid bearer token' };
  };
}
