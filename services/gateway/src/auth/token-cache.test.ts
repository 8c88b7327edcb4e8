import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachedTokenAuthenticator } from './token-cache.js';
import type { TokenAuthenticator, TokenResult } from './token.js';

function counting(result: (token: string) => TokenResult): TokenAuthenticator & { calls: number } {
  const a = {
    calls: 0,
    async authenticateToken(token: string) {
      a.calls++;
      return result(token);
    },
  };
  return a;
}

test('token cache: hits within the success TTL, expires after it, keyed by audiences', async () => {
  let now = 1_000;
  const inner = counting((t) => (t === 'good' ? { kind: 'user', user: { username: 'u' }, audiences: [] } : { kind: 'error', reason: 'bad' }));
  const cache = new CachedTokenAuthenticator(inner, { successTtlMs: 10_000, failureTtlMs: 0, now: () => now });
  await cache.authenticateToken('good', ['a']);
  await cache.authenticateToken('good', ['a']);
  assert.equal(inner.calls, 1);
  await cache.authenticateToken('good', ['b']);
  assert.equal(inner.calls, 2);
  now += 10_001;
  await cache.authenticateToken('good', ['a']);
  assert.equal(inner.calls, 3);
  // failures are not cached with a failure TTL of 0
  await cache.authenticateToken('bad', []);
  await cache.authenticateToken('bad', []);
  assert.equal(inner.calls, 5);
});

test('token cache: negative caching and the size bound (LRU)', async () => {
  const now = 0;
  const inner = counting((t) => (t.startsWith('ok') ? { kind: 'user', user: { username: t }, audiences: [] } : { kind: 'none' }));
  const cache = new CachedTokenAuthenticator(inner, { successTtlMs: 60_000, failureTtlMs: 30_000, maxEntries: 2, now: () => now });
  await cache.authenticateToken('bad', []);
  await cache.authenticateToken('bad', []);
  assert.equal(inner.calls, 1, 'negative result cached');
  await cache.authenticateToken('ok1', []);
  await cache.authenticateToken('ok2', []); // evicts 'bad' (least recently used)
  assert.equal(cache.size, 2);
  await cache.authenticateToken('bad', []);
  assert.equal(inner.calls, 4);
});

test('token cache: concurrent lookups share one call', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let calls = 0;
  const cache = new CachedTokenAuthenticator(
    {
      async authenticateToken() {
        calls++;
        await gate;
        return { kind: 'user', user: { username: 'x' }, audiences: [] };
      },
    },
    { successTtlMs: 1000, failureTtlMs: 0 },
  );
  const both = Promise.all([cache.authenticateToken('t', []), cache.authenticateToken('t', [])]);
  release();
  await both;
  assert.equal(calls, 1);
});
