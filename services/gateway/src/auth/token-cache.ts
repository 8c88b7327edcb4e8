// The token cache, as k8s.io/apiserver/pkg/authentication/token/cache: results of a token
// authenticator are kept per (audiences, token) — the key is a SHA-256 so no token is held in
// memory as is — for `successTtlMs` when a user came out and for `failureTtlMs` otherwise
// (negative caching; 0 disables it), in a bounded LRU. Concurrent lookups of one key share one
// call (kube's singleflight).

import { createHash } from 'node:crypto';
import type { TokenAuthenticator, TokenResult } from './token.js';

export interface TokenCacheOptions {
  successTtlMs: number;
  failureTtlMs: number;
  /** Most entries kept; the least recently used goes first (kube: 4096 per cache). */
  maxEntries?: number;
  now?: () => number;
}

export const DEFAULT_TOKEN_CACHE_ENTRIES = 4096;

export class CachedTokenAuthenticator implements TokenAuthenticator {
  private readonly entries = new Map<string, { result: TokenResult; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<TokenResult>>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: TokenAuthenticator,
    private readonly options: TokenCacheOptions,
  ) {
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_TOKEN_CACHE_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  private key(token: string, audiences: readonly string[]): string {
    const h = createHash('sha256');
    for (const a of audiences) h.update(`${a.length}:${a}`);
    h.update('|');
    h.update(token);
    return h.digest('base64');
  }

  async authenticateToken(token: string, audiences: readonly string[]): Promise<TokenResult> {
    const key = this.key(token, audiences);
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.expiresAt > this.now()) {
        // refresh its place in the LRU order
        this.entries.delete(key);
        this.entries.set(key, hit);
        return hit.result;
      }
      this.entries.delete(key);
    }
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const call = this.inner.authenticateToken(token, audiences).finally(() => this.inflight.delete(key));
    this.inflight.set(key, call);
    const result = await call;
    const ttl = result.kind === 'user' ? this.options.successTtlMs : this.options.failureTtlMs;
    if (ttl > 0) {
      this.entries.set(key, { result, expiresAt: this.now() + ttl });
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return result;
  }
}
