import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeGoBase64 } from './go-base64.js';
import { RFC3339, RFC3339_MICRO, parseGoTime } from './go-time.js';
import { QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR, parseQuantity } from '@kapi/apimachinery';

describe('parseQuantity (resource.ParseQuantity + MarshalJSON)', () => {
  const canonical: [string, string][] = [
    ['0', '0'],
    ['100m', '100m'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['1.0', '1'],
    ['1000', '1k'],
    ['10', '10'],
    ['2000000', '2M'],
    ['1e3', '1e3'],
    ['1024Mi', '1Gi'],
    ['128Mi', '128Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    ['+1Gi', '+1Gi'],
    ['-0', '0'],
    ['0m', '0'],
    ['0.1n', '1n'],
    ['1.2345', '1234500u'],
    ['9Ei', '9223372036854775807'],
    [' 1 ', '1'],
    ['-1.5', '-1500m'],
    ['12e6', '12e6'],
    ['1000000000000000000000', '1e21'],
  ];
  for (const [input, want] of canonical) {
    it(`${JSON.stringify(input)} -> ${want}`, () => assert.deepEqual(parseQuantity(input), { ok: true, canonical: want }));
  }

  it('rejects malformed input with kube texts', () => {
    assert.deepEqual(parseQuantity(''), { ok: false, error: QUANTITY_FORMAT_ERROR });
    assert.deepEqual(parseQuantity('abc'), { ok: false, error: QUANTITY_FORMAT_ERROR });
    assert.deepEqual(parseQuantity('1.2.3'), { ok: false, error: QUANTITY_FORMAT_ERROR });
    assert.deepEqual(parseQuantity('5ki'), { ok: false, error: QUANTITY_SUFFIX_ERROR });
    assert.deepEqual(parseQuantity('1e'), { ok: false, error: QUANTITY_SUFFIX_ERROR });
  });
});

describe('parseGoTime (time.Parse + metav1 MarshalJSON)', () => {
  it('normalises to UTC, whole seconds for Time, micro for MicroTime', () => {
    assert.deepEqual(parseGoTime('2024-01-01T00:00:00Z', RFC3339), { ok: true, canonical: '2024-01-01T00:00:00Z' });
    assert.deepEqual(parseGoTime('2024-01-01T00:30:00.999-01:00', RFC3339), { ok: true, canonical: '2024-01-01T01:30:00Z' });
    assert.deepEqual(parseGoTime('2024-12-31T23:59:59-00:01', RFC3339), { ok: true, canonical: '2025-01-01T00:00:59Z' });
    assert.deepEqual(parseGoTime('2024-01-01T5:06:07Z', RFC3339), { ok: true, canonical: '2024-01-01T05:06:07Z' });
    assert.deepEqual(parseGoTime('2024-01-01T00:00:00.123456789Z', RFC3339_MICRO), {
      ok: false,
      error: 'parsing time "2024-01-01T00:00:00.123456789Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "789Z" as "Z07:00"',
    });
    assert.deepEqual(parseGoTime('2024-01-01T00:00:00.123456+00:00', RFC3339_MICRO), { ok: true, canonical: '2024-01-01T00:00:00.123456Z' });
    assert.deepEqual(parseGoTime('0001-01-01T00:00:00Z', RFC3339), { ok: true, canonical: null });
  });

  it('fails with time.ParseError texts', () => {
    const bad: [string, string][] = [
      ['yesterday', 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
      ['2024-01-01', 'parsing time "2024-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"'],
      ['2024-1-01T00:00:00Z', 'parsing time "2024-1-01T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "1-01T00:00:00Z" as "01"'],
      ['2024-13-01T00:00:00Z', 'parsing time "2024-13-01T00:00:00Z": month out of range'],
      ['2024-01-01T24:00:00Z', 'parsing time "2024-01-01T24:00:00Z": hour out of range'],
      ['2024-04-31T00:00:00Z', 'parsing time "2024-04-31T00:00:00Z": day out of range'],
      ['2024-01-01T00:00:00', 'parsing time "2024-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'],
      ['2024-01-01T00:00:00+0100', 'parsing time "2024-01-01T00:00:00+0100" as "2006-01-02T15:04:05Z07:00": cannot parse "+0100" as "Z07:00"'],
      ['2024-01-01T00:00:00Zjunk', 'parsing time "2024-01-01T00:00:00Zjunk": extra text: "junk"'],
      ['2024-01-01T00:00:00+25:00', 'parsing time "2024-01-01T00:00:00+25:00": time zone offset hour out of range'],
      ['2024-01-01\u00e9', 'parsing time "2024-01-01\\xc3\\xa9" as "2006-01-02T15:04:05Z07:00": cannot parse "\\xc3\\xa9" as "T"'],
    ];
    for (const [input, error] of bad) assert.deepEqual(parseGoTime(input, RFC3339), { ok: false, error }, input);
  });
});

describe('decodeGoBase64 (base64.StdEncoding)', () => {
  it('accepts padded text, ignoring line breaks, and re-encodes it', () => {
    assert.deepEqual(decodeGoBase64('aGVsbG8='), { ok: true, canonical: 'aGVsbG8=' });
    assert.deepEqual(decodeGoBase64(''), { ok: true, canonical: '' });
    assert.deepEqual(decodeGoBase64('aGVs\r\nbG8='), { ok: true, canonical: 'aGVsbG8=' });
    assert.deepEqual(decodeGoBase64('aGVsbA==\n'), { ok: true, canonical: 'aGVsbA==' });
    assert.deepEqual(decodeGoBase64('aGVsbG9='), { ok: true, canonical: 'aGVsbG8=' });
  });

  it('reports the offset of the first bad byte', () => {
    const bad: [string, number][] = [
      ['hello!', 5],
      ['abc', 0],
      ['a', 0],
      ['abcde', 4],
      ['ab=c', 2],
      ['a===', 1],
      ['ab=', 3],
      ['aGVsbG8=x', 8],
      ['aGVsbA==aGVs', 8],
      ['aé==', 1],
    ];
    for (const [input, offset] of bad) {
      assert.deepEqual(decodeGoBase64(input), { ok: false, error: `illegal base64 data at input byte ${offset}` }, input);
    }
  });
});
