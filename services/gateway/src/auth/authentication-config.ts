// Builds the gateway's authenticator from kube-apiserver's flags (BuiltInAuthenticationOptions
// ToAuthenticationConfig + pkg/kubeapiserver/authenticator New): x509, then the bearer-token
// authenticators — token file, service accounts — in one cached union (kube caches the
// built-in token authenticators for 10 s on success, no negative caching), and anonymous last.

import type { TLSSocket } from 'node:tls';
import { authenticateBearer } from './bearer.js';
import { parseCertificates, peerChainsTo } from './cert-chain.js';
import { requestHeaderAuthenticator } from './request-header.js';
import { websocketProtocolAuthenticator } from './websocket-protocol.js';
import { bootstrapTokenAuthenticator } from './bootstrap-token.js';
import type { ObjectGetter } from './object-getter.js';
import { OIDCAuthenticator, readAuthenticationConfiguration } from './oidc.js';
import { DEFAULT_WEBHOOK_CACHE_TTL_MS, readWebhookKubeconfig, WebhookTokenAuthenticator } from './webhook.js';
import { readVerificationKeys, type VerificationKey } from './service-account-keys.js';
import { ServiceAccountTokenAuthenticator } from './service-account.js';
import { CachedTokenAuthenticator } from './token-cache.js';
import { tokenFileAuthenticator } from './token-file.js';
import { tokenUnion, type TokenAuthenticator } from './token.js';
import { requestUnion, type RequestAuthenticatorFn } from './union.js';
import { authenticateClientCertificate } from './x509.js';

export interface AuthenticationOptions {
  /** --anonymous-auth (default true). */
  anonymous?: boolean;
  /** --token-auth-file */
  tokenAuthFile?: string;
  /** --enable-bootstrap-token-auth */
  enableBootstrapTokenAuth?: boolean;
  /** --service-account-key-file (repeatable): verification keys. */
  serviceAccountKeyFiles?: string[];
  /** --service-account-issuer (repeatable; the first is the one tokens are issued with). */
  serviceAccountIssuers?: string[];
  /** --api-audiences; defaults to the first issuer, as kube defaults it. */
  apiAudiences?: string[];
  /** --service-account-jwks-uri: the jwks_uri of the discovery document. */
  serviceAccountJwksUri?: string;
  /** --authentication-config: AuthenticationConfiguration with jwt (OIDC) issuers. */
  authenticationConfigFile?: string;
  /** --authentication-token-webhook-config-file, -cache-ttl, -version (default v1beta1, as kube). */
  webhookConfigFile?: string;
  webhookCacheTtlMs?: number;
  webhookVersion?: 'v1' | 'v1beta1';
  /** Front proxy: --requestheader-client-ca-file (PEM content), -allowed-names, -username-headers,
   * -uid-headers, -group-headers, -extra-headers-prefix. Off without username headers. */
  requestHeader?: {
    clientCA: string;
    allowedNames?: string[];
    usernameHeaders?: string[];
    uidHeaders?: string[];
    groupHeaders?: string[];
    extraHeaderPrefixes?: string[];
  };
  /** --client-ca-file content; with a front proxy configured, x509 users must chain to it. */
  clientCA?: string;
  /** Extra token authenticators run after the built-in ones (OIDC, webhook, ...). */
  extraTokenAuthenticators?: TokenAuthenticator[];
  /** kube's TokenSuccessCacheTTL (10 s) and TokenFailureCacheTTL (0). */
  tokenSuccessCacheTtlMs?: number;
  tokenFailureCacheTtlMs?: number;
}

export interface Authentication {
  /** Every credential authenticator in kube's order; anonymous is decided by the filter. */
  request: RequestAuthenticatorFn;
  /** The bearer-token union, cached (TokenReview uses it). */
  tokens: TokenAuthenticator;
  anonymous: boolean;
  apiAudiences: string[];
  serviceAccountIssuers: string[];
  serviceAccountKeys: VerificationKey[];
  serviceAccountJwksUri: string | undefined;
}

export const DEFAULT_TOKEN_SUCCESS_CACHE_TTL_MS = 10_000;

