import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRawURLBase64 } from './go-base64.js';

const text = (s: string) => {
  const r = decodeRawURLBase64(s);
  return 'bytes' in r ? Buffer.from(r.bytes).toString('latin1') : `ERR ${r.error}`;
};

test('decodes unpadded URL-safe base64', () => {
  assert.equal(text(''), '');
  assert.equal(text('Zg'), 'f');
  assert.equal(text('Zm8'), 'fo');
  assert.equal(text('Zm9v'), 'foo');
  assert.equal(text('Zm9vYmFy'), 'foobar');
  assert.equal(text('-_-_'), Buffer.from('-_-_', 'base64url').toString('latin1'));
  assert.equal(text('Zm9v\r\nYmFy\n'), 'foobar'); // CR and LF are skipped
  assert.equal(text('Zh'), 'f'); // trailing bits are not checked (non-strict)
});

test("fails where Go fails, at Go's offsets", () => {
  assert.equal(text('Z'), 'ERR illegal base64 data at input byte 0');
  assert.equal(text('Zm9vY'), 'ERR illegal base64 data at input byte 4');
  assert.equal(text('Zg=='), 'ERR illegal base64 data at input byte 2');
  assert.equal(text('Zm+v'), 'ERR illegal base64 data at input byte 2');
  assert.equal(text('Zm9v/w'), 'ERR illegal base64 data at input byte 4');
  assert.equal(text('Z\n'), 'ERR illegal base64 data at input byte 1');
  assert.equal(text('Zm9vé'), 'ERR illegal base64 data at input byte 4');
});
