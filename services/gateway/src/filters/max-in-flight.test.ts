import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RequestContext } from '../context.js';
import { maxInFlightFilter } from './max-in-flight.js';

function ctx(verb: string, groups: string[] = []) {
  const sent: { code: number; headers: Record<string, string | string[]> }[] = [];
  const c = new RequestContext({
    method: 'GET',
    requestURI: '/api/v1/pods',
    path: '/api/v1/pods',
    query: new URLSearchParams(),
    headers: {},
    raw: {} as never,
    sink: { sent: false, send: (code, headers) => (sent.push({ code, headers }), true) },
  });
  c.requestInfo = { isResourceRequest: true, verb, path: '/api/v1/pods', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: '', resource: 'pods', subresource: '', name: '', parts: ['pods'] } as never;
  c.user = { username: 'u', groups };
  return { c, sent };
}

it('refuses the request beyond each limit with 429 Retry-After 1, masters exempt', async () => {
  const { filter } = maxInFlightFilter(1, 1);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const first = filter(ctx('list').c, () => held);
  const second = ctx('get');
  await filter(second.c, async () => assert.fail('over the read-only limit'));
  assert.equal(second.sent[0]?.code, 429);
  assert.equal(second.sent[0]?.headers['Retry-After'], '1');
  // the mutating limit is separate, and system:masters is never refused
  let ran = 0;
  await filter(ctx('create').c, async () => void ran++);
  await filter(ctx('get', ['system:masters']).c, async () => void ran++);
  assert.equal(ran, 2);
  release();
  await first;
  await filter(ctx('get').c, async () => void ran++);
  assert.equal(ran, 3);
});
