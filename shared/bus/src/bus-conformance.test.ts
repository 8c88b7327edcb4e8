// One behavioural suite for both buses: InProcessBus and NatsBus against a real nats-server
// (started by @kapi/testing). Whatever passes here behaves the same in the all-in-one process
// and across processes. The NatsBus-only part covers reconnecting after a server restart.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { StatusError } from '@kapi/apimachinery';
import { natsAvailable, startNats, type NatsServer } from '@kapi/testing';
import type { Bus, MessageCodec, Rpc, Subscription } from './bus.js';
import { protoCodec } from './codec.js';
import type { BusCommonOptions } from './dispatch.js';
import { InProcessBus } from './in-process-bus.js';
import type { GetRequest, ObjectReply, ResourceRef } from './messages.js';
import { NatsBus } from './nats-bus.js';
import { watchSubject, watchSubjectAllNamespaces } from './subjects.js';
import { currentTrace, newTrace, runWithTrace, type TraceContext } from './trace.js';

const getRequest = protoCodec<GetRequest>('kapi.v1.GetRequest');
const objectReply = protoCodec<ObjectReply>('kapi.v1.ObjectReply');

let serviceSeq = 0;
/** An RPC on a subject no other test uses. */
function testRpc<Req = GetRequest, Res = ObjectReply>(
  method = 'echo',
  request: MessageCodec<Req> = getRequest as unknown as MessageCodec<Req>,
  response: MessageCodec<Res> = objectReply as unknown as MessageCodec<Res>,
): Rpc<Req, Res> {
  const service = `t${process.pid}x${++serviceSeq}`;
  return { service, method, subject: `kapi.rpc.v1.${service}.${method}`, request, response };
}

