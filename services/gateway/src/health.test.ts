import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateHealth, evaluateSingleCheck, logCheck, type HealthCheck } from './health.js';

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
