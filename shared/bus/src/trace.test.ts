import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  childSpan,
  currentTrace,
  extractTrace,
  formatTraceparent,
  injectTrace,
  isSampled,
  isValidTraceparent,
  newTrace,
  outgoingTrace,
  parseTraceparent,
  runWithTrace,
} from './trace.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;

describe('traceparent', () => {
  it('parses and formats the spec example', () => {
    const ctx = parseTraceparent(VALID);
    assert.deepEqual(ctx, { traceId: TRACE, spanId: SPAN, flags: 1 });
    assert.equal(formatTraceparent(ctx!), VALID);
    assert.equal(parseTraceparent(`  ${VALID} `)?.spanId, SPAN);
    assert.equal(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.flags, 0);
  });

  it('rejects invalid values', () => {
    const bad = [
      '',
      'garbage',
      VALID.toUpperCase(), // hex must be lowercase
      `00-${'0'.repeat(32)}-${SPAN}-01`, // all-zero trace id
      `00-${TRACE}-${'0'.repeat(16)}-01`, // all-zero span id
      `ff-${TRACE}-${SPAN}-01`, // version ff is invalid
      `00-${TRACE}-${SPAN}-01-extra`, // version 00 has exactly four fields
      `00-${TRACE.slice(1)}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-1`,
      `00-${TRACE}-${SPAN}-zz`,
      `00_${TRACE}_${SPAN}_01`,
      `0g-${TRACE}-${SPAN}-01`,
      `01-${TRACE}-${SPAN}-01x`, // a higher version must continue with '-'
    ];
    for (const v of bad) assert.equal(parseTraceparent(v), undefined, v);
    assert.equal(parseTraceparent(undefined), undefined);
    assert.equal(isValidTraceparent(VALID), true);
  });

  it('reads higher versions by their first four fields', () => {
    assert.deepEqual(parseTraceparent(`cc-${TRACE}-${SPAN}-01-what-the-future-holds`), { traceId: TRACE, spanId: SPAN, flags: 1 });
    assert.deepEqual(parseTraceparent(`01-${TRACE}-${SPAN}-03`), { traceId: TRACE, spanId: SPAN, flags: 3 });
  });

  it('refuses to format an invalid context', () => {
    assert.throws(() => formatTraceparent({ traceId: 'x', spanId: SPAN, flags: 1 }), /invalid trace id/);
    assert.throws(() => formatTraceparent({ traceId: TRACE, spanId: SPAN, flags: 256 }), /invalid trace flags/);
  });
});

describe('trace contexts', () => {
  it('generates valid, distinct ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = newTrace();
      assert.ok(isValidTraceparent(formatTraceparent(t)));
      assert.ok(isSampled(t));
      seen.add(t.traceId);
      seen.add(t.spanId);
    }
    assert.equal(seen.size, 4000);
    assert.equal(newTrace({ sampled: false }).flags, 0);
  });

  it('childSpan keeps trace id, flags and tracestate and changes the span id', () => {
    const parent = { traceId: TRACE, spanId: SPAN, flags: 1, traceState: 'vendor=abc' };
    const child = childSpan(parent);
    assert.equal(child.traceId, TRACE);
    assert.equal(child.flags, 1);
    assert.equal(child.traceState, 'vendor=abc');
    assert.notEqual(child.spanId, SPAN);
    assert.match(child.spanId, /^[0-9a-f]{16}$/);
  });

  it('runWithTrace makes a context current across awaits, and nests', async () => {
    assert.equal(currentTrace(), undefined);
    const outer = newTrace();
    const inner = childSpan(outer);
    await runWithTrace(outer, async () => {
      assert.equal(currentTrace(), outer);
      await new Promise((r) => setTimeout(r, 5));
      assert.equal(currentTrace(), outer);
      await runWithTrace(inner, async () => {
        await Promise.resolve();
        assert.equal(currentTrace(), inner);
      });
      assert.equal(currentTrace(), outer);
      runWithTrace(undefined, () => assert.equal(currentTrace(), undefined));
    });
    assert.equal(currentTrace(), undefined);
  });

  it('injects and extracts through headers, matching names case-insensitively', () => {
    const ctx = { traceId: TRACE, spanId: SPAN, flags: 1, traceState: 'congo=t61rcWkgMzE' };
    const h = injectTrace({ Traceparent: 'stale', other: 'x' }, ctx);
    assert.deepEqual(h, { other: 'x', traceparent: VALID, tracestate: 'congo=t61rcWkgMzE' });
    assert.deepEqual(extractTrace(h), ctx);
    assert.deepEqual(extractTrace({ TRACEPARENT: VALID }), { traceId: TRACE, spanId: SPAN, flags: 1 });
    assert.equal(extractTrace({ traceparent: 'bad' }), undefined);
    assert.equal(extractTrace(undefined), undefined);
    // An over-long tracestate is dropped, the traceparent still counts.
    assert.equal(extractTrace({ traceparent: VALID, tracestate: 'a='.padEnd(600, 'x') })?.traceState, undefined);
    // Without a context there is nothing to inject.
    assert.deepEqual(injectTrace({ a: 'b' }, undefined), { a: 'b' });
  });

  it('outgoingTrace: child of explicit headers, else of the current context, else a new root or nothing', () => {
    const fromHeaders = outgoingTrace({ traceparent: VALID }, false);
    assert.equal(fromHeaders?.traceId, TRACE);
    assert.notEqual(fromHeaders?.spanId, SPAN);
    const current = newTrace();
    runWithTrace(current, () => {
      const t = outgoingTrace(undefined, false);
      assert.equal(t?.traceId, current.traceId);
      assert.notEqual(t?.spanId, current.spanId);
    });
    assert.equal(outgoingTrace(undefined, false), undefined);
    assert.ok(outgoingTrace(undefined, true));
  });
});