const ref = (name: string): ResourceRef => ({ group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', name, subresource: '' });
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const text = (b: Uint8Array): string => Buffer.from(b).toString();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function eventually(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function rejectsWithStatus(p: Promise<unknown>, code: number, reason: string, message?: RegExp): Promise<StatusError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof StatusError, `expected a StatusError ${code} ${reason}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.reason, reason, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Connections to one bus "network" (an in-process router, or a nats-server). */
interface Fixture {
  connect(opts?: BusCommonOptions): Promise<Bus>;
  teardown(): Promise<void>;
}

interface FixtureKind {
  name: string;
  skip: string | false;
  create(): Promise<Fixture>;
}

const errors: Error[] = [];
const quietOpts: BusCommonOptions = { timeoutMs: 5000, onError: (e) => void errors.push(e) };

const kinds: FixtureKind[] = [
  {
    name: 'InProcessBus',
    skip: false,
    async create() {
      const root = new InProcessBus(quietOpts);
      const open: Bus[] = [root];
      return {
        async connect(opts = {}) {
          const b = root.peer(opts);
          open.push(b);
          return b;
        },
        async teardown() {
          await Promise.all(open.map((b) => b.close()));
        },
      };
    },
  },
  {
    name: 'NatsBus',
    skip: natsAvailable() ? false : 'nats-server is not on PATH',
    async create() {
      const server = await startNats();
      const open: Bus[] = [];
      return {
        async connect(opts = {}) {
          const b = await NatsBus.connect({ servers: server.url, name: `test-${open.length}`, ...quietOpts, ...opts });
          open.push(b);
          return b;
        },
        async teardown() {
          await Promise.all(open.map((b) => b.close()));
          await server.stop();
        },
      };
    },
  },
];

function echo(req: GetRequest): Promise<ObjectReply> {
  return Promise.resolve({ object: utf8(JSON.stringify(req.ref)), warnings: [`rv=${req.resourceVersion}`], code: 0 });
}

for (const kind of kinds) {
  describe(`bus conformance: ${kind.name}`, { skip: kind.skip }, () => {
    let fx: Fixture;
    let client: Bus;
    let server: Bus;

    before(async () => {
      fx = await kind.create();
      client = await fx.connect();
      server = await fx.connect();
    });
    after(async () => {
      await fx?.teardown();
    });

    it('request/reply round-trips messages, and nothing is shared by reference', async () => {
      const rpc = testRpc();
      let kept: ObjectReply | undefined;
      const sub = await server.serve(rpc, async (req, ctx) => {
        assert.equal(ctx.subject, rpc.subject);
        const reply = await echo(req);
        req.ref.name = 'mutated by the handler';
        kept = reply;
        return reply;
      });
      const request: GetRequest = { ref: ref('web'), resourceVersion: '42' };
      const reply = await client.request(rpc, request);
      assert.deepEqual(JSON.parse(text(reply.object)), ref('web'));
      assert.deepEqual(reply.warnings, ['rv=42']);
      assert.equal(reply.code, 0);
      assert.equal(request.ref.name, 'web', 'the sender object must not change');
      assert.notEqual(reply, kept);
      assert.notEqual(reply.object, kept!.object);
      // Absent nested messages arrive as default objects.
      const sparse = await client.request(rpc, { resourceVersion: '' } as GetRequest);
      assert.deepEqual(JSON.parse(text(sparse.object)), { group: '', version: '', resource: '', namespace: '', name: '', subresource: '' });
      await sub.close();
    });

    it('carries a StatusError with all its details to the caller', async () => {
      const rpc = testRpc();
      const status = {
        kind: 'Status' as const,
        apiVersion: 'v1' as const,
        metadata: {},
        status: 'Failure' as const,
        message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be >= 0',
        reason: 'Invalid' as const,
        details: {
          name: 'web',
          group: 'apps',
          kind: 'Deployment',
          uid: 'u-1',
          causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be >= 0', field: 'spec.replicas' }, { field: 'spec.template' }],
          retryAfterSeconds: 7,
        },
        code: 422,
      };
      const sub = await server.serve(rpc, async () => {
        throw new StatusError(status);
      });
      const err = await rejectsWithStatus(client.request(rpc, { ref: ref('web'), resourceVersion: '' }), 422, 'Invalid');
      assert.deepEqual(err.status, status);
      await sub.close();
    });

    it('turns any other throw, and an unencodable reply, into InternalError', async () => {
      const boom = testRpc();
      const subs = [
        await server.serve(boom, async () => {
          throw new TypeError('cannot read properties of undefined');
        }),
      ];
      await rejectsWithStatus(client.request(boom, { ref: ref('a'), resourceVersion: '' }), 500, 'InternalError', /Internal error occurred: cannot read properties of undefined/);
      const sync = testRpc();
      subs.push(
        await server.serve(sync, (() => {
          throw new Error('synchronous');
        }) as never),
      );
      await rejectsWithStatus(client.request(sync, { ref: ref('a'), resourceVersion: '' }), 500, 'InternalError', /synchronous/);
      const badReply = testRpc();
      subs.push(await server.serve(badReply, async () => ({ object: utf8('x'), warnings: 5 }) as unknown as ObjectReply));
      await rejectsWithStatus(client.request(badReply, { ref: ref('a'), resourceVersion: '' }), 500, 'InternalError', /invalid reply/);
      await Promise.all(subs.map((s) => s.close()));
    });

    it('answers a request that does not decode with BadRequest', async () => {
      const rpc = testRpc();
      const garbage: MessageCodec<GetRequest> = { typeName: 'garbage', encode: () => new Uint8Array([0x0a, 0x7f, 0x01]), decode: () => ({}) as GetRequest };
      const sub = await server.serve(rpc, echo);
      await rejectsWithStatus(client.request({ ...rpc, request: garbage }, { ref: ref('a'), resourceVersion: '' }), 400, 'BadRequest', /malformed .* request/);
      await sub.close();
    });

    it('fails at once with ServiceUnavailable when nobody serves the subject', async () => {
      const rpc = testRpc();
      const started = performance.now();
      await rejectsWithStatus(client.request(rpc, { ref: ref('a'), resourceVersion: '' }, { timeoutMs: 10_000 }), 503, 'ServiceUnavailable', new RegExp(rpc.service));
      assert.ok(performance.now() - started < 3000, 'no-responders must not wait for the 10 s timeout');
    });

    it('fails with Timeout when the reply does not come in time', async () => {
      const rpc = testRpc();
      const release = deferred();
      const sub = await server.serve(rpc, async (req) => {
        await release.promise;
        return echo(req);
      });
      const started = performance.now();
      await rejectsWithStatus(client.request(rpc, { ref: ref('a'), resourceVersion: '' }, { timeoutMs: 200 }), 504, 'Timeout', /within 200ms/);
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 190 && elapsed < 3000, `timed out after ${elapsed}ms`);
      await rejectsWithStatus(client.request(rpc, { ref: ref('a'), resourceVersion: '' }, { timeoutMs: -1 }), 400, 'BadRequest', /invalid request timeout/);
      release.resolve();
      await sub.close();
    });

    it('spreads a queue group over its members; another group gets its own copy', async () => {
      const rpc = testRpc();
      const other = await fx.connect();
      const counts = [0, 0];
      const subs = [
        await server.serve(rpc, async (req) => (counts[0]++, echo(req))),
        await other.serve(rpc, async (req) => (counts[1]++, echo(req))),
      ];
      const n = 200;
      await Promise.all(Array.from({ length: n }, (_, i) => client.request(rpc, { ref: ref(`o${i}`), resourceVersion: '' })));
      assert.equal(counts[0]! + counts[1]!, n, 'each request goes to exactly one member');
      assert.ok(counts[0]! >= 40 && counts[1]! >= 40, `distribution ${counts.join('/')}`);
      await Promise.all(subs.map((s) => s.close()));
      await other.close();
    });

    it('publishes events to subscribers by subject with * and > wildcards, in order', async () => {
      const got: Record<string, string[]> = { exact: [], star: [], tail: [], services: [] };
      const collect = (key: string) => (m: ObjectReply, ctx: { subject: string }) => void got[key]!.push(`${ctx.subject}:${text(m.object)}`);
      const subs: Subscription[] = [
        await server.subscribe(watchSubject('', 'pods', 'default'), objectReply, collect('exact')),
        await server.subscribe(watchSubjectAllNamespaces('', 'pods'), objectReply, collect('star')),
        await server.subscribe('kapi.evt.v1.watch.>', objectReply, collect('tail')),
        await server.subscribe(watchSubjectAllNamespaces('', 'services'), objectReply, collect('services')),
      ];
      const events: [string, string][] = [
        [watchSubject('', 'pods', 'default'), 'p1'],
        [watchSubject('', 'pods', 'kube-system'), 'p2'],
        [watchSubject('apps', 'deployments', 'default'), 'd1'],
        [watchSubject('', 'pods', 'default'), 'p3'],
        ['kapi.evt.v1.other', 'x'],
      ];
      for (const [subject, body] of events) client.publish(subject, objectReply, { object: utf8(body), warnings: [], code: 0 });
      await client.flush();
      await eventually(() => got.tail!.length === 4 && got.star!.length === 3 && got.exact!.length === 2, 'events');
      await sleep(50); // nothing else may arrive
      const pods = 'kapi.evt.v1.watch.core.pods';
      assert.deepEqual(got.exact, [`${pods}.default:p1`, `${pods}.default:p3`]);
      assert.deepEqual(got.star, [`${pods}.default:p1`, `${pods}.kube-system:p2`, `${pods}.default:p3`]);
      assert.deepEqual(got.tail, [`${pods}.default:p1`, `${pods}.kube-system:p2`, 'kapi.evt.v1.watch.apps.deployments.default:d1', `${pods}.default:p3`]);
      assert.deepEqual(got.services, []);
      // After close, a subscription receives nothing more.
      await subs[0]!.close();
      client.publish(watchSubject('', 'pods', 'default'), objectReply, { object: utf8('p4'), warnings: [], code: 0 });
      await client.flush();
      await eventually(() => got.star!.length === 4, 'p4');
      await sleep(30);
      assert.equal(got.exact!.length, 2);
      await Promise.all(subs.slice(1).map((s) => s.close()));
    });

    it('reports a throwing event handler and an undecodable event, and keeps delivering', async () => {
      const subject = `kapi.evt.v1.test.${process.pid}.${++serviceSeq}`;
      const seen: string[] = [];
      const before = errors.length;
      const sub = await server.subscribe(subject, objectReply, (m) => {
        const body = text(m.object);
        if (body === 'throw') throw new Error('handler exploded');
        seen.push(body);
      });
      const garbage: MessageCodec<string> = { typeName: 'garbage', encode: () => new Uint8Array([0xff, 0xff]), decode: () => '' };
      client.publish(subject, objectReply, { object: utf8('throw'), warnings: [], code: 0 });
      client.publish(subject, garbage, 'x');
      client.publish(subject, objectReply, { object: utf8('ok'), warnings: [], code: 0 });
      await client.flush();
      await eventually(() => seen.length === 1, 'the good event');
      const reported = errors.slice(before).map((e) => e.message).join('\n');
      assert.match(reported, /handler exploded/);
      assert.match(reported, /dropped event/);
      await sub.close();
    });

    it('rejects invalid subjects and headers with BadRequest', async () => {
      const rpc = testRpc();
      assert.throws(() => client.publish('kapi.evt.*', objectReply, { object: utf8(''), warnings: [], code: 0 }), (e: unknown) => e instanceof StatusError && e.code === 400);
      assert.throws(() => client.publish('a..b', objectReply, { object: utf8(''), warnings: [], code: 0 }), (e: unknown) => e instanceof StatusError && e.code === 400);
      await rejectsWithStatus(client.subscribe('a.>.b', objectReply, () => undefined), 400, 'BadRequest');
      await rejectsWithStatus(client.request(rpc, { ref: ref('a'), resourceVersion: '' }, { headers: { 'bad key': 'v' } }), 400, 'BadRequest', /header name/);
      await rejectsWithStatus(client.request(rpc, { ref: ref('a'), resourceVersion: '' }, { headers: { k: 'line\r\nbreak' } }), 400, 'BadRequest', /CR or LF/);
    });

    it('carries headers, and the trace context through two hops with a new span per hop', async () => {
      const first = testRpc('first');
      const second = testRpc('second');
      const seen: { hop: string; trace: TraceContext | undefined; headers: Record<string, string> }[] = [];
      const subs = [
        await server.serve(first, async (req, ctx) => {
          seen.push({ hop: 'first', trace: currentTrace(), headers: ctx.headers });
          return client.request(second, req);
        }),
        await server.serve(second, async (req, ctx) => {
          seen.push({ hop: 'second', trace: currentTrace(), headers: ctx.headers });
          return echo(req);
        }),
      ];
      const root = newTrace();
      await runWithTrace(root, () => client.request(first, { ref: ref('t'), resourceVersion: '' }, { headers: { 'x-kapi-user': ' alice ' } }));
      assert.equal(seen.length, 2);
      const [a, b] = seen as [typeof seen[0], typeof seen[0]];
      assert.equal(a.headers['x-kapi-user'], 'alice', 'values are trimmed, as NATS does');
      assert.equal(b.headers['x-kapi-user'], undefined, 'headers do not leak into nested requests');
      assert.equal(a.headers['kapi-timeout-ms'], undefined, 'bus-internal headers stay hidden');
      assert.equal(a.trace?.traceId, root.traceId);
      assert.equal(b.trace?.traceId, root.traceId);
      const spans = new Set([root.spanId, a.trace?.spanId, b.trace?.spanId]);
      assert.equal(spans.size, 3, 'every hop has its own span id');
      assert.equal(a.headers.traceparent, `00-${root.traceId}-${a.trace?.spanId}-01`);

      // An explicit traceparent in the caller's headers is the parent; without any, a new trace.
      seen.length = 0;
      await client.request(second, { ref: ref('t'), resourceVersion: '' }, { headers: { traceparent: `00-${root.traceId}-${root.spanId}-00` } });
      assert.equal(seen[0]?.trace?.traceId, root.traceId);
      assert.equal(seen[0]?.trace?.flags, 0);
      seen.length = 0;
      await client.request(second, { ref: ref('t'), resourceVersion: '' });
      assert.match(seen[0]?.trace?.traceId ?? '', /^[0-9a-f]{32}$/);
      assert.notEqual(seen[0]?.trace?.traceId, root.traceId);

      // Events carry the publisher's trace and headers.
      const subject = `kapi.evt.v1.test.${process.pid}.${++serviceSeq}`;
      const events: { trace: TraceContext | undefined; headers: Record<string, string> }[] = [];
      subs.push(await server.subscribe(subject, objectReply, (_m, ctx) => void events.push({ trace: currentTrace(), headers: ctx.headers })));
      runWithTrace(root, () => client.publish(subject, objectReply, { object: utf8('e'), warnings: [], code: 0 }, { 'x-a': 'b' }));
      await client.flush();
      await eventually(() => events.length === 1, 'the event');
      assert.equal(events[0]?.trace?.traceId, root.traceId);
      assert.equal(events[0]?.headers['x-a'], 'b');
      await Promise.all(subs.map((s) => s.close()));
    });

    it('bounds concurrent handlers with maxConcurrent and queues the rest', async () => {
      const rpc = testRpc();
      const release = deferred();
      let active = 0;
      let peak = 0;
      const sub = await server.serve(
        rpc,
        async (req) => {
          peak = Math.max(peak, ++active);
          await release.promise;
          active--;
          return echo(req);
        },
        { maxConcurrent: 3 },
      );
      const calls = Array.from({ length: 12 }, (_, i) => client.request(rpc, { ref: ref(`c${i}`), resourceVersion: '' }));
      await eventually(() => active === 3, 'three handlers running');
      await sleep(50);
      assert.equal(active, 3);
      release.resolve();
      const replies = await Promise.all(calls);
      assert.equal(replies.length, 12);
      assert.equal(peak, 3);
      await sub.close();
    });

    it('answers TooManyRequests when the wait queue is full', async () => {
      const small = await fx.connect({ ...quietOpts, maxQueuedPerSubscription: 2 });
      const rpc = testRpc();
      const release = deferred();
      const sub = await small.serve(
        rpc,
        async (req) => {
          await release.promise;
          return echo(req);
        },
        { maxConcurrent: 1 },
      );
      const calls = Array.from({ length: 6 }, (_, i) =>
        client.request(rpc, { ref: ref(`q${i}`), resourceVersion: '' }).then(
          () => 'ok',
          (e: StatusError) => `${e.code} ${e.reason} ${e.status.details?.retryAfterSeconds}`,
        ),
      );
      // 1 runs, 2 wait, 3 are refused at once.
      const refused = await Promise.race([Promise.all(calls.slice(3)), sleep(3000).then(() => 'hung')]);
      assert.deepEqual(refused, ['429 TooManyRequests 1', '429 TooManyRequests 1', '429 TooManyRequests 1']);
      release.resolve();
      assert.deepEqual(await Promise.all(calls.slice(0, 3)), ['ok', 'ok', 'ok']);
      await sub.close();
      await small.close();
    });

    it('bounds the requests one connection has in flight', async () => {
      const caller = await fx.connect({ ...quietOpts, maxPendingRequests: 2 });
      const rpc = testRpc();
      const release = deferred();
      const sub = await server.serve(rpc, async (req) => {
        await release.promise;
        return echo(req);
      });
      const first = [caller.request(rpc, { ref: ref('1'), resourceVersion: '' }), caller.request(rpc, { ref: ref('2'), resourceVersion: '' })];
      await rejectsWithStatus(caller.request(rpc, { ref: ref('3'), resourceVersion: '' }), 429, 'TooManyRequests', /in flight/);
      release.resolve();
      assert.equal((await Promise.all(first)).length, 2);
      assert.ok(await caller.request(rpc, { ref: ref('4'), resourceVersion: '' }), 'capacity returns once replies arrive');
      await sub.close();
      await caller.close();
    });

    it('carries 3 MiB payloads both ways', async () => {
      const rpc = testRpc();
      const big = new Uint8Array(3 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
      big[big.length - 1] = 7;
      const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
      const sub = await server.serve(
        testRpcWith(rpc, objectReply),
        async (req: ObjectReply) => ({ object: req.object, warnings: [digest(req.object)], code: 200 }),
      );
      const reply = await client.request(testRpcWith(rpc, objectReply), { object: big, warnings: [], code: 0 });
      assert.equal(reply.warnings[0], digest(big));
      assert.equal(reply.object.byteLength, big.byteLength);
      assert.equal(digest(reply.object), digest(big));
      await sub.close();
    });

    it('refuses oversized messages quickly with a clear Status instead of hanging', async () => {
      const rpc = testRpc();
      const huge = new Uint8Array(9 * 1024 * 1024);
      const sub = await server.serve(testRpcWith(rpc, objectReply), async (req: ObjectReply) => {
        const n = text(req.object.subarray(0, 3)) === 'big' ? huge.length : 1;
        return { object: new Uint8Array(n), warnings: [], code: 0 };
      });
      const r = testRpcWith(rpc, objectReply);
      let started = performance.now();
      await rejectsWithStatus(client.request(r, { object: huge, warnings: [], code: 0 }, { timeoutMs: 10_000 }), 413, 'RequestEntityTooLarge', /exceeds the bus message limit/);
      assert.ok(performance.now() - started < 3000);
      started = performance.now();
      await rejectsWithStatus(client.request(r, { object: utf8('big'), warnings: [], code: 0 }, { timeoutMs: 10_000 }), 500, 'InternalError', /reply of \d+ bytes exceeds the bus message limit/);
      assert.ok(performance.now() - started < 3000);
      assert.throws(() => client.publish('kapi.evt.v1.big', objectReply, { object: huge, warnings: [], code: 0 }), (e: unknown) => e instanceof StatusError && e.code === 413);
      // The connection is still fine afterwards.
      assert.equal((await client.request(r, { object: utf8('small'), warnings: [], code: 0 })).object.byteLength, 1);
      await sub.close();
    });

    it('close: in-flight handlers finish, then everything refuses with ServiceUnavailable', async () => {
      const svc = await fx.connect();
      const rpc = testRpc();
      const entered = deferred();
      let finished = false;
      await svc.serve(rpc, async (req) => {
        entered.resolve();
        await sleep(150);
        finished = true;
        return echo(req);
      });
      const inFlight = client.request(rpc, { ref: ref('f'), resourceVersion: '' });
      await entered.promise;
      await svc.close();
      assert.equal(finished, true, 'close waits for the in-flight handler');
      assert.equal(JSON.parse(text((await inFlight).object)).name, 'f', 'and its reply is delivered');
      assert.equal(svc.isConnected(), false);
      await rejectsWithStatus(svc.request(rpc, { ref: ref('x'), resourceVersion: '' }), 503, 'ServiceUnavailable', /closed/);
      await rejectsWithStatus(svc.serve(rpc, echo), 503, 'ServiceUnavailable');
      await rejectsWithStatus(svc.subscribe('a.b', objectReply, () => undefined), 503, 'ServiceUnavailable');
      assert.throws(() => svc.publish('a.b', objectReply, { object: utf8(''), warnings: [], code: 0 }), (e: unknown) => e instanceof StatusError && e.code === 503);
      await svc.close(); // idempotent
      // Nobody serves the subject any more.
      await rejectsWithStatus(client.request(rpc, { ref: ref('y'), resourceVersion: '' }), 503, 'ServiceUnavailable');
    });

    it("close: the closing connection's own pending requests fail with ServiceUnavailable", async () => {
      const caller = await fx.connect();
      const rpc = testRpc();
      const release = deferred();
      const sub = await server.serve(rpc, async (req) => {
        await release.promise;
        return echo(req);
      });
      const pending = caller.request(rpc, { ref: ref('p'), resourceVersion: '' }, { timeoutMs: 10_000 });
      await sleep(50);
      const started = performance.now();
      const outcome = rejectsWithStatus(pending, 503, 'ServiceUnavailable', /closed/);
      await caller.close();
      await outcome;
      assert.ok(performance.now() - started < 3000);
      release.resolve();
      await sub.close();
    });

    it('measures request/reply throughput at 32 in flight', async (t) => {
      const rpc = testRpc();
      const sub = await server.serve(rpc, echo, { maxConcurrent: 64 });
      const request: GetRequest = { ref: ref('bench'), resourceVersion: '1' };
      const run = async (ms: number): Promise<{ rate: number; p99: number }> => {
        const latencies: number[] = [];
        const deadline = performance.now() + ms;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (performance.now() < deadline) {
              const t0 = performance.now();
              await client.request(rpc, request);
              latencies.push(performance.now() - t0);
            }
          }),
        );
        latencies.sort((x, y) => x - y);
        return { rate: latencies.length / ((performance.now() - started) / 1000), p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0 };
      };
      await run(200); // warm-up
      const { rate, p99 } = await run(1500);
      const line = `${kind.name}: ${Math.round(rate)} requests/s at 32 in flight, p99 ${p99.toFixed(2)} ms`;
      t.diagnostic(line);
      // A floor far below any healthy number (the machine may be busy): catches a broken loop,
      // e.g. requests serialised behind a timer.
      assert.ok(rate > 100, line);
      await sub.close();
    });
  });
}

/** `rpc` with both codecs replaced (for tests that send ObjectReply both ways). */
function testRpcWith<T>(rpc: Pick<Rpc<unknown, unknown>, 'service' | 'method' | 'subject'>, codec: MessageCodec<T>): Rpc<T, T> {
  return { service: rpc.service, method: rpc.method, subject: rpc.subject, request: codec, response: codec };
}

describe('NatsBus: reconnect', { skip: natsAvailable() ? false : 'nats-server is not on PATH' }, () => {
  let nats: NatsServer;
  const buses: NatsBus[] = [];
  before(async () => {
    nats = await startNats();
  });
  after(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await nats?.stop();
  });

  it('reconnects after a nats-server restart and restores subscriptions', async () => {
    const connect = async (name: string): Promise<NatsBus> => {
      const b = await NatsBus.connect({ servers: [nats.url], name, ...quietOpts, reconnectMaxDelayMs: 300 });
      buses.push(b);
      return b;
    };
    const server = await connect('reconnect-server');
    const client = await connect('reconnect-client');
    const rpc = testRpc();
    await server.serve(rpc, echo);
    const subject = `kapi.evt.v1.test.${process.pid}.reconnect`;
    const events: string[] = [];
    await server.subscribe(subject, objectReply, (m) => void events.push(text(m.object)));
    assert.equal((await client.request(rpc, { ref: ref('before'), resourceVersion: '' })).warnings[0], 'rv=');

    await nats.kill('SIGKILL');
    await eventually(() => !client.isConnected() && !server.isConnected(), 'both connections to notice the outage');
    await rejectsWithStatus(client.request(rpc, { ref: ref('during'), resourceVersion: '' }, { timeoutMs: 200 }), 504, 'Timeout');

    await nats.restart();
    await eventually(() => client.isConnected() && server.isConnected(), 'both connections to come back', 10_000);
    // Both have re-sent their subscriptions once a round trip completes.
    await server.flush();
    await client.flush();
    const reply = await client.request(rpc, { ref: ref('after'), resourceVersion: '9' });
    assert.equal(JSON.parse(text(reply.object)).name, 'after');
    client.publish(subject, objectReply, { object: utf8('after-restart'), warnings: [], code: 0 });
    await client.flush();
    await eventually(() => events.includes('after-restart'), 'the event after restart');
  });

  it('fails connect() quickly with ServiceUnavailable when no server listens', async () => {
    const started = performance.now();
    await rejectsWithStatus(NatsBus.connect({ servers: 'nats://127.0.0.1:1', name: 'nobody', ...quietOpts }), 503, 'ServiceUnavailable', /cannot connect to NATS/);
    assert.ok(performance.now() - started < 5000);
  });
});
