import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { MemoryKV, prefixEnd } from '@kapi/kv';
import { builtinCatalogue } from '@kapi/schema';
import { identityTransformer } from '@kapi/value';
import { ObjectStore } from '../object-store.js';
import { Registry } from '../registry.js';
import { RecordingAdmitter, createNamespace, deleteOptions, expectStatus, scope, writeOptions, type Harness } from '../testing-support.js';
import { ServiceIPAllocator } from './ip-allocator.js';
import { addressesFrom, canonicalIP, formatIP, parseIP, parseServiceCIDR, rangeOffsetFor } from '@kapi/apimachinery';
import { NodePortAllocator, parsePortRange, portRangeOffset } from './port-allocator.js';
import { serviceWriteHooks } from './index.js';

const catalogue = builtinCatalogue();
const ipAddresses = catalogue.lookup('networking.k8s.io', 'v1', 'ipaddresses')!;

function registryOver(kv: MemoryKV, ranges: { ip?: string; ports?: string } = {}): Harness {
  const store = new ObjectStore(kv, identityTransformer) as Harness['store'];
  const admitter = new RecordingAdmitter();
  const clock = { now: new Date('2026-01-01T00:00:00Z') };
  const registry = new Registry({
    store,
    catalogue,
    admitter,
    now: () => clock.now,
    writeHooks: serviceWriteHooks({ store, catalogue, serviceClusterIPRange: ranges.ip, serviceNodePortRange: ranges.ports }),
  });
  return { kv, store, registry, admitter, catalogue, clock };
}

function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec } };
}

async function create(h: Harness, body: KubeObject, dryRun = false): Promise<Record<string, any>> {
  const { object } = await h.registry.create(scope('services', 'default'), body, writeOptions({ dryRun }));
  return object as Record<string, any>;
}

async function ipAddressNames(kv: MemoryKV): Promise<string[]> {
  const prefix = '/registry/ipaddresses/';
  const { kvs } = await kv.range(prefix, { end: prefixEnd(prefix) });
  return kvs.map((k) => k.key.slice(prefix.length));
}

describe('ip range math', () => {
  it('parses CIDRs as kube does: no network, no IPv4 broadcast, the KEP-3070 offset', () => {
    const c = parseServiceCIDR('10.0.0.7/24');
    assert.equal(c.text, '10.0.0.0/24');
    assert.equal(formatIP('IPv4', c.first), '10.0.0.1');
    assert.equal(formatIP('IPv4', c.last), '10.0.0.254');
    assert.equal(c.size, 254n);
    assert.equal(c.rangeOffset, 16);
    assert.equal(formatIP('IPv4', c.offsetAddress), '10.0.0.17');
    assert.equal(parseServiceCIDR('10.96.0.0/12').rangeOffset, 256);
    assert.equal(parseServiceCIDR('10.0.0.0/28').rangeOffset, 0);
    assert.equal(rangeOffsetFor(512n), 32);
    const v6 = parseServiceCIDR('fd00::/108');
    assert.equal(formatIP('IPv6', v6.last), 'fd00::f:ffff');
    assert.throws(() => parseServiceCIDR('fd00::/48'), /shortest allowed prefix length for service CIDR is 64, got 48/);
    assert.throws(() => parseServiceCIDR('10.0.0.0'), /invalid CIDR/);
  });

  it('formats and parses addresses canonically', () => {
    assert.equal(canonicalIP('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canonicalIP('::ffff:10.0.0.1'), '::ffff:a00:1');
    assert.equal(canonicalIP('fd00:0:0:1::'), 'fd00:0:0:1::');
    assert.equal(parseIP('1.2.3.4')?.value, 0x01020304n);
    assert.equal(parseIP('nope'), undefined);
  });

  it('iterates every address once from the offset, wrapping around', () => {
    assert.deepEqual([...addressesFrom(1n, 4n, 2n)], [3n, 4n, 1n, 2n]);
  });

  it('port ranges and their offset', () => {
    assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768 });
    assert.deepEqual(parsePortRange('30000+10'), { base: 30000, size: 11 });
    assert.equal(portRangeOffset(2768), 86);
    assert.equal(portRangeOffset(10), 0);
    assert.equal(portRangeOffset(100_000), 128);
  });
});

