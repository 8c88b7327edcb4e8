import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedCheck, evaluateHealth, evaluateSingleCheck, logCheck, type HealthCheck } from './health.js';

const ok = (name: string): HealthCheck => ({ name, check: async () => {} });
const bad = (name: string, why = 'broken'): HealthCheck => ({ name, check: async () => { throw new Error(why); } });
const hang = (name: string): HealthCheck => ({ name, check: () => new Promise(() => {}) });

test('all passing: "ok", or the verbose listing', async () => {
  const checks = [ok('ping'), ok('log'), ok('storage')];
  assert.deepEqual(await evaluateHealth('readyz', checks, [], false, 1000), { code: 200, body: 'ok', failed: false, reasons: {} });
  const verbose = await evaluateHealth('readyz', checks, [], true, 1000);
  assert.equal(verbose.code, 200);
  assert.equal(verbose.body, '[+]ping ok\n[+]log ok\n[+]storage ok\nreadyz check passed\n');
});

test('a failure is 500, always verbose, with the reason withheld', async () => {
  const r = await evaluateHealth('livez', [ok('ping'), bad('storage', 'kv down'), ok('admission')], [], false, 1000);
  assert.equal(r.code, 500);
  assert.equal(r.body, '[+]ping ok\n[-]storage failed: reason withheld\n[+]admission ok\nlivez check failed');
  assert.deepEqual(r.reasons, { storage: 'kv down' });
});

test('exclusions, including unknown ones', async () => {
  const r = await evaluateHealth('healthz', [ok('ping'), bad('storage')], ['storage', 'zeta', 'alpha'], true, 1000);
  assert.equal(r.code, 200);
  assert.equal(
    r.body,
    '[+]ping ok\n[+]storage excluded: ok\nwarn: some health checks cannot be excluded: no matches for "alpha","zeta"\nhealthz check passed\n',
  );
});

test('a check that hangs fails at its timeout', async () => {
  const started = Date.now();
  const r = await evaluateHealth('readyz', [hang('storage')], [], false, 50);
  assert.equal(r.code, 500);
  assert.ok(Date.now() - started < 1000);
  assert.match(r.reasons.storage!, /timed out/);
});

test('single check paths reveal the reason', async () => {
  assert.deepEqual(await evaluateSingleCheck(ok('ping'), 100), { code: 200, body: 'ok', failed: false });
  assert.deepEqual(await evaluateSingleCheck(bad('bus', 'bus is not connected'), 100), {
    code: 500,
    body: 'internal server error: bus is not connected',
    failed: true,
  });
});

test('log check fails only after the stream stays blocked', async () => {
  const stream = { writableNeedDrain: false } as NodeJS.WriteStream;
  const check = logCheck(20, stream);
  await check.check();
  (stream as { writableNeedDrain: boolean }).writableNeedDrain = true;
  await check.check();
  await new Promise((r) => setTimeout(r, 40));
  await assert.rejects(check.check(), /logging blocked/);
  (stream as { writableNeedDrain: boolean }).writableNeedDrain = false;
  await check.check();
});

/** A check that counts its runs and settles each only when told. */
function controlled(name: string) {
  const runs: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const check: HealthCheck = {
    name,
    check: () => new Promise<void>((resolve, reject) => runs.push({ resolve, reject })),
  };
  return { check, runs };
}

test('cachedCheck: concurrent probes share one run', async () => {
  const { check, runs } = controlled('storage');
  const clock = { now: 0 };
  const cached = cachedCheck(check, { ttlMs: 1000, timeoutMs: 5000, now: () => clock.now });
  const probes = Array.from({ length: 50 }, () => evaluateSingleCheck(cached, 5000));
  assert.equal(runs.length, 1);
  runs[0]!.resolve();
  for (const r of await Promise.all(probes)) assert.deepEqual(r, { code: 200, body: 'ok', failed: false });
  assert.equal(runs.length, 1);
});

test('cachedCheck: an outcome, pass or failure, is reused for the ttl after it settled', async () => {
  const { check, runs } = controlled('storage');
  const clock = { now: 0 };
  const cached = cachedCheck(check, { ttlMs: 1000, timeoutMs: 5000, now: () => clock.now });
  const first = cached.check();
  clock.now = 400; // settles at 400
  runs[0]!.reject(new Error('kv down'));
  await assert.rejects(first, /kv down/);
  clock.now = 1399;
  await assert.rejects(cached.check(), /kv down/);
  assert.equal(runs.length, 1);
  clock.now = 1400;
  const second = cached.check();
  assert.equal(runs.length, 2);
  runs[1]!.resolve();
  await second;
  clock.now = 2000;
  await cached.check();
  assert.equal(runs.length, 2);
});

test('cachedCheck: a run that hangs fails at the timeout, and the next probe after the ttl runs again', async () => {
  const { check, runs } = controlled('storage');
  const clock = { now: 0 };
  const cached = cachedCheck(check, { ttlMs: 10, timeoutMs: 30, now: () => clock.now });
  const started = Date.now();
  await assert.rejects(cached.check(), /timed out after 30ms/);
  assert.ok(Date.now() - started < 1000);
  await assert.rejects(cached.check(), /timed out after 30ms/);
  assert.equal(runs.length, 1);
  clock.now = 10;
  void cached.check().catch(() => {});
  assert.equal(runs.length, 2);
  runs[1]!.resolve();
});

test('cachedCheck with ttl 0 only shares runs in flight; a synchronous throw is a failure', async () => {
  const { check, runs } = controlled('admission');
  const cached = cachedCheck(check, { ttlMs: 0, timeoutMs: 1000 });
  const a = cached.check();
  const b = cached.check();
  assert.equal(runs.length, 1);
  runs[0]!.resolve();
  await Promise.all([a, b]);
  const c = cached.check();
  assert.equal(runs.length, 2);
  runs[1]!.resolve();
  await c;
  const throwing = cachedCheck({ name: 'x', check: () => { throw new Error('sync'); } }, { ttlMs: 0, timeoutMs: 1000 });
  await assert.rejects(throwing.check(), /sync/);
  assert.deepEqual(await evaluateSingleCheck({ name: 'y', check: () => { throw new Error('sync'); } }, 100), {
    code: 500,
    body: 'internal server error: sync',
    failed: true,
  });
});
