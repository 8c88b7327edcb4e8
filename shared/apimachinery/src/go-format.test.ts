import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareGoStrings, formatGoFloat, formatGoNumber, goJSONMarshal, goJSONString, goQuote, parseGoInt64 } from './go-format.js';

test('goQuote escapes like strconv.Quote', () => {
  assert.equal(goQuote('abc'), '"abc"');
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote('\x07\b\f\n\r\t\v'), '"\\a\\b\\f\\n\\r\\t\\v"');
  assert.equal(goQuote('\x00\x1f\x7f'), '"\\x00\\x1f\\x7f"');
  assert.equal(goQuote('héllo 世界'), '"héllo 世界"');
  assert.equal(goQuote('\u00a0'), '"\\u00a0"'); // a space other than ASCII space is not printable
  assert.equal(goQuote('\u200b'), '"\\u200b"');
  assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
  assert.equal(goQuote('😀'), '"😀"');
  assert.equal(goQuote('\ud800'), '"\ufffd"'); // a lone surrogate is U+FFFD in Go
});

test('floats print as %v does', () => {
  assert.equal(formatGoFloat(1.5), '1.5');
  assert.equal(formatGoFloat(100000), '100000');
  assert.equal(formatGoFloat(1e6), '1e+06');
  assert.equal(formatGoFloat(1234567), '1.234567e+06');
  assert.equal(formatGoFloat(0.0001), '0.0001');
  assert.equal(formatGoFloat(0.00001), '1e-05');
  assert.equal(formatGoFloat(-2.5e-7), '-2.5e-07');
  assert.equal(formatGoFloat(1e100), '1e+100');
  assert.equal(formatGoFloat(NaN), 'NaN');
  assert.equal(formatGoFloat(-Infinity), '-Inf');
  assert.equal(formatGoNumber(1e21), '1000000000000000000000');
  assert.equal(formatGoNumber(-3), '-3');
  assert.equal(formatGoNumber(0.25), '0.25');
});

test('JSON strings are HTML-safe as encoding/json writes them', () => {
  assert.equal(goJSONString('<a&b>'), '"\\u003ca\\u0026b\\u003e"');
  assert.equal(goJSONString('x\u0000y\u2028'), '"x\\u0000y\\u2028"');
  assert.equal(goJSONString('tab\t"q"'), '"tab\\t\\"q\\""');
  assert.equal(goJSONString('\udc00'), '"\\ufffd"');
  assert.equal(goJSONString('😀'), '"😀"');
});

test('json.Marshal sorts map keys and skips undefined members', () => {
  assert.equal(goJSONMarshal({ b: 1, a: [true, null], c: undefined }), '{"a":[true,null],"b":1}');
  assert.equal(goJSONMarshal(undefined), 'null');
  assert.equal(goJSONMarshal(new Date(Date.UTC(2020, 0, 1))), '"2020-01-01T00:00:00.000Z"');
});

test('Go string order is code point order', () => {
  const values = ['\u{10000}', '\uffff', 'b', 'a'];
  assert.deepEqual([...values].sort(compareGoStrings), ['a', 'b', '\uffff', '\u{10000}']);
  assert.equal(compareGoStrings('ab', 'a'), 1);
  assert.equal(compareGoStrings('a', 'a'), 0);
});

test('ParseInt accepts a sign and int64 range only', () => {
  assert.equal(parseGoInt64('+5'), 5n);
  assert.equal(parseGoInt64('-9223372036854775808'), -(2n ** 63n));
  assert.equal(parseGoInt64('9223372036854775808'), undefined);
  assert.equal(parseGoInt64(''), undefined);
  assert.equal(parseGoInt64('1_000'), undefined);
  assert.equal(parseGoInt64(' 1'), undefined);
});
