// InProcessBus behaviour that has no NATS counterpart to compare with (the shared behaviour is
// in bus-conformance.test.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '@kapi/apimachinery';
import { protoCodec } from './codec.js';
import { InProcessBus } from './in-process-bus.js';
import type { GetRequest, ObjectReply } from './messages.js';

const objectReply = protoCodec<ObjectReply>('kapi.v1.ObjectReply');
const getRequest = protoCodec<GetRequest>('kapi.v1.GetRequest');
const event = (s: string): ObjectReply => ({ object: new Uint8Array(Buffer.from(s)), warnings: [], code: 0 });
const text = (m: ObjectReply): string => Buffer.from(m.object).toString();

describe('InProcessBus', () => {
  it('delivers asynchronously, and flush() waits until every subscriber has its events', async () => {
    const root = new InProcessBus();
    const other = root.peer();
    const got: string[] = [];
    await other.subscribe('kapi.evt.v1.a.>', objectReply, (m) => void got.push(text(m)));
    for (let i = 0; i < 3000; i++) root.publish(`kapi.evt.v1.a.${i % 3}`, objectReply, event(String(i)));
    assert.equal(got.length, 0, 'publish returns before any handler runs');
    await root.flush();
    assert.equal(got.length, 3000);
    assert.equal(got[2999], '2999');
    await Promise.all([root.close(), other.close()]);
  });

  it('gives each of several receivers its own copy of the bytes', async () => {
    const bus = new InProcessBus();
    const seen: ObjectReply[] = [];
    await bus.subscribe('kapi.evt.v1.copy', objectReply, (m) => {
      seen.push(m);
      m.object[0] = 0x58; // a receiver scribbling over its bytes must not affect the others
    });
    await bus.subscribe('kapi.evt.v1.*', objectReply, (m) => void seen.push(m));
    bus.publish('kapi.evt.v1.copy', objectReply, event('abc'));
    await bus.flush();
    assert.equal(seen.length, 2);
    assert.equal(text(seen[1]!), 'abc');
    assert.notEqual(seen[0]!.object.buffer, seen[1]!.object.buffer);
    await bus.close();
  });

  it('drops events beyond maxPendingEvents and reports the slow consumer', async () => {
    const errors: Error[] = [];
    const bus = new InProcessBus({ maxPendingEvents: 10, onError: (e) => void errors.push(e) });
    let n = 0;
    await bus.subscribe('kapi.evt.v1.slow', objectReply, () => void n++);
    for (let i = 0; i < 50; i++) bus.publish('kapi.evt.v1.slow', objectReply, event('x'));
    await bus.flush();
    assert.equal(n, 10);
    assert.match(errors[0]?.message ?? '', /slow consumer on kapi.evt.v1.slow/);
    // The subscription recovers once it has caught up.
    bus.publish('kapi.evt.v1.slow', objectReply, event('y'));
    await bus.flush();
    assert.equal(n, 11);
    await bus.close();
  });

  it('enforces its payload limit, counting headers', async () => {
    const bus = new InProcessBus({ maxPayloadBytes: 1000 });
    const rpc = { service: 'lim', method: 'get', subject: 'kapi.rpc.v1.lim.get', request: getRequest, response: objectReply };
    await bus.serve(rpc, async () => event('ok'));
    const fits = { ref: { group: '', version: '', resource: '', namespace: '', name: 'x'.repeat(700), subresource: '' }, resourceVersion: '' };
    assert.equal(text(await bus.request(rpc, fits)), 'ok');
    await assert.rejects(
      bus.request(rpc, fits, { headers: { 'x-big': 'y'.repeat(400) } }),
      (e: unknown) => e instanceof StatusError && e.code === 413,
    );
    await bus.close();
  });

  it('rejects nonsensical options at construction', () => {
    assert.throws(() => new InProcessBus({ maxPayloadBytes: 0 }), RangeError);
    assert.throws(() => new InProcessBus({ maxPendingEvents: -1 }), RangeError);
    assert.throws(() => new InProcessBus({ defaultMaxConcurrent: 0 }), RangeError);
    assert.throws(() => new InProcessBus({ maxPendingRequests: 0 }), RangeError);
    assert.throws(() => new InProcessBus({ timeoutMs: Number.NaN }), StatusError);
  });
});
