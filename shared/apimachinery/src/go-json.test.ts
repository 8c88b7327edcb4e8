import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGoJSON, goJSONEncodedLength, goJSONTypeName, parseGoJSON, readTopLevel } from './go-json.js';

const check = (s: string) => checkGoJSON(Buffer.from(s, 'utf8'));

test('valid documents pass', () => {
  for (const s of ['{}', '[]', '0', '-0.5e+10', '"a\\u00e9\\n"', 'true', 'null', ' {"a": [1, 2, {"b": null}], "c": false} ', '1E5']) {
    assert.equal(check(s), undefined, s);
  }
});

test("the first error has Go's text", () => {
  const cases: [string, string][] = [
    ['', 'unexpected end of JSON input'],
    ['   ', 'unexpected end of JSON input'],
    ['{', 'unexpected end of JSON input'],
    ['[1,', 'unexpected end of JSON input'],
    ['"abc', 'unexpected end of JSON input'],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['{1', "invalid character '1' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b"}', "invalid character '\"' after object key:value pair"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['1 2', "invalid character '2' after top-level value"],
    ['01', "invalid character '1' after top-level value"],
    ['-', "invalid character ' ' in numeric literal"],
    ['-a', "invalid character 'a' in numeric literal"],
    ['1.', "invalid character ' ' after decimal point in numeric literal"],
    ['1.e', "invalid character 'e' after decimal point in numeric literal"],
    ['1e', "invalid character ' ' in exponent of numeric literal"],
    ['1e+x', "invalid character 'x' in exponent of numeric literal"],
    ['tru', "invalid character ' ' in literal true (expecting 'e')"],
    ['nul!', "invalid character '!' in literal null (expecting 'l')"],
    ['fx', "invalid character 'x' in literal false (expecting 'a')"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ['\u00e9', "invalid character 'Ã' looking for beginning of value"],
  ];
  for (const [input, want] of cases) assert.equal(check(input), want, JSON.stringify(input));
  assert.equal(check('['.repeat(10001)), "invalid character '[' exceeded max depth");
  assert.equal(check('['.repeat(10000)), 'unexpected end of JSON input');
});

test('top-level members keep raw values', () => {
  const doc = ' { "a" : 1.50 , "b\\"c":{"x":"}"}, "d":[1,[2]],"e":"s\\"" ,"f":null,"g":true} ';
  assert.equal(check(doc), undefined);
  assert.deepEqual(readTopLevel(doc), {
    kind: 'object',
    members: [
      { key: 'a', kind: 'number', raw: '1.50' },
      { key: 'b"c', kind: 'object', raw: '{"x":"}"}' },
      { key: 'd', kind: 'array', raw: '[1,[2]]' },
      { key: 'e', kind: 'string', raw: '"s\\""' },
      { key: 'f', kind: 'null', raw: 'null' },
      { key: 'g', kind: 'bool', raw: 'true' },
    ],
  });
  assert.deepEqual(readTopLevel(' [1]'), { kind: 'array', members: [] });
  assert.deepEqual(readTopLevel('{}'), { kind: 'object', members: [] });
});

test("goJSONTypeName: encoding/json's names in UnmarshalTypeError", () => {
  const cases: [unknown, string][] = [[{}, 'object'], [[], 'array'], ['s', 'string'], [1.5, 'number'], [true, 'bool'], [null, 'null']];
  for (const [value, name] of cases) assert.equal(goJSONTypeName(value), name, JSON.stringify(value));
});

test("goJSONEncodedLength: len(json.Marshal(v)), with Go's HTML-safe escapes", () => {
  const cases: [unknown, string][] = [
    [{ a: [1, 'x', null, true] }, '{"a":[1,"x",null,true]}'],
    ['<a & b>', '"\\u003ca \\u0026 b\\u003e"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['é€😀', '"é€😀"'],
    ['\n\t"\\', '"\\n\\t\\"\\\\"'],
  ];
  for (const [value, goText] of cases) assert.equal(goJSONEncodedLength(value), Buffer.byteLength(goText, 'utf8'), goText);
});

test('parseGoJSON: the value, or the error Go reports for the same bytes', () => {
  const parse = (s: string) => parseGoJSON(Buffer.from(s, 'utf8'));
  assert.deepEqual(parse(' {"a":[1,"\\"[{",{"b":null}]} '), { value: { a: [1, '"[{', { b: null }] } });
  for (const bad of ['', '{"a":', '[1,]', '{"a":1}}', '\ufeff{}', '"\\x"', '01']) {
    const expected = checkGoJSON(Buffer.from(bad, 'utf8'));
    assert.ok(expected !== undefined, bad);
    assert.deepEqual(parse(bad), { error: expected }, bad);
  }
  const deep = (n: number, inner = '1') => '['.repeat(n) + inner + ']'.repeat(n);
  assert.ok('value' in parse(deep(10_000)));
  assert.deepEqual(parse(deep(10_001)), { error: "invalid character '[' exceeded max depth" });
  // Brackets inside strings (escaped quotes included) do not nest.
  assert.ok('value' in parse(deep(9_999, '"[[[\\"[[[\\\\"')));
  // A syntax error before the nesting limit is reached is the one reported.
  assert.deepEqual(parse('[x' + deep(10_001)), { error: "invalid character 'x' looking for beginning of value" });
});
