// OIDC JWT authenticators from --authentication-config (apiserver.config.k8s.io/v1
// AuthenticationConfiguration, jwt[]), as kube's plugin/pkg/authenticator/token/oidc: a token
// whose iss is the issuer's url is verified against the keys of the issuer's JWKS (found through
// its /.well-known/openid-configuration over HTTPS, trusting certificateAuthority when given),
// its aud must contain one of the audiences, the claimValidationRules must hold, and the
// claimMappings give username, groups and uid (each with its prefix).
// The JWKS is fetched lazily, cached, and refetched when a token names a key id it does not
// have (at most once per REFRESH_INTERVAL_MS) — go-oidc's remote key set behaviour.
// CEL expressions are not supported: a configuration that uses them is refused at start.

import { createLocalJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { parse as parseYAML } from 'yaml';
import { readFile } from 'node:fs/promises';
import { fetchJSON } from './https-fetch.js';
import type { TokenAuthenticator, TokenResult } from './token.js';

export interface ClaimOrExpression {
  claim?: string;
  prefix?: string;
  expression?: string;
}

export interface JWTAuthenticatorConfig {
  issuer: { url: string; discoveryURL?: string; audiences: string[]; audienceMatchPolicy?: string; certificateAuthority?: string };
  claimValidationRules?: { claim?: string; requiredValue?: string; expression?: string; message?: string }[];
  claimMappings: { username: ClaimOrExpression; groups?: ClaimOrExpression; uid?: ClaimOrExpression; extra?: unknown[] };
  userValidationRules?: unknown[];
}

export interface AuthenticationConfiguration {
  apiVersion: string;
  kind: string;
  jwt?: JWTAuthenticatorConfig[];
}

const API_VERSIONS = ['apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1beta1', 'apiserver.config.k8s.io/v1alpha1'];
const REFRESH_INTERVAL_MS = 10_000;
const LEEWAY_SECONDS = 60;

/** Reads and checks an AuthenticationConfiguration file (YAML or JSON). */
export async function readAuthenticationConfiguration(path: string): Promise<AuthenticationConfiguration> {
  const doc = parseYAML(await readFile(path, 'utf8')) as AuthenticationConfiguration;
  if (!doc || typeof doc !== 'object') throw new Error(`${path}: not an AuthenticationConfiguration`);
  if (doc.kind !== 'AuthenticationConfiguration' || !API_VERSIONS.includes(doc.apiVersion)) {
    throw new Error(`${path}: expected kind AuthenticationConfiguration in apiserver.config.k8s.io, got ${doc.apiVersion}/${doc.kind}`);
  }
  const seen = new Set<string>();
  (doc.jwt ?? []).forEach((j, i) => {
    const at = `jwt[${i}]`;
    if (!j.issuer?.url?.startsWith('https://')) throw new Error(`${at}.issuer.url: Invalid value: "${j.issuer?.url ?? ''}": URL scheme must be https`);
    if (seen.has(j.issuer.url)) throw new Error(`${at}.issuer.url: Duplicate value: "${j.issuer.url}"`);
    seen.add(j.issuer.url);
    if (!j.issuer.audiences?.length) throw new Error(`${at}.issuer.audiences: Required value: at least one jwt.issuer.audiences is required`);
    const u = j.claimMappings?.username;
    if (!u || (!u.claim && !u.expression)) throw new Error(`${at}.claimMappings.username: Required value: claim or expression is required`);
    if (u.claim && u.prefix === undefined) throw new Error(`${at}.claimMappings.username.prefix: Required value: prefix is required when claim is set. It can be set to an empty string to disable prefixing`);
    const cel = [u.expression, j.claimMappings.groups?.expression, j.claimMappings.uid?.expression, ...(j.claimValidationRules ?? []).map((r) => r.expression)].some(Boolean);
    if (cel || (j.userValidationRules?.length ?? 0) > 0 || (j.claimMappings.extra?.length ?? 0) > 0) {
      throw new Error(`${at}: CEL expressions (claimMappings expressions, extra, userValidationRules) are not supported by kapi yet`);
    }
  });
  return doc;
}

export class OIDCAuthenticator implements TokenAuthenticator {
  private keys: ReturnType<typeof createLocalJWKSet> | undefined;
  private lastFetch = 0;
  private fetching: Promise<void> | undefined;

  constructor(
    readonly config: JWTAuthenticatorConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fetches discovery and the JWKS (one fetch at a time). */
  private refresh(): Promise<void> {
    this.fetching ??= (async () => {
      try {
        const ca = this.config.issuer.certificateAuthority;
        const discoveryURL = this.config.issuer.discoveryURL ?? `${this.config.issuer.url.replace(/\/$/, '')}/.well-known/openid-configuration`;
        const discovery = (await fetchJSON(discoveryURL, { ca })) as { issuer?: string; jwks_uri?: string };
        // go-oidc: the discovery document must name the configured issuer (unless discoveryURL overrides)
        if (!this.config.issuer.discoveryURL && discovery.issuer !== this.config.issuer.url) {
          throw new Error(`oidc: issuer did not match the issuer returned by provider, expected "${this.config.issuer.url}" got "${discovery.issuer ?? ''}"`);
        }
        if (!discovery.jwks_uri) throw new Error('oidc: discovery document has no jwks_uri');
        const jwks = (await fetchJSON(discovery.jwks_uri, { ca })) as JSONWebKeySet;
        this.keys = createLocalJWKSet(jwks);
        this.lastFetch = this.now();
      } finally {
        this.fetching = undefined;
      }
    })();
    return this.fetching;
  }

  async authenticateToken(token: string): Promise<TokenResult> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      return { kind: 'none' };
    }
    if (unverified.iss !== this.config.issuer.url) return { kind: 'none' };
    try {
      if (!this.keys) await this.refresh();
    } catch (err) {
      return { kind: 'error', reason: `oidc: authenticator for issuer "${this.config.issuer.url}" is not initialized: ${(err as Error).message}` };
    }
    let payload: JWTPayload;
    try {
      payload = await this.verify(token);
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey && this.now() - this.lastFetch >= REFRESH_INTERVAL_MS) {
        try {
          await this.refresh();
          payload = await this.verify(token);
        } catch (again) {
          return { kind: 'error', reason: `oidc: verify token: ${(again as Error).message}` };
        }
      } else if (err instanceof joseErrors.JWTExpired) {
        return { kind: 'error', reason: `oidc: verify token: oidc: token is expired` };
      } else {
        return { kind: 'error', reason: `oidc: verify token: ${(err as Error).message}` };
      }
    }
    return this.userFrom(payload);
  }

  private async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.keys!, {
      issuer: this.config.issuer.url,
      audience: this.config.issuer.audiences,
      clockTolerance: LEEWAY_SECONDS,
      currentDate: new Date(this.now()),
    });
    return payload;
  }

  private userFrom(claims: JWTPayload): TokenResult {
    for (const rule of this.config.claimValidationRules ?? []) {
      if (!rule.claim) continue;
      const got = claims[rule.claim];
      if (typeof got !== 'string' || got !== (rule.requiredValue ?? '')) {
        return { kind: 'error', reason: `oidc: required claim ${rule.claim} value does not match. Got = ${String(got)}, want = ${rule.requiredValue ?? ''}` };
      }
    }
    const m = this.config.claimMappings;
    const usernameClaim = m.username.claim!;
    const username = claims[usernameClaim];
    if (typeof username !== 'string') return { kind: 'error', reason: `oidc: parse username claims "${usernameClaim}": claim not present` };
    if (usernameClaim === 'email' && claims.email_verified !== undefined && claims.email_verified !== true) {
      return { kind: 'error', reason: 'oidc: email not verified' };
    }
    const user: { username: string; uid?: string; groups?: string[] } = { username: (m.username.prefix ?? '') + username };
    if (m.groups?.claim) {
      const raw = claims[m.groups.claim];
      const groups = raw === undefined ? [] : typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : undefined;
      if (!groups) return { kind: 'error', reason: `oidc: parse groups claim "${m.groups.claim}": unexpected type` };
      user.groups = groups.map((g) => (m.groups!.prefix ?? '') + g);
    }
    if (m.uid?.claim) {
      const uid = claims[m.uid.claim];
      if (typeof uid === 'string') user.uid = uid;
    }
    return { kind: 'user', user, audiences: [] };
  }
}
