import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LabelRequirement,
  LabelsSelector,
  labelsSelectorFromSet,
  newLabelRequirement,
  parseLabelSelector,
  selectorFromLabelSelector,
} from './labels.js';
import { StatusError } from './status.js';

function badRequest(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, 'a StatusError');
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(err.message, message);
    return true;
  });
}

const VALUE_REGEX =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('good selectors round-trip to their canonical form (upstream TestSelectorParse)', () => {
  for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5']) {
    assert.equal(parseLabelSelector(s).toString(), s.replaceAll(' ', ''), s);
  }
});

test('parsing sorts by key and normalises set values', () => {
  assert.equal(parseLabelSelector('x=a,a=x').toString(), parseLabelSelector('a=x,x=a').toString());
  assert.equal(parseLabelSelector('x in (b,a,b),y notin ()').toString(), 'x in (a,b),y notin ()');
  assert.equal(parseLabelSelector('x in (abc,)').toString(), 'x in (,abc)');
  assert.equal(parseLabelSelector('x in (,,abc)').toString(), 'x in (,abc)');
  assert.equal(parseLabelSelector('\rx').toString(), 'x');
  assert.equal(parseLabelSelector('foo  in\t (abc)').toString(), 'foo in (abc)');
  assert.equal(parseLabelSelector('x notin\n (abc)').toString(), 'x notin (abc)');
  assert.equal(parseLabelSelector('0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)').toString(),
    '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)');
  assert.equal(parseLabelSelector('a in (in),notin=in').toString(), 'a in (in),notin=in');
  assert.equal(parseLabelSelector('x==a').toString(), 'x==a');
  // A NUL character where a token starts ends the input, as in kube's lexer; inside an
  // identifier it only ends the identifier.
  assert.equal(parseLabelSelector('a \u0000 b c').toString(), 'a');
  badRequest(() => parseLabelSelector('a\u0000,b c'), "unable to parse requirement: found 'c', expected: in, notin, =, ==, !=, gt, lt");
});

