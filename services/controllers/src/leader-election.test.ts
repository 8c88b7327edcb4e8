import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type KubeObject, newConflict, newNotFound, newServiceUnavailable } from '@kapi/apimachinery';
import { InProcessBus, StorageRpc } from '@kapi/bus';
import { ApiClient } from './api-client.js';
import { type LeaderElector, startLeaderElection } from './leader-election.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const LEASES = { group: 'coordination.k8s.io', resource: 'leases' };

/** Just enough of storage for Leases: get, create, and resourceVersion-checked update. */
async function fakeLeaseStorage(bus: InProcessBus) {
  const leases = new Map<string, KubeObject>();
  let revision = 1;
  const state = { failing: false };
  const guard = (): void => {
    if (state.failing) throw newServiceUnavailable('storage is down');
  };
  const reply = (object: KubeObject) => ({ object: encoder.encode(JSON.stringify(object)), warnings: [], code: 0 });
  await bus.serve(StorageRpc.get, async (req) => {
    guard();
    const lease = leases.get(req.ref.name);
    if (!lease) throw newNotFound(LEASES, req.ref.name);
    return reply(lease);
  });
  await bus.serve(StorageRpc.create, async (req) => {
    guard();
    const object = JSON.parse(decoder.decode(req.object)) as KubeObject;
    const name = object.metadata!.name!;
    if (leases.has(name)) throw newConflict(LEASES, name, 'exists');
    object.metadata!.resourceVersion = String(++revision);
    leases.set(name, object);
    return reply(object);
  });
  await bus.serve(StorageRpc.update, async (req) => {
    guard();
    const object = JSON.parse(decoder.decode(req.object)) as KubeObject;
    const current = leases.get(req.ref.name);
    if (!current || current.metadata!.resourceVersion !== object.metadata!.resourceVersion) throw newConflict(LEASES, req.ref.name, 'modified');
    object.metadata!.resourceVersion = String(++revision);
    leases.set(req.ref.name, object);
    return reply(object);
  });
  return { leases, state };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TIMING = { leaseDurationSeconds: 0.6, renewDeadlineMs: 400, retryPeriodMs: 100 };

describe('leader election', () => {
  const electors: LeaderElector[] = [];
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
  });

  function elector(bus: InProcessBus, identity: string, events: string[]): LeaderElector {
    const e = startLeaderElection({
      client: new ApiClient(bus, { username: 'test' }, 1_000),
      namespace: 'kube-system',
      name: 'lock',
      identity,
      ...TIMING,
      onStartedLeading: () => events.push(`${identity}+`),
      onStoppedLeading: () => events.push(`${identity}-`),
    });
    electors.push(e);
    return e;
  }

  it('elects exactly one of two candidates and hands over on a clean stop', async () => {
    const bus = new InProcessBus();
    await fakeLeaseStorage(bus);
    const events: string[] = [];
    const a = elector(bus, 'a', events);
    const b = elector(bus, 'b', events);
    await sleep(400);
    assert.equal(Number(a.isLeader()) + Number(b.isLeader()), 1, `one leader (${events.join(' ')})`);
    const [first, second] = a.isLeader() ? [a, b] : [b, a];
    await first.stop();
    // Released, not expired: the standby takes over within a retry period or two, well before
    // the lease duration.
    await sleep(300);
    assert.equal(second.isLeader(), true, events.join(' '));
    await bus.close();
  });

  it('keeps a standby out while the holder renews, and lets it in once renewals stop', async () => {
    const bus = new InProcessBus();
    const storage = await fakeLeaseStorage(bus);
    const events: string[] = [];
    const a = elector(bus, 'a', events);
    await sleep(250);
    assert.equal(a.isLeader(), true);
    const b = elector(bus, 'b', events);
    await sleep(900);
    assert.equal(b.isLeader(), false, 'the standby waits while the lease is renewed');
    assert.equal(a.isLeader(), true);

    // The holder loses its storage: it steps down after renewDeadline, before leaseDuration.
    const holderSpec = () => (storage.leases.get('lock')!.spec as { holderIdentity: string }).holderIdentity;
    storage.state.failing = true;
    await sleep(TIMING.renewDeadlineMs + 250);
    assert.equal(a.isLeader(), false, 'the holder stopped leading after its renew deadline');
    assert.deepEqual(events, ['a+', 'a-']);
    storage.state.failing = false;
    await sleep(300);
    // One of them leads again (whoever renews first after storage returns), never both.
    assert.equal(Number(a.isLeader()) + Number(b.isLeader()), 1, `${events.join(' ')} holder=${holderSpec()}`);
    await bus.close();
  });
});
