import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WarningRecorder, warningHeaderValue } from './warnings.js';

class Headers {
  values: string[] = [];
  add(_name: string, value: string): void {
    this.values.push(value);
  }
  delete(): void {
    this.values = [];
  }
}

test('warning header values: 299, agent "-", quotes and backslashes escaped', () => {
  assert.equal(warningHeaderValue('plain'), '299 - "plain"');
  assert.equal(warningHeaderValue('say "hi" \\ bye'), '299 - "say \\"hi\\" \\\\ bye"');
  assert.equal(warningHeaderValue('bad\nline'), undefined);
  assert.equal(warningHeaderValue('lone \ud800'), undefined);
  // UTF-8 bytes carried as Latin-1 characters, as Node writes header strings
  assert.equal(Buffer.from(warningHeaderValue('héllo')!, 'latin1').toString('utf8'), '299 - "héllo"');
});

test('duplicates and empty warnings are dropped', () => {
  const h = new Headers();
  const r = new WarningRecorder(h);
  r.addAll(['a', '', 'b', 'a']);
  assert.deepEqual(h.values, ['299 - "a"', '299 - "b"']);
});

test('past 4096 runes, every warning is truncated to 256 runes and the budget is enforced', () => {
  const h = new Headers();
  const r = new WarningRecorder(h);
  r.add('x'.repeat(3000));
  r.add('y'.repeat(1000));
  assert.equal(h.values.length, 2);
  r.add('z'.repeat(500)); // crosses the budget: everything is rewritten truncated
  assert.deepEqual(h.values, [`299 - "${'x'.repeat(256)}"`, `299 - "${'y'.repeat(256)}"`, `299 - "${'z'.repeat(256)}"`]);
  for (let i = 0; i < 40; i++) r.add(`w${i}-${'w'.repeat(300)}`);
  const total = h.values.reduce((n, v) => n + v.length - 8, 0);
  assert.ok(total <= 4096 + 256, `total ${total}`);
  const before = h.values.length;
  r.add('one more');
  assert.equal(h.values.length, before);
});
