// Service-account issuer discovery (kube's pkg/serviceaccount/openidmetadata.go): the OpenID
// provider configuration at /.well-known/openid-configuration and the verification keys at
// /openid/v1/jwks, so that other systems can verify service-account tokens. Served for the
// first --service-account-issuer when verification keys are configured.

import type { Authentication } from '../auth/authentication-config.js';
import type { VerificationKey } from '../auth/service-account-keys.js';
import type { RequestContext } from '../context.js';
import { writeHTTPError } from '../respond.js';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';
/** kube's max-age for both documents (cacheControl). */
const CACHE_CONTROL = 'public, max-age=3600';

/** A key as go-jose's JSONWebKey marshals a public key: use, kty, kid, crv, alg, then the numbers. */
function jwkOf(k: VerificationKey): Record<string, unknown> {
  const jwk = k.key.export({ format: 'jwk' }) as Record<string, string>;
  if (jwk.kty === 'RSA') return { use: 'sig', kty: 'RSA', kid: k.kid, alg: k.alg, n: jwk.n, e: jwk.e };
  return { use: 'sig', kty: 'EC', kid: k.kid, crv: jwk.crv, alg: k.alg, x: jwk.x, y: jwk.y };
}

export function isServiceAccountDiscoveryPath(path: string): boolean {
  return path === OPENID_CONFIGURATION_PATH || path === JWKS_PATH;
}

export function serveServiceAccountDiscovery(ctx: RequestContext, authn: Authentication, externalAddress: string): void {
  const issuer = authn.serviceAccountIssuers[0];
  if (!issuer || authn.serviceAccountKeys.length === 0 || ctx.method !== 'GET') {
    writeHTTPError(ctx, 404, '404 page not found');
    return;
  }
  if (ctx.path === OPENID_CONFIGURATION_PATH) {
    const jwksUri = authn.serviceAccountJwksUri ?? `https://${externalAddress}${JWKS_PATH}`;
    const algs = [...new Set(authn.serviceAccountKeys.map((k) => k.alg))].sort();
    const body = JSON.stringify({
      issuer,
      jwks_uri: jwksUri,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: algs,
    });
    ctx.send(200, body, { 'Content-Type': 'application/json', 'Cache-Control': CACHE_CONTROL });
    return;
  }
  const seen = new Set<string>();
  const keys = authn.serviceAccountKeys.filter((k) => (seen.has(k.kid) ? false : (seen.add(k.kid), true))).map(jwkOf);
  ctx.send(200, JSON.stringify({ keys }), { 'Content-Type': 'application/jwk-set+json', 'Cache-Control': CACHE_CONTROL });
}