describe('ServiceIPAllocator', () => {
  const parent = { group: '', resource: 'services', namespace: 'default', name: 's' };

  it('allocates from the upper band first, then the lower band, then fails as kube does', async () => {
    const kv = new MemoryKV();
    const store = new ObjectStore(kv, identityTransformer);
    const allocator = new ServiceIPAllocator(parseServiceCIDR('10.0.0.0/27'), { store, ipAddresses });
    // /27: 30 usable addresses, offset 16: upper band .17-.30 (14 addresses), lower band .1-.16.
    const first14 = await Promise.all(Array.from({ length: 14 }, () => allocator.allocateNext(parent, false)));
    for (const ip of first14) assert.ok(parseIP(ip)!.value >= parseIP('10.0.0.17')!.value, ip);
    const rest = [];
    for (let i = 0; i < 16; i++) rest.push(await allocator.allocateNext(parent, false));
    for (const ip of rest) assert.ok(parseIP(ip)!.value <= parseIP('10.0.0.16')!.value, ip);
    assert.equal(new Set([...first14, ...rest]).size, 30);
    await assert.rejects(allocator.allocateNext(parent, false), /^Error: range is full$/);
    await allocator.release('10.0.0.5');
    assert.equal(await allocator.allocateNext(parent, false), '10.0.0.5');
  });

  it('reserves requested addresses and refuses taken or foreign ones', async () => {
    const kv = new MemoryKV();
    const store = new ObjectStore(kv, identityTransformer);
    const allocator = new ServiceIPAllocator(parseServiceCIDR('10.0.0.0/24'), { store, ipAddresses });
    assert.equal(await allocator.allocate('10.0.0.10', parent, false), '10.0.0.10');
    await assert.rejects(allocator.allocate('10.0.0.10', parent, false), /provided IP is already allocated/);
    await assert.rejects(allocator.allocate('10.0.1.10', parent, false), /^Error: the provided network does not match the current range$/);
    await assert.rejects(allocator.allocate('10.0.0.0', parent, false), /^Error: provided IP 10.0.0.0 is not in the valid range$/);
    await assert.rejects(allocator.allocate('10.0.0.255', parent, false), /not in the valid range/);
    // A dry run checks the range only and writes nothing.
    assert.equal(await allocator.allocate('10.0.0.11', parent, true), '10.0.0.11');
    assert.equal(await allocator.allocateNext(parent, true), '10.0.0.0');
    assert.deepEqual(await ipAddressNames(kv), ['10.0.0.10']);
    const stored = JSON.parse(new TextDecoder().decode((await kv.get('/registry/ipaddresses/10.0.0.10')).kv!.value));
    assert.deepEqual(stored.metadata.labels, { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' });
    assert.deepEqual(stored.spec, { parentRef: parent });
    assert.equal(stored.kind, 'IPAddress');
    assert.ok(stored.metadata.uid);
  });
});

describe('NodePortAllocator', () => {
  it('allocates, refuses duplicates and out-of-range ports with kube texts, releases', async () => {
    const kv = new MemoryKV();
    const ports = new NodePortAllocator(parsePortRange('30000-30019'), { kv });
    const got = await ports.transact(false, (op) => [op.allocateNext(), op.allocateNext()]);
    for (const p of got) assert.ok(p >= 30016 && p <= 30019, String(p));
    await ports.transact(false, (op) => op.allocate(30001));
    await assert.rejects(ports.transact(false, (op) => op.allocate(30001)), /^Error: provided port is already allocated$/);
    await assert.rejects(
      ports.transact(false, (op) => op.allocate(80)),
      /^Error: provided port is not in the valid range. The range of valid ports is 30000-30019$/,
    );
    assert.deepEqual((await ports.allocated()).length, 3);
    await ports.transact(false, (op) => op.release(30001));
    assert.equal(await ports.has(30001), false);
    // Exhaustion.
    await ports.transact(false, (op) => {
      for (let i = 0; i < 18; i++) op.allocateNext();
    });
    await assert.rejects(ports.transact(false, (op) => op.allocateNext()), /^Error: range is full$/);
    const stored = JSON.parse(new TextDecoder().decode((await kv.get('/registry/ranges/servicenodeports')).kv!.value));
    assert.equal(stored.kind, 'RangeAllocation');
    assert.equal(stored.range, '30000-30019');
    assert.equal(Buffer.from(stored.data, 'base64').toString('hex'), '0fffff');
  });
});

describe('Service allocation through the registry', () => {
  it('gives a ClusterIP service an IP in range and an IPAddress naming it; delete releases it', async () => {
    const h = registryOver(new MemoryKV());
    await createNamespace(h, 'default');
    const svc = await create(h, service('web'));
    const ip = svc.spec.clusterIP as string;
    assert.match(ip, /^10\.0\.0\.\d+$/);
    assert.deepEqual(svc.spec.clusterIPs, [ip]);
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
    assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(await ipAddressNames(h.kv), [ip]);
    await h.registry.delete(scope('services', 'default', 'web'), deleteOptions());
    assert.deepEqual(await ipAddressNames(h.kv), []);
  });

  it('refuses a requested IP that is taken or out of range with kube texts, and headless/ExternalName allocate nothing', async () => {
    const h = registryOver(new MemoryKV());
    await createNamespace(h, 'default');
    await create(h, service('a', { clusterIP: '10.0.0.10' }));
    await expectStatus(create(h, service('b', { clusterIP: '10.0.0.10' })), {
      code: 422,
      reason: 'Invalid',
      message: 'Service "b" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.10"]: failed to allocate IP 10.0.0.10: provided IP is already allocated',
    });
    await expectStatus(create(h, service('c', { clusterIP: '192.168.0.1' })), {
      code: 422,
      reason: 'Invalid',
      message: 'Service "c" is invalid: spec.clusterIPs: Invalid value: ["192.168.0.1"]: failed to allocate IP 192.168.0.1: the provided network does not match the current range',
    });
    const headless = await create(h, service('h', { clusterIP: 'None' }));
    assert.deepEqual(headless.spec.clusterIPs, ['None']);
    const external = await create(h, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.equal(external.spec.clusterIP, undefined);
    assert.deepEqual(await ipAddressNames(h.kv), ['10.0.0.10']);
  });

  it('releases what it reserved when admission rejects the service, and dry runs reserve nothing', async () => {
    const h = registryOver(new MemoryKV());
    await createNamespace(h, 'default');
    h.admitter.hook = () => {
      throw new Error('rejected');
    };
    await assert.rejects(create(h, service('a', { type: 'NodePort' })), /rejected/);
    h.admitter.hook = undefined;
    assert.deepEqual(await ipAddressNames(h.kv), []);
    const dry = await create(h, service('d', { type: 'NodePort' }), true);
    assert.equal(dry.spec.clusterIP, '10.0.0.0');
    assert.equal(dry.spec.ports[0].nodePort, 32769);
    assert.deepEqual(await ipAddressNames(h.kv), []);
    const stored = (await h.kv.get('/registry/ranges/servicenodeports')).kv;
    assert.ok(!stored || Buffer.from(JSON.parse(new TextDecoder().decode(stored.value)).data, 'base64').every((b: number) => b === 0));
  });

  it('allocates node ports, refuses a taken one with kube text, keeps them on update and releases them on type change and delete', async () => {
    const h = registryOver(new MemoryKV(), { ports: '30000-30099' });
    await createNamespace(h, 'default');
    const np = await create(h, service('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 443, nodePort: 30005 }] }));
    const dynamic = np.spec.ports[0].nodePort as number;
    assert.ok(dynamic >= 30000 && dynamic <= 30099);
    assert.equal(np.spec.ports[1].nodePort, 30005);
    await expectStatus(create(h, service('dup', { type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] })), {
      code: 422,
      reason: 'Invalid',
      message: 'Service "dup" is invalid: spec.ports[0].nodePort: Invalid value: 30005: provided port is already allocated',
    });
    await expectStatus(create(h, service('out', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] })), {
      code: 422,
      reason: 'Invalid',
      message: 'Service "out" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-30099',
    });
    // An update that leaves the node ports out keeps them (patchAllocatedValues).
    const replaced = (await h.registry.update(
      scope('services', 'default', 'np'),
      { ...service('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 443 }] }) },
      writeOptions(),
    )).object as Record<string, any>;
    assert.deepEqual(replaced.spec.ports.map((p: any) => p.nodePort), [dynamic, 30005]);
    assert.equal(replaced.spec.clusterIP, np.spec.clusterIP);
    const ports = new NodePortAllocator(parsePortRange('30000-30099'), { kv: h.kv });
    assert.deepEqual((await ports.allocated()).sort(), [dynamic, 30005].sort());
    // To ClusterIP: node ports released; to ExternalName: the IP released.
    const current = replaced;
    const toClusterIP = (await h.registry.update(
      scope('services', 'default', 'np'),
      { ...current, spec: { ...current.spec, type: 'ClusterIP' } },
      writeOptions(),
    )).object as Record<string, any>;
    assert.deepEqual(toClusterIP.spec.ports.map((p: any) => p.nodePort), [undefined, undefined]);
    assert.deepEqual(await ports.allocated(), []);
    const toExternal = (await h.registry.update(
      scope('services', 'default', 'np'),
      { ...toClusterIP, spec: { ...toClusterIP.spec, type: 'ExternalName', externalName: 'example.com' } },
      writeOptions(),
    )).object as Record<string, any>;
    assert.equal(toExternal.spec.clusterIP, undefined);
    assert.deepEqual(await ipAddressNames(h.kv), []);
  });

  it('never hands out one IP twice: 50 concurrent creates through two registries over one KV', async () => {
    const kv = new MemoryKV();
    const one = registryOver(kv, { ip: '10.0.0.0/26' });
    const two = registryOver(kv, { ip: '10.0.0.0/26' });
    await createNamespace(one, 'default');
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) => create(i % 2 === 0 ? one : two, service(`s${i}`, { type: 'NodePort' }))));
    const ips = created.map((s) => s.spec.clusterIP as string);
    assert.equal(new Set(ips).size, 50);
    const nodePorts = created.map((s) => s.spec.ports[0].nodePort as number);
    assert.equal(new Set(nodePorts).size, 50);
    assert.deepEqual((await ipAddressNames(kv)).sort(), [...ips].sort());
    // /26: 62 addresses; 12 left, then exhaustion answers kube's 500.
    await Promise.all(Array.from({ length: 12 }, (_, i) => create(i % 2 ? one : two, service(`t${i}`))));
    await expectStatus(create(one, service('full')), { code: 500, reason: 'InternalError', message: 'Internal error occurred: failed to allocate a serviceIP: range is full' });
  });
});