test("bad selectors fail with kube's messages", () => {
  badRequest(() => parseLabelSelector('x=a||y=b'), `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE_REGEX}`);
  badRequest(() => parseLabelSelector('x==a==b'), "found '==', expected: ',' or 'end of string'");
  badRequest(() => parseLabelSelector('!x=a'), "found '=', expected: ',' or 'end of string'");
  badRequest(() => parseLabelSelector('x<a'),
    `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`);
  badRequest(() => parseLabelSelector('a in'), "unable to parse requirement: found '' expected: '('");
  badRequest(() => parseLabelSelector('a in ('), "unable to parse requirement: found '', expected: ',', ')' or identifier");
  badRequest(() => parseLabelSelector('a in (x y)'), "unable to parse requirement: found 'y', expected: ',' or ')'");
  badRequest(() => parseLabelSelector('a in (x,='), "unable to parse requirement: found '=', expected: ',', or identifier");
  badRequest(() => parseLabelSelector('a b'), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  badRequest(() => parseLabelSelector('a=(b'), "unable to parse requirement: found '(', expected: identifier");
  badRequest(() => parseLabelSelector('!'), "unable to parse requirement: found '', expected: identifier");
  badRequest(() => parseLabelSelector('x=a,'), "found '', expected: identifier after ','");
  badRequest(() => parseLabelSelector('(x)'), "found '(', expected: !, identifier, or 'end of string'");
  badRequest(() => parseLabelSelector('a/b/c'),
    "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
  badRequest(() => parseLabelSelector(`x=${'a'.repeat(64)}`),
    `unable to parse requirement: values[0][x]: Invalid value: "${'a'.repeat(64)}": must be no more than 63 bytes`);
});

test('matching (upstream TestSelectorMatches)', () => {
  const yes: [string, Record<string, string>][] = [
    ['', { x: 'y' }],
    ['x=y', { x: 'y' }],
    ['x=y,z=w', { x: 'y', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'a' }],
    ['notin=in', { notin: 'in' }],
    ['x', { x: 'z' }],
    ['!x', { y: 'z' }],
    ['x>1', { x: '2' }],
    ['x<1', { x: '0' }],
    ['x<1', { x: '-5' }],
    ['x in (a,b)', { x: 'b' }],
    ['x notin (a,b)', { y: 'a' }],
    ['x>9223372036854775806', { x: '9223372036854775807' }],
  ];
  const no: [string, Record<string, string>][] = [
    ['x=z', {}],
    ['x=y', { x: 'z' }],
    ['x=y,z=w', { x: 'w', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'w' }],
    ['x', { y: 'z' }],
    ['!x', { x: 'z' }],
    ['x>1', { x: '0' }],
    ['x<1', { x: '2' }],
    ['x>1', { x: 'v2' }],
    ['x>1', {}],
    ['x in (a,b)', { x: 'c' }],
    ['constructor', {}], // inherited object keys are not labels
  ];
  for (const [s, labels] of yes) assert.ok(parseLabelSelector(s).matches(labels), `${s} should match ${JSON.stringify(labels)}`);
  for (const [s, labels] of no) assert.ok(!parseLabelSelector(s).matches(labels), `${s} should not match ${JSON.stringify(labels)}`);
  assert.ok(parseLabelSelector('!x').matches(undefined));
  assert.ok(!parseLabelSelector('x').matches(null));
});

test('Everything and Nothing', () => {
  assert.ok(LabelsSelector.everything().empty());
  assert.ok(LabelsSelector.everything().matches({ x: 'y' }));
  assert.ok(!LabelsSelector.nothing().empty());
  assert.ok(!LabelsSelector.nothing().matches({}));
  assert.ok(LabelsSelector.nothing().matchesNothing());
  assert.equal(LabelsSelector.nothing().toString(), '');
  assert.ok(parseLabelSelector('').empty());
});

test('requirement constructor checks (upstream TestRequirementConstructor)', () => {
  badRequest(() => newLabelRequirement('x1', 'in', []), "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");
  badRequest(() => newLabelRequirement('x5', '=', ['bar', 'foo']),
    'values: Invalid value: ["bar","foo"]: exact-match compatibility requires one single value');
  badRequest(() => newLabelRequirement('x8', 'exists', ['foo']),
    'values: Invalid value: ["foo"]: values set must be empty for exists and does not exist');
  badRequest(() => newLabelRequirement('x13', 'gt', []),
    "values: Invalid value: []: for 'Gt', 'Lt' operators, exactly one value is required");
  badRequest(() => newLabelRequirement('x14', 'gt', ['bar']),
    "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer");
  badRequest(() => newLabelRequirement('x18', 'unsupportedOp' as never, []),
    'operator: Unsupported value: "unsupportedOp": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"');
  badRequest(() => newLabelRequirement('x17', '=', ['a b']), `values[0][x17]: Invalid value: "a b": ${VALUE_REGEX}`);
  const longKey = 'a'.repeat(254);
  assert.throws(() => newLabelRequirement(longKey, 'exists', []), (e: unknown) => e instanceof StatusError && e.message.startsWith(`key: Invalid value: "${longKey}": `));
  assert.equal(newLabelRequirement('x3', 'in', ['foo']).toString(), 'x3 in (foo)');
});

test('toString of hand-built selectors (upstream TestToString)', () => {
  const req = (k: string, op: LabelRequirement['operator'], v: string[] = []) => newLabelRequirement(k, op, v);
  assert.equal(LabelsSelector.of([req('x', 'in', ['def', 'abc']), req('y', 'notin', ['jkl']), req('z', 'exists')]).toString(),
    'x in (abc,def),y notin (jkl),z');
  assert.equal(LabelsSelector.of([req('x', 'notin', ['abc', 'def']), req('y', '!=', ['jkl']), req('z', '!')]).toString(),
    'x notin (abc,def),y!=jkl,!z');
  assert.equal(LabelsSelector.of([req('x', '=', ['abc']), req('y', '==', ['jkl']), req('z', '!=', ['a']), req('z', 'exists')]).toString(),
    'x=abc,y==jkl,z!=a,z');
  assert.equal(LabelsSelector.of([req('x', 'gt', ['2']), req('y', 'lt', ['8']), req('z', 'exists')]).toString(), 'x>2,y<8,z');
  assert.equal(LabelsSelector.everything().add(req('b', 'exists'), req('a', 'exists')).toString(), 'a,b');
});

test('requiresExactMatch', () => {
  const s = parseLabelSelector('a=1,b in (2),c in (3,4),d!=5');
  assert.equal(s.requiresExactMatch('a'), '1');
  assert.equal(s.requiresExactMatch('b'), '2');
  assert.equal(s.requiresExactMatch('c'), undefined);
  assert.equal(s.requiresExactMatch('d'), undefined);
  assert.equal(s.requiresExactMatch('e'), undefined);
});

test('selectors from sets', () => {
  assert.ok(labelsSelectorFromSet(undefined).empty());
  assert.ok(labelsSelectorFromSet({}).empty());
  const s = labelsSelectorFromSet({ foo: 'bar', baz: 'blah' });
  assert.equal(s.toString(), 'baz=blah,foo=bar');
  assert.ok(s.matches({ foo: 'bar', baz: 'blah', other: 'x' }));
  assert.ok(!s.matches({ foo: 'bar' }));
});

test('metav1.LabelSelector conversion', () => {
  assert.ok(selectorFromLabelSelector(null).matchesNothing());
  assert.ok(selectorFromLabelSelector(undefined).matchesNothing());
  assert.ok(selectorFromLabelSelector({}).empty());
  assert.ok(selectorFromLabelSelector({ matchLabels: {}, matchExpressions: [] }).empty());
  const s = selectorFromLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'back'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'team', operator: 'Exists' },
    ],
  });
  assert.equal(s.toString(), 'app=web,!canary,env notin (prod),team,tier in (back,front)');
  assert.ok(s.matches({ app: 'web', tier: 'back', team: 'a' }));
  assert.ok(!s.matches({ app: 'web', tier: 'back', team: 'a', canary: '1' }));
  assert.ok(!s.matches({ app: 'web', tier: 'back', team: 'a', env: 'prod' }));
  badRequest(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }),
    '"Bogus" is not a valid label selector operator');
  badRequest(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty");
  badRequest(() => selectorFromLabelSelector({ matchLabels: { 'a/b/c': 'x' } }),
    "key: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
});
