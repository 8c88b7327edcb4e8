// Bootstrap tokens (--enable-bootstrap-token-auth), as kube's plugin/pkg/auth/authenticator/
// token/bootstrap: a token "<id>.<secret>" names the Secret kube-system/bootstrap-token-<id> of
// type bootstrap.kubernetes.io/token; it authenticates as system:bootstrap:<id> in
// system:bootstrappers plus the Secret's auth-extra-groups while the Secret exists, is not being
// deleted, holds the same token-secret, allows usage-bootstrap-authentication and has not
// expired. Every mismatch is "not authenticated" without an error, as kube answers (nil, false,
// nil), so that nothing tells a caller which part was wrong.

import { timingSafeEqual } from 'node:crypto';
import type { ObjectGetter } from './object-getter.js';
import type { TokenAuthenticator } from './token.js';

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const SECRET_TYPE = 'bootstrap.kubernetes.io/token';
const GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

function secretValue(data: Record<string, string>, key: string): string {
  const v = data[key];
  return v === undefined ? '' : Buffer.from(v, 'base64').toString('utf8');
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function bootstrapTokenAuthenticator(getter: ObjectGetter, now: () => number = Date.now): TokenAuthenticator {
  return {
    async authenticateToken(token) {
      const m = TOKEN_RE.exec(token);
      if (!m) return { kind: 'none' };
      const [, id, secret] = m as unknown as [string, string, string];
      const s = await getter.get('secrets', 'kube-system', `bootstrap-token-${id}`);
      if (!s || s.metadata?.deletionTimestamp) return { kind: 'none' };
      if ((s as { type?: string }).type !== SECRET_TYPE) return { kind: 'none' };
      const data = ((s as { data?: Record<string, string> }).data ?? {}) as Record<string, string>;
      if (!equal(secretValue(data, 'token-secret'), secret) || secretValue(data, 'token-id') !== id) return { kind: 'none' };
      const expiration = secretValue(data, 'expiration');
      if (expiration !== '') {
        const at = Date.parse(expiration);
        if (Number.isNaN(at) || at < now()) return { kind: 'none' };
      }
      if (secretValue(data, 'usage-bootstrap-authentication') !== 'true') return { kind: 'none' };
      const extra = secretValue(data, 'auth-extra-groups')
        .split(',')
        .map((g) => g.trim())
        .filter((g) => g !== '');
      // bootstrapsecretutil.GetGroups: an invalid extra group makes the token unusable
      if (extra.some((g) => !GROUP_PATTERN.test(g))) return { kind: 'error', reason: `bootstrap token ${id}: invalid auth-extra-groups` };
      return { kind: 'user', user: { username: `system:bootstrap:${id}`, groups: ['system:bootstrappers', ...extra] }, audiences: [] };
    },
  };
}
