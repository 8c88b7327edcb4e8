// The request authenticator union, as k8s.io/apiserver/pkg/authentication/request/union in
// kube's order (pkg/kubeapiserver/authenticator/config.go New): front-proxy request headers,
// x509 client certificates, then bearer tokens. The first authenticator that names a user wins;
// when none does, any error makes the request a 401 (anonymous is only for requests that carry
// no credentials — union.NewFailOnError).

import type { AuthenticationResult } from './x509.js';

/** One request authenticator over what the request carries. */
export type RequestCredentials = {
  headers: Record<string, string | string[] | undefined>;
  socket: unknown;
};

export type RequestAuthenticatorFn = (req: RequestCredentials) => Promise<AuthenticationResult> | AuthenticationResult;

export function requestUnion(authenticators: readonly RequestAuthenticatorFn[]): RequestAuthenticatorFn {
  return async (req) => {
    const errors: string[] = [];
    for (const a of authenticators) {
      const r = await a(req);
      if (r.kind === 'user') return r;
      if (r.kind === 'error') errors.push(r.reason);
    }
    if (errors.length === 0) return { kind: 'none' };
    return { kind: 'error', reason: errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]` };
  };
}
