import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkKeyNames,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isPathSegmentName,
  isPathSegmentPrefix,
  isQualifiedName,
  isValidLabelValue,
  validateName,
} from './names.js';
import { StatusError } from './status.js';

const LABEL_REGEX_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_REGEX_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const KEY_NAME_REGEX_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('DNS-1123 labels', () => {
  for (const good of ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '1-0', 'a'.repeat(63)]) {
    assert.deepEqual(isDNS1123Label(good), [], good);
  }
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('A'), [LABEL_REGEX_MSG]);
  assert.deepEqual(isDNS1123Label('-a'), [LABEL_REGEX_MSG]);
  assert.deepEqual(isDNS1123Label(''), [LABEL_REGEX_MSG]);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('DNS-1123 subdomains', () => {
  for (const good of ['a', 'a.b', 'a-1.b-2', '0.a', 'a'.repeat(253)]) assert.deepEqual(isDNS1123Subdomain(good), [], good);
  assert.deepEqual(isDNS1123Subdomain('A.b'), [SUBDOMAIN_REGEX_MSG]);
  assert.deepEqual(isDNS1123Subdomain('a..b'), [SUBDOMAIN_REGEX_MSG]);
  assert.deepEqual(isDNS1123Subdomain('a.'), [SUBDOMAIN_REGEX_MSG]);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  assert.deepEqual(isDNS1123Subdomain('A'.repeat(254)), ['must be no more than 253 characters', SUBDOMAIN_REGEX_MSG]);
});

test('DNS-1035 labels start with a letter', () => {
  assert.deepEqual(isDNS1035Label('a-1'), []);
  assert.deepEqual(isDNS1035Label('1a'), [
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

test('qualified names (label keys)', () => {
  for (const good of ['simple', 'now-with-dashes', '1-starts-with-num', '1234', 'simple/simple', 'now-with-dashes/simple',
    'now-with-dashes/now-with-dashes', 'now.with.dots/simple', 'now-with.dashes-and.dots/simple',
    '1-num.2-num/3-num', '1234/5678', '1.2.3.4/5678', 'Uppercase_Is_OK_123', 'example.com/Uppercase_Is_OK_123',
    'requests.storage-foo', 'a'.repeat(63), 'a'.repeat(253) + '/' + 'b'.repeat(63)]) {
    assert.deepEqual(isQualifiedName(good), [], good);
  }
  assert.deepEqual(isQualifiedName('a/b/c'), [
    "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
  ]);
  assert.deepEqual(isQualifiedName('/simple'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('example.com/'), ['name part must be non-empty', KEY_NAME_REGEX_MSG]);
  assert.deepEqual(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 bytes']);
  assert.deepEqual(isQualifiedName('Example.com/x'), [`prefix part ${SUBDOMAIN_REGEX_MSG}`]);
  assert.deepEqual(isQualifiedName('a'.repeat(254) + '/x'), ['prefix part must be no more than 253 bytes']);
  assert.deepEqual(isQualifiedName('-bad'), [KEY_NAME_REGEX_MSG]);
  // Lengths are UTF-8 bytes, as Go's len().
  assert.deepEqual(isQualifiedName('é'.repeat(32)), ['name part must be no more than 63 bytes', KEY_NAME_REGEX_MSG]);
});

test('label values', () => {
  for (const good of ['', 'simple', 'now-with-dashes', '1-starts-with-num', 'end-with-num-1', '1234', 'a'.repeat(63), 'Uppercase_Is_OK_123']) {
    assert.deepEqual(isValidLabelValue(good), [], good);
  }
  const regexMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  assert.deepEqual(isValidLabelValue('nospecialchars%^=@'), [regexMsg]);
  assert.deepEqual(isValidLabelValue('-starts'), [regexMsg]);
  assert.deepEqual(isValidLabelValue('a'.repeat(64)), ['must be no more than 63 bytes']);
});

test('path segment names', () => {
  assert.deepEqual(isPathSegmentName('.'), ["may not be '.'"]);
  assert.deepEqual(isPathSegmentName('..'), ["may not be '..'"]);
  assert.deepEqual(isPathSegmentName('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
  assert.deepEqual(isPathSegmentName('Any Thing..'), []);
  assert.deepEqual(isPathSegmentPrefix('..'), []);
});

test('validateName applies the resource name rule, masking a trailing dash on prefixes', () => {
  assert.deepEqual(validateName('dns1123Subdomain', 'my.name', false), []);
  assert.deepEqual(validateName('dns1123Subdomain', 'web-', false), [SUBDOMAIN_REGEX_MSG]);
  assert.deepEqual(validateName('dns1123Subdomain', 'web-', true), []);
  assert.deepEqual(validateName('dns1123Label', 'a.b', false), ['must not contain dots']);
  assert.deepEqual(validateName('dns1123Label', 'ab-', true), []);
  assert.deepEqual(validateName('dns1035Label', 'x-', true), []);
  assert.deepEqual(validateName('pathSegment', '..', false), ["may not be '..'"]);
  assert.deepEqual(validateName('pathSegment', '..', true), []);
  assert.throws(() => validateName('bogus' as never, 'x', false), TypeError);
});

test('checkKeyNames rejects request names kube cannot key', () => {
  assert.doesNotThrow(() => checkKeyNames('ok'));
  assert.doesNotThrow(() => checkKeyNames('ok', 'default'));
  const cases: [() => void, string][] = [
    [() => checkKeyNames(''), 'Name parameter required.'],
    [() => checkKeyNames('x', ''), 'Namespace parameter required.'],
    [() => checkKeyNames('a/%b'), `Name parameter invalid: "a/%b": may not contain '/';may not contain '%'`],
    [() => checkKeyNames('..'), `Name parameter invalid: "..": may not be '..'`],
  ];
  for (const [fn, message] of cases) {
    assert.throws(fn, (err: unknown) => err instanceof StatusError && err.code === 400 && err.message === message);
  }
});