function header(headers: Record<string, string | string[] | undefined>, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

export async function buildAuthentication(opts: AuthenticationOptions, getter: ObjectGetter): Promise<Authentication> {
  const issuers = opts.serviceAccountIssuers ?? [];
  const apiAudiences = opts.apiAudiences && opts.apiAudiences.length > 0 ? opts.apiAudiences : issuers.slice(0, 1);
  const keys = await readVerificationKeys(opts.serviceAccountKeyFiles ?? []);
  const tokenAuthenticators: TokenAuthenticator[] = [];
  if (opts.tokenAuthFile) tokenAuthenticators.push(await tokenFileAuthenticator(opts.tokenAuthFile));
  if (opts.enableBootstrapTokenAuth) tokenAuthenticators.push(bootstrapTokenAuthenticator(getter));
  if (keys.length > 0) {
    tokenAuthenticators.push(new ServiceAccountTokenAuthenticator({ issuers, keys, apiAudiences, getter, legacy: true }));
  }
  if (opts.authenticationConfigFile) {
    const config = await readAuthenticationConfiguration(opts.authenticationConfigFile);
    for (const jwt of config.jwt ?? []) tokenAuthenticators.push(new OIDCAuthenticator(jwt));
  }
  tokenAuthenticators.push(...(opts.extraTokenAuthenticators ?? []));
  const builtIn = new CachedTokenAuthenticator(tokenUnion(tokenAuthenticators), {
    successTtlMs: opts.tokenSuccessCacheTtlMs ?? DEFAULT_TOKEN_SUCCESS_CACHE_TTL_MS,
    failureTtlMs: opts.tokenFailureCacheTtlMs ?? 0,
  });
  // The webhook comes last with its own cache, success and failure for the webhook TTL (kube).
  let tokens: TokenAuthenticator = builtIn;
  if (opts.webhookConfigFile) {
    const ttl = opts.webhookCacheTtlMs ?? DEFAULT_WEBHOOK_CACHE_TTL_MS;
    const webhook = new WebhookTokenAuthenticator(await readWebhookKubeconfig(opts.webhookConfigFile, opts.webhookVersion));
    tokens = tokenUnion([builtIn, new CachedTokenAuthenticator(webhook, { successTtlMs: ttl, failureTtlMs: ttl })]);
  }
  const anyTokenAuthenticator = tokenAuthenticators.length > 0 || opts.webhookConfigFile !== undefined;
  const front = opts.requestHeader;
  const frontProxy =
    front && (front.usernameHeaders?.length ?? 0) > 0
      ? requestHeaderAuthenticator({
          clientCAs: parseCertificates(front.clientCA),
          allowedNames: front.allowedNames ?? [],
          usernameHeaders: front.usernameHeaders ?? [],
          uidHeaders: front.uidHeaders,
          groupHeaders: front.groupHeaders ?? [],
          extraHeaderPrefixes: front.extraHeaderPrefixes ?? [],
        })
      : undefined;
  // The TLS server trusts both CAs then: x509 users must chain to the client CA itself.
  const clientCAs = frontProxy && opts.clientCA ? parseCertificates(opts.clientCA) : undefined;
  const request = requestUnion([
    ...(frontProxy ? [frontProxy] : []),
    (req) => {
      const socket = req.socket as TLSSocket | undefined;
      const r = authenticateClientCertificate(socket);
      if (r.kind === 'user' && clientCAs && socket && !peerChainsTo(socket, clientCAs)) return { kind: 'error', reason: 'x509: certificate signed by unknown authority' };
      return r;
    },
    (req) => (anyTokenAuthenticator ? authenticateBearer(header(req.headers, 'authorization'), tokens, apiAudiences) : { kind: 'none' }),
    ...(anyTokenAuthenticator ? [websocketProtocolAuthenticator(tokens, apiAudiences)] : []),
  ]);
  return {
    request,
    tokens,
    anonymous: opts.anonymous ?? true,
    apiAudiences,
    serviceAccountIssuers: issuers,
    serviceAccountKeys: keys,
    serviceAccountJwksUri: opts.serviceAccountJwksUri,
  };
}
