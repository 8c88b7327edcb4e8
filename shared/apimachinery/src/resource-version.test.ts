import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareResourceVersions,
  formatResourceVersion,
  newListResourceVersionTooOld,
  newTooLargeResourceVersion,
  newTooOldResourceVersion,
  newWatchResourceVersionTooOld,
  parseObjectResourceVersion,
  parseResourceVersion,
  parseUint64,
  resourceVersionFieldError,
} from './resource-version.js';
import { StatusError } from './status.js';

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError);
    return err;
  }
  assert.fail('expected a StatusError');
}

test('ParseUint semantics and texts', () => {
  assert.deepEqual(parseUint64('0'), { value: 0n });
  assert.deepEqual(parseUint64('007'), { value: 7n });
  assert.deepEqual(parseUint64('18446744073709551615'), { value: 2n ** 64n - 1n });
  assert.deepEqual(parseUint64('18446744073709551616'), { error: 'strconv.ParseUint: parsing "18446744073709551616": value out of range' });
  assert.deepEqual(parseUint64('+1'), { error: 'strconv.ParseUint: parsing "+1": invalid syntax' });
  assert.deepEqual(parseUint64('-1'), { error: 'strconv.ParseUint: parsing "-1": invalid syntax' });
  assert.deepEqual(parseUint64(''), { error: 'strconv.ParseUint: parsing "": invalid syntax' });
  // Go reports the overflow before it sees the bad character that follows.
  assert.deepEqual(parseUint64('99999999999999999999x'), {
    error: 'strconv.ParseUint: parsing "99999999999999999999x": value out of range',
  });
});

test('parseResourceVersion accepts "", "0" and decimals', () => {
  assert.equal(parseResourceVersion(''), 0);
  assert.equal(parseResourceVersion('0'), 0);
  assert.equal(parseResourceVersion('12345'), 12345);
  assert.equal(resourceVersionFieldError('12'), undefined);
  assert.equal(resourceVersionFieldError('x')?.errorString(), 'resourceVersion: Invalid value: "x": strconv.ParseUint: parsing "x": invalid syntax');
});

test('a bad resourceVersion is rejected the way each verb does in kube', () => {
  const list = statusOf(() => parseResourceVersion('abc'));
  assert.equal(list.code, 400);
  assert.equal(list.reason, 'BadRequest');
  assert.equal(list.message, 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax');
  for (const verb of ['get', 'watch'] as const) {
    const err = statusOf(() => parseResourceVersion('-1', verb));
    assert.equal(err.code, 500);
    assert.equal(err.reason, '');
    assert.equal(err.message, 'resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax');
  }
});

test('object resourceVersions', () => {
  assert.equal(parseObjectResourceVersion(undefined), 0);
  assert.equal(parseObjectResourceVersion(''), 0);
  assert.equal(parseObjectResourceVersion('42'), 42);
  const err = statusOf(() => parseObjectResourceVersion('4x'));
  assert.equal(err.code, 500);
  assert.equal(err.message, 'strconv.ParseUint: parsing "4x": invalid syntax');
});

test('format and compare', () => {
  assert.equal(formatResourceVersion(0), '0');
  assert.equal(formatResourceVersion(987654321), '987654321');
  assert.throws(() => formatResourceVersion(-1), RangeError);
  assert.throws(() => formatResourceVersion(1.5), RangeError);
  assert.equal(compareResourceVersions('9', '10'), -1);
  assert.equal(compareResourceVersions('10', '10'), 0);
  assert.equal(compareResourceVersions('18446744073709551615', '18446744073709551614'), 1);
  assert.equal(compareResourceVersions('', '0'), 0);
  assert.equal(statusOf(() => compareResourceVersions('a', '1')).code, 400);
});

test('too old and too large', () => {
  const old = newTooOldResourceVersion(5, 10);
  assert.equal(old.code, 410);
  assert.equal(old.reason, 'Expired');
  assert.equal(old.message, 'too old resource version: 5 (10)');
  assert.equal(newTooOldResourceVersion(5).message, 'too old resource version: 5');
  assert.equal(newWatchResourceVersionTooOld().message, 'The resourceVersion for the provided watch is too old.');
  assert.equal(newListResourceVersionTooOld().message, 'The resourceVersion for the provided list is too old.');
  const large = newTooLargeResourceVersion(100, 90, 1);
  assert.equal(large.code, 504);
  assert.equal(large.reason, 'Timeout');
  assert.equal(large.message, 'Timeout: Too large resource version: 100, current: 90');
  assert.deepEqual(large.status.details, {
    retryAfterSeconds: 1,
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
  });
});
