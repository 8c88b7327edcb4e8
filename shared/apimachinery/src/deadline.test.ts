import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withDeadline } from './deadline.js';

/** Records the timers armed with `ms` while `run` runs, and whether each was cleared. */
async function watchingTimers<T>(t: import('node:test').TestContext, ms: number, run: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; cleared: boolean[] }> {
  const armed = new Map<unknown, boolean>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  t.mock.method(globalThis, 'setTimeout', ((fn: () => void, delay?: number) => {
    const timer = realSet(fn, delay);
    if (delay === ms) armed.set(timer, false);
    return timer;
  }) as typeof setTimeout);
  t.mock.method(globalThis, 'clearTimeout', ((timer: Parameters<typeof clearTimeout>[0]) => {
    if (armed.has(timer)) armed.set(timer, true);
    realClear(timer);
  }) as typeof clearTimeout);
  const [result] = await Promise.allSettled([run()]);
  t.mock.restoreAll();
  return { result: result!, cleared: [...armed.values()] };
}

test('work that settles first wins and its timer is cleared', async (t) => {
  const resolved = await watchingTimers(t, 10_001, () => withDeadline(Promise.resolve(7), 10_001, () => new Error('late')));
  assert.deepEqual(resolved.result, { status: 'fulfilled', value: 7 });
  assert.deepEqual(resolved.cleared, [true]);

  const boom = new Error('boom');
  const rejected = await watchingTimers(t, 10_002, () => withDeadline(Promise.reject(boom), 10_002, () => 'late'));
  assert.deepEqual(rejected.result, { status: 'rejected', reason: boom });
  assert.deepEqual(rejected.cleared, [true]);
});

test('at the deadline: an Error from onTimeout rejects, another value resolves, a throw rejects', async () => {
  const never = new Promise<number>(() => {});
  let calls = 0;
  const timeout = new Error('too slow');
  await assert.rejects(
    withDeadline(never, 5, () => {
      calls++;
      return timeout;
    }),
    (err) => err === timeout,
  );
  assert.equal(calls, 1);
  assert.equal(await withDeadline(never, 5, () => 'timed out' as const), 'timed out');
  await assert.rejects(
    withDeadline(never, 5, () => {
      throw new RangeError('thrown');
    }),
    RangeError,
  );
});

test('work that settles after the deadline changes nothing and is not an unhandled rejection', async () => {
  let fail!: (err: Error) => void;
  const late = new Promise<number>((_, reject) => (fail = reject));
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    assert.equal(await withDeadline(late, 1, () => -1), -1);
    fail(new Error('after the deadline'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a negative or zero deadline fires on the next timer turn, after work already settled', async () => {
  assert.equal(await withDeadline(Promise.resolve('done'), 0, () => 'late'), 'done');
  assert.equal(await withDeadline(new Promise<string>(() => {}), -5, () => 'late'), 'late');
});
