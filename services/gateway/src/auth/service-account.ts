// Service-account JWTs, as kube's pkg/serviceaccount JWTTokenAuthenticator with its two
// validators:
//  - legacy tokens (iss "kubernetes/serviceaccount", claims kubernetes.io/serviceaccount/*) are
//    valid while their kubernetes.io/service-account-token Secret exists and still holds the
//    token, and the ServiceAccount exists with the uid the token names (legacy.go);
//  - bound tokens (iss one of --service-account-issuer, private claims under "kubernetes.io")
//    are valid until exp, while the ServiceAccount exists with the token's uid and is not being
//    deleted, and the object the token is bound to (pod, secret or node) exists with its uid
//    (claims.go validator.Validate).
// A token whose issuer is not one of ours is not ours ('none'): the next authenticator may try.

import { decodeJwt, decodeProtectedHeader, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import type { KubeObject, UserInfo } from '@kapi/apimachinery';
import type { ObjectGetter } from './object-getter.js';
import type { VerificationKey } from './service-account-keys.js';
import { intersectAudiences, type TokenAuthenticator, type TokenResult } from './token.js';

export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
/** go-jose's DefaultLeeway, which kube's Validate uses for exp and nbf. */
const LEEWAY_SECONDS = 60;

export interface ServiceAccountAuthenticatorOptions {
  /** --service-account-issuer values (bound tokens). */
  issuers: readonly string[];
  keys: readonly VerificationKey[];
  /** --api-audiences: the implicit audiences of requests (and of legacy tokens). */
  apiAudiences: readonly string[];
  getter: ObjectGetter;
  /** Also accept legacy Secret-based tokens (kube: always, with --service-account-lookup). */
  legacy?: boolean;
  now?: () => number;
}

interface BoundClaims {
  namespace?: string;
  serviceaccount?: { name?: string; uid?: string };
  pod?: { name?: string; uid?: string };
  secret?: { name?: string; uid?: string };
  node?: { name?: string; uid?: string };
}

/** serviceaccount.MakeUsername / MakeGroupNames. */
export function serviceAccountUser(namespace: string, name: string, uid: string, extra?: Record<string, string[]>): UserInfo {
  const user: UserInfo = {
    username: `system:serviceaccount:${namespace}:${name}`,
    uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
  };
  if (extra && Object.keys(extra).length > 0) user.extra = extra;
  return user;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  private readonly now: () => number;

  constructor(private readonly opts: ServiceAccountAuthenticatorOptions) {
    this.now = opts.now ?? Date.now;
  }

  async authenticateToken(token: string, audiences: readonly string[]): Promise<TokenResult> {
    // Not a JWT, or not issued by us: some other authenticator's token.
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
      decodeProtectedHeader(token);
    } catch {
      return { kind: 'none' };
    }
    const iss = str(unverified.iss);
    const legacy = iss === LEGACY_ISSUER && this.opts.legacy !== false;
    if (!legacy && !this.opts.issuers.includes(iss)) return { kind: 'none' };

    const verified = await this.verify(token, iss);
    if ('failure' in verified) return { kind: 'error', reason: verified.failure };
    const payload = verified.payload;

    // Audiences (JWTTokenAuthenticator.AuthenticateToken): a token without aud (legacy) counts
    // as issued for the API audiences.
    let tokenAuds: string[] = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud.map(String) : [String(payload.aud)];
    if (tokenAuds.length === 0) tokenAuds = [...this.opts.apiAudiences];
    const requested = audiences.length > 0 ? audiences : this.opts.apiAudiences;
    const auds = intersectAudiences(tokenAuds, requested);
    if (auds.length === 0 && requested.length > 0) {
      return { kind: 'error', reason: `token audiences ${JSON.stringify(tokenAuds)} is invalid for the target audiences ${JSON.stringify(requested)}` };
    }

    try {
      const user = legacy ? await this.validateLegacy(token, payload) : await this.validateBound(payload);
      if (typeof user === 'string') return { kind: 'error', reason: user };
      return { kind: 'user', user, audiences: auds };
    } catch (err) {
      return { kind: 'error', reason: (err as Error).message };
    }
  }

  /** The signature against any of our keys, then exp/nbf with go-jose's leeway. */
  private async verify(token: string, issuer: string): Promise<{ payload: JWTPayload } | { failure: string }> {
    let lastError = 'crypto/rsa: verification error';
    for (const k of this.opts.keys) {
      try {
        const { payload } = await jwtVerify(token, k.key, {
          issuer,
          algorithms: [k.alg],
          clockTolerance: LEEWAY_SECONDS,
          currentDate: new Date(this.now()),
        });
        return { payload };
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) return { failure: 'service account token has expired' };
        if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') return { failure: 'service account token is not valid yet' };
        lastError = (err as Error).message;
      }
    }
    return { failure: lastError };
  }

  /** legacy.go validator.Validate. */
  private async validateLegacy(token: string, claims: JWTPayload): Promise<UserInfo | string> {
    const namespace = str(claims['kubernetes.io/serviceaccount/namespace']);
    const secretName = str(claims['kubernetes.io/serviceaccount/secret.name']);
    const saName = str(claims['kubernetes.io/serviceaccount/service-account.name']);
    const saUid = str(claims['kubernetes.io/serviceaccount/service-account.uid']);
    if (namespace === '' || secretName === '' || saName === '' || saUid === '') return 'service account token claims are missing';
    const secret = await this.opts.getter.get('secrets', namespace, secretName);
    if (!secret) return `secret ${namespace}/${secretName} not found`;
    if (secret.metadata?.deletionTimestamp) return 'token has been invalidated';
    const data = (secret as { data?: Record<string, string> }).data ?? {};
    if (Buffer.from(data.token ?? '', 'base64').toString('utf8') !== token) return 'token does not match secret';
    const sa = await this.opts.getter.get('serviceaccounts', namespace, saName);
    if (!sa) return `serviceaccount ${namespace}/${saName} not found`;
    if (sa.metadata?.deletionTimestamp) return 'service account has been deleted';
    if (sa.metadata?.uid !== saUid) return `service account UID (${sa.metadata?.uid ?? ''}) does not match claim (${saUid})`;
    return serviceAccountUser(namespace, saName, saUid, { 'authentication.kubernetes.io/credential-id': [`Secret=${secret.metadata?.uid ?? ''}`] });
  }

  /** claims.go validator.Validate. */
  private async validateBound(claims: JWTPayload): Promise<UserInfo | string> {
    const k8s = claims['kubernetes.io'] as BoundClaims | undefined;
    const namespace = str(k8s?.namespace);
    const saName = str(k8s?.serviceaccount?.name);
    const saUid = str(k8s?.serviceaccount?.uid);
    if (!k8s || namespace === '' || saName === '') return 'service account token claims are missing';
    const sa = await this.opts.getter.get('serviceaccounts', namespace, saName);
    if (!sa) return `serviceaccounts "${saName}" not found`;
    if (sa.metadata?.uid !== saUid) return `service account UID (${sa.metadata?.uid ?? ''}) does not match claim (${saUid})`;
    if (sa.metadata?.deletionTimestamp) return `service account ${namespace}/${saName} has been deleted`;

    const extra: Record<string, string[]> = {};
    const bound: Array<[string, string, { name?: string; uid?: string } | undefined]> = [
      ['secrets', namespace, k8s.secret],
      ['pods', namespace, k8s.pod],
      ['nodes', '', k8s.node],
    ];
    for (const [resource, ns, ref] of bound) {
      if (!ref) continue;
      const obj: KubeObject | undefined = await this.opts.getter.get(resource, ns, str(ref.name));
      const kind = resource === 'secrets' ? 'secret' : resource === 'pods' ? 'pod' : 'node';
      if (!obj) return `${resource} "${str(ref.name)}" not found`;
      if (obj.metadata?.uid !== ref.uid) return `${kind} UID (${obj.metadata?.uid ?? ''}) does not match claim (${str(ref.uid)})`;
      if (obj.metadata?.deletionTimestamp) return `${kind} ${ns === '' ? '' : ns + '/'}${str(ref.name)} has been deleted`;
      if (kind === 'pod') {
        extra['authentication.kubernetes.io/pod-name'] = [str(ref.name)];
        extra['authentication.kubernetes.io/pod-uid'] = [str(ref.uid)];
      } else if (kind === 'node') {
        extra['authentication.kubernetes.io/node-name'] = [str(ref.name)];
        extra['authentication.kubernetes.io/node-uid'] = [str(ref.uid)];
      }
    }
    if (typeof claims.jti === 'string' && claims.jti !== '') extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
    return serviceAccountUser(namespace, saName, saUid, extra);
  }
}
