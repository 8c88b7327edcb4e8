import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoParseError, parseGoBool, parseGoDuration, parseInt64, queryBool } from './go-strconv.js';

test('parseGoDuration accepts what time.ParseDuration accepts', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['1s', 1000],
    ['300ms', 300],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['-1m', -60_000],
    ['+10s', 10_000],
    ['.5s', 500],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['100ns', 0.0001],
  ];
  for (const [text, ms] of cases) assert.ok(Math.abs(parseGoDuration(text) - ms) < 1e-9, text);
});

test('parseGoDuration rejects with Go messages', () => {
  const cases: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['abc', 'time: invalid duration "abc"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1s2', 'time: missing unit in duration "1s2"'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseGoDuration(text), (err: unknown) => err instanceof GoParseError && err.message === message, text);
  }
});

test('parseInt64 follows strconv.ParseInt(s, 10, 64)', () => {
  assert.equal(parseInt64('42'), 42n);
  assert.equal(parseInt64('-7'), -7n);
  assert.equal(parseInt64('+7'), 7n);
  assert.equal(parseInt64('9223372036854775807'), 9223372036854775807n);
  assert.throws(() => parseInt64('9223372036854775808'), { message: 'strconv.ParseInt: parsing "9223372036854775808": value out of range' });
  assert.throws(() => parseInt64(''), { message: 'strconv.ParseInt: parsing "": invalid syntax' });
  assert.throws(() => parseInt64(' 1'), { message: 'strconv.ParseInt: parsing " 1": invalid syntax' });
  assert.throws(() => parseInt64('1_000'), { message: 'strconv.ParseInt: parsing "1_000": invalid syntax' });
});

test('bool conversions', () => {
  assert.equal(parseGoBool('T'), true);
  assert.equal(parseGoBool('False'), false);
  assert.equal(parseGoBool('yes'), undefined);
  assert.equal(queryBool(''), true);
  assert.equal(queryBool('0'), false);
  assert.equal(queryBool('FALSE'), false);
  assert.equal(queryBool('no'), true);
});
