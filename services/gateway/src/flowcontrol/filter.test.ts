import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { compose, type NamedFilter } from '../chain.js';
import { RequestContext, type ResponseSink } from '../context.js';
import { newRequestInfo } from '../request-info.js';
import { startHarness, type Harness } from '../testing/harness.js';
import type { KeyPairPEM } from '../testing/pki.js';
import { FlowController, StaticConfigSource, stableUID } from './controller.js';
import { FLOW_SCHEMA_UID_HEADER, PRIORITY_LEVEL_UID_HEADER, priorityAndFairnessFilter } from './filter.js';

function fakeContext(method: string, url: string, username: string, groups: string[]): { ctx: RequestContext; sent: { code: number; headers: Record<string, string | string[]>; body: string }[] } {
  const sent: { code: number; headers: Record<string, string | string[]>; body: string }[] = [];
  let done = false;
  const sink: ResponseSink = {
    get sent() {
      return done;
    },
    send(code, headers, body) {
      if (done) return false;
      done = true;
      sent.push({ code, headers, body: String(body) });
      return true;
    },
    stream(code, headers) {
      if (done) return undefined;
      done = true;
      sent.push({ code, headers, body: '' });
      return {} as ServerResponse;
    },
  };
  const u = new URL(url, 'https://x');
  const ctx = new RequestContext({ method, requestURI: url, path: u.pathname, query: u.searchParams, headers: {}, raw: {} as IncomingMessage, sink });
  ctx.requestInfo = newRequestInfo(method, u.pathname, u.searchParams);
  ctx.user = { username, groups };
  return { ctx, sent };
}

describe('priority-and-fairness filter', () => {
  test('a watch holds its seat only until it streams; a plain request until it finishes', async () => {
    const fc = new FlowController({ source: new StaticConfigSource(), serverConcurrencyLimit: 1 });
    const pf = priorityAndFairnessFilter(fc, { defaultWaitLimitMs: 1_000 });
    const level = fc.priorityLevels.get('global-default')!.queueSet!;
    let finishWatch!: () => void;
    const watchRoute: NamedFilter = {
      name: 'route',
      filter: async (ctx) => {
        ctx.stream(200);
        await new Promise<void>((r) => (finishWatch = r));
      },
    };
    const { ctx, sent } = fakeContext('GET', '/api/v1/namespaces/a/pods?watch=1', 'alice', ['system:authenticated']);
    const watching = compose([pf, watchRoute])(ctx);
    await sleep(1);
    assert.equal(sent[0]?.code, 200);
    assert.equal(sent[0]?.headers[FLOW_SCHEMA_UID_HEADER], stableUID('FlowSchema', 'global-default'));
    assert.equal(sent[0]?.headers[PRIORITY_LEVEL_UID_HEADER], stableUID('PriorityLevelConfiguration', 'global-default'));
    assert.equal(level.stats().seatsInUse, 0, 'the streaming watch still holds a seat');

    let finishGet!: () => void;
    const slowRoute: NamedFilter = { name: 'route', filter: () => new Promise<void>((r) => (finishGet = () => r())) };
    const get = fakeContext('GET', '/api/v1/namespaces/a/pods', 'alice', ['system:authenticated']);
    const getting = compose([pf, slowRoute])(get.ctx);
    await sleep(1);
    assert.equal(level.stats().seatsInUse, 1);
    finishGet();
    await getting;
    assert.equal(level.stats().seatsInUse, 0);
    finishWatch();
    await watching;
    assert.equal(level.stats().seatsInUse, 0);
  });

  test('long-running non-watch requests are not tracked; no user is a 500', async () => {
    const fc = new FlowController({ source: new StaticConfigSource(), serverConcurrencyLimit: 1 });
    const pf = priorityAndFairnessFilter(fc, { defaultWaitLimitMs: 1_000 });
    const route: NamedFilter = { name: 'route', filter: async (ctx) => void ctx.send(200, 'ok') };
    const exec = fakeContext('POST', '/api/v1/namespaces/a/pods/p/exec', 'alice', ['system:authenticated']);
    await compose([pf, route])(exec.ctx);
    assert.equal(exec.sent[0]?.headers[FLOW_SCHEMA_UID_HEADER], undefined);
    const anon = fakeContext('GET', '/api', 'x', []);
    anon.ctx.user = undefined;
    await compose([pf, route])(anon.ctx);
    assert.equal(anon.sent[0]?.code, 500);
  });
});

describe('priority and fairness in the gateway', () => {
  let h: Harness;
  let alice: KeyPairPEM;
  before(async () => {
    // one seat in total: every Limited level gets a concurrency limit of 1; a quarter of the
    // 400 ms request timeout (100 ms) is the longest a request waits in a queue
    h = await startHarness({ requestTimeoutMs: 400, maxRequestsInflight: 1, maxMutatingRequestsInflight: 0 });
    alice = await h.ca.issue({ subject: 'CN=alice, O=dev' });
  });
  after(async () => {
    await h.close();
  });

  test('served requests carry the PF headers of their FlowSchema and priority level', async () => {
    const r = await h.request('GET', '/api/v1/namespaces/default/configmaps', { client: alice });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-kubernetes-pf-flowschema-uid'], stableUID('FlowSchema', 'global-default'));
    assert.equal(r.headers['x-kubernetes-pf-prioritylevel-uid'], stableUID('PriorityLevelConfiguration', 'global-default'));
    const admin = await h.request('GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(admin.headers['x-kubernetes-pf-flowschema-uid'], stableUID('FlowSchema', 'exempt'));
    const probe = await h.request('GET', '/readyz', { client: 'none' });
    assert.equal(probe.headers['x-kubernetes-pf-flowschema-uid'], stableUID('FlowSchema', 'probes'));
  });

  test('a request that cannot get a seat in time is answered 429 with Retry-After', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const before = h.storage.calls.length;
    h.storage.overrides.create = async (req) => {
      await gate;
      delete h.storage.overrides.create;
      return { object: Buffer.from(JSON.stringify({ ...(JSON.parse(Buffer.from(req.object as Uint8Array).toString('utf8')) as object) })), warnings: [], code: 201 };
    };
    // alice's create occupies global-default's only seat until the gate opens
    const slow = h.request('POST', '/api/v1/namespaces/default/configmaps', { client: alice, headers: { 'Content-Type': 'application/json' }, body: '{"metadata":{"name":"slow"}}' });
    while (!h.storage.calls.slice(before).some((c) => c.method === 'create')) await sleep(2);
    const t0 = Date.now();
    const r = await h.request('GET', '/api/v1/namespaces/default/configmaps', { client: alice });
    assert.equal(r.status, 429);
    assert.ok(Date.now() - t0 >= 90, 'rejected before its queue wait limit');
    assert.equal(r.headers['retry-after'], '1');
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(r.text, 'Too many requests, please try again later.\n');
    assert.equal(r.headers['x-kubernetes-pf-flowschema-uid'], stableUID('FlowSchema', 'global-default'));
    assert.equal(r.headers['x-kubernetes-pf-prioritylevel-uid'], stableUID('PriorityLevelConfiguration', 'global-default'));
    // system:masters is exempt and still gets through
    assert.equal((await h.request('GET', '/api/v1/namespaces/default/configmaps')).status, 200);
    release();
    await slow;
    assert.equal((await h.request('GET', '/api/v1/namespaces/default/configmaps', { client: alice })).status, 200);
  });
});
