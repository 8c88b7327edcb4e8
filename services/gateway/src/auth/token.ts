// Bearer-token authentication, as k8s.io/apiserver/pkg/authentication/authenticator.Token: each
// token authenticator either names a user, says the token is not its kind ('none', so the next
// one may try), or fails ('error': the token is its kind but does not verify — a 401).

import type { UserInfo } from '@kapi/apimachinery';

export type TokenResult =
  | { kind: 'user'; user: UserInfo; /** audiences the token is valid for (empty: any). */ audiences: string[] }
  | { kind: 'none' }
  | { kind: 'error'; reason: string };

export interface TokenAuthenticator {
  /** `audiences`: the audiences the caller needs the token to be valid for (kube's
   * authenticator.Audiences in the context; the API audiences for requests). */
  authenticateToken(token: string, audiences: readonly string[]): Promise<TokenResult>;
}

/** authenticator.Audiences.Intersect. */
export function intersectAudiences(a: readonly string[], b: readonly string[]): string[] {
  return a.filter((x) => b.includes(x));
}

/** union.New for tokens: the first user wins; errors are kept and reported only when nobody
 * authenticated (kube aggregates them: "[err1, err2]"). */
export function tokenUnion(authenticators: readonly TokenAuthenticator[]): TokenAuthenticator {
  return {
    async authenticateToken(token, audiences) {
      const errors: string[] = [];
      for (const a of authenticators) {
        const r = await a.authenticateToken(token, audiences);
        if (r.kind === 'user') return r;
        if (r.kind === 'error') errors.push(r.reason);
      }
      if (errors.length === 0) return { kind: 'none' };
      return { kind: 'error', reason: errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]` };
    },
  };
}
