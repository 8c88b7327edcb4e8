import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryKV } from '@kapi/kv';
import { builtinCatalogue } from '@kapi/schema';
import { identityTransformer } from '@kapi/value';
import { ObjectStore } from '../object-store.js';
import { Registry } from '../registry.js';
import { RecordingAdmitter, createNamespace, scope, writeOptions, type Harness } from '../testing-support.js';
import { serviceAllocation } from './index.js';
import type { ServiceAllocator } from './service-allocator.js';

describe('ServiceAllocationRepair', () => {
  it('frees IPs and node ports no Service holds after three passes, and restores missing IPAddresses', async () => {
    const kv = new MemoryKV();
    const catalogue = builtinCatalogue();
    const store = new ObjectStore(kv, identityTransformer);
    const allocation = serviceAllocation({ store, catalogue, serviceNodePortRange: '30000-30099' });
    const admitter = new RecordingAdmitter();
    const registry = new Registry({ store, catalogue, admitter, writeHooks: allocation.writeHooks });
    const h = { registry } as Harness;
    await createNamespace(h, 'default');
    const { object } = await registry.create(
      scope('services', 'default'),
      { metadata: { name: 'kept' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30007 }] } },
      writeOptions(),
    );
    const kept = object as { spec: { clusterIP: string } };
    // A leak: an IPAddress and a node port reserved for a Service that was never written.
    const services = allocation.writeHooks(scope('services', 'default').info) as ServiceAllocator;
    const ipAllocator = services.ipAllocators.get('IPv4')!;
    // (not the address the kept Service drew at random)
    const leaked = kept.spec.clusterIP === '10.0.0.50' ? '10.0.0.51' : '10.0.0.50';
    await ipAllocator.allocate(leaked, { group: '', resource: 'services', namespace: 'default', name: 'ghost' }, false);
    const ports = services.nodePorts;
    await ports.transact(false, (op) => op.allocate(30050));
    // A Service whose IPAddress went missing.
    await kv.delete(`/registry/ipaddresses/${kept.spec.clusterIP}`);

    const first = await allocation.repair.runOnce();
    assert.deepEqual(first, { releasedIPs: [], restoredIPs: [kept.spec.clusterIP], releasedPorts: [], restoredPorts: [] });
    assert.equal(await ports.has(30050), true);
    await allocation.repair.runOnce();
    const third = await allocation.repair.runOnce();
    assert.deepEqual(third, { releasedIPs: [leaked], restoredIPs: [], releasedPorts: [30050], restoredPorts: [] });
    assert.equal((await kv.get(`/registry/ipaddresses/${leaked}`)).kv, undefined);
    assert.ok((await kv.get(`/registry/ipaddresses/${kept.spec.clusterIP}`)).kv);
    assert.deepEqual(await ports.allocated(), [30007]);
  });
});
