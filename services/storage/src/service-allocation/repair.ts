// The repair loops of kube's service allocators (pkg/registry/core/service/ipallocator/controller
// repairip.go and portallocator/controller/repair.go), run by storage because the allocation state
// (IPAddress objects, the node port bitmap) lives in its KV. Each pass compares the allocations
// with the Services that hold them: an allocation no Service holds is a leak, freed only after it
// was seen in `leakPasses` passes in a row (a Service whose allocation was just made may not be
// written yet); a Service whose IP has no IPAddress gets one again. The bitmap is rewritten with a
// compare-and-swap on the snapshot the pass started from, so a concurrent allocation is never lost.

import { type KubeObject, parseIP } from '@kapi/apimachinery';
import { prefixEnd } from '@kapi/kv';
import type { ResourceInfo } from '@kapi/schema';
import { collectionPrefix } from '../keys.js';
import type { ObjectStore } from '../object-store.js';
import { IP_ALLOCATOR_MANAGER, LABEL_MANAGED_BY, type ParentRef, sameParent } from './ip-allocator.js';
import { clusterIPsOf, familiesOf, isHeadless, needsClusterIP, needsHealthCheckNodePort, needsNodePort, nodePortsHeld, specOf } from './service-fields.js';
import type { ServiceAllocator } from './service-allocator.js';

/** kube frees a leaked node port after this many repair passes (numRepairsBeforeLeakCleanup). */
export const DEFAULT_LEAK_PASSES = 3;

export interface RepairOutcome {
  releasedIPs: string[];
  restoredIPs: string[];
  releasedPorts: number[];
  restoredPorts: number[];
}

export class ServiceAllocationRepair {
  private readonly ipLeaks = new Map<string, number>();
  private readonly portLeaks = new Map<number, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly allocator: ServiceAllocator,
    private readonly services: ResourceInfo,
    private readonly leakPasses = DEFAULT_LEAK_PASSES,
  ) {}

  /** One pass over IPs and node ports. */
  async runOnce(): Promise<RepairOutcome> {
    const portSnapshot = await this.allocator.nodePorts.snapshot();
    const services = await this.listServices();
    const ips = await this.repairIPs(services);
    const ports = await this.repairNodePorts(services, portSnapshot);
    return { ...ips, ...ports };
  }

  private async listServices(): Promise<KubeObject[]> {
    const prefix = collectionPrefix(this.services, '');
    const { objects } = await this.store.range(prefix, { end: prefixEnd(prefix) });
    return objects.map((o) => o.object);
  }

  private async repairIPs(services: KubeObject[]): Promise<{ releasedIPs: string[]; restoredIPs: string[] }> {
    const held = new Map<string, { parent: ParentRef; family: string }>();
    for (const service of services) {
      const spec = specOf(structuredClone(service));
      if (!needsClusterIP(spec) || isHeadless(spec)) continue;
      const families = familiesOf(spec);
      clusterIPsOf(spec).forEach((ip, i) => {
        const parsed = parseIP(ip);
        const family = families[i] ?? parsed?.family;
        if (!parsed || !family) return;
        held.set(ip, { family, parent: { group: '', resource: 'services', namespace: service.metadata?.namespace ?? '', name: service.metadata?.name ?? '' } });
      });
    }
    const releasedIPs: string[] = [];
    const restoredIPs: string[] = [];
    const seen = new Set<string>();
    // Every family's IPAddresses live under the one prefix.
    const keys = [...this.allocator.ipAllocators.values()][0]!;
    const prefix = keys.keyOf('');
    const { objects } = await this.store.range(prefix, { end: prefixEnd(prefix) });
    for (const { object, modRevision } of objects) {
      const name = object.metadata?.name ?? '';
      seen.add(name);
      if (object.metadata?.labels?.[LABEL_MANAGED_BY] !== IP_ALLOCATOR_MANAGER) continue;
      const holder = held.get(name);
      if (holder && sameParent(object, holder.parent)) {
        this.ipLeaks.delete(name);
        continue;
      }
      const passes = (this.ipLeaks.get(name) ?? 0) + 1;
      if (passes < this.leakPasses) {
        this.ipLeaks.set(name, passes);
        continue;
      }
      this.ipLeaks.delete(name);
      const deleted = await this.store.delete(keys.keyOf(name), modRevision);
      if (deleted.succeeded) releasedIPs.push(name);
    }
    for (const [ip, { parent, family }] of held) {
      if (seen.has(ip)) continue;
      const allocator = this.allocator.ipAllocators.get(family as 'IPv4' | 'IPv6');
      if (!allocator) continue;
      try {
        await allocator.allocate(ip, parent, false);
        restoredIPs.push(ip);
      } catch {
        // out of range (the range changed) or taken meanwhile: nothing to restore
      }
    }
    return { releasedIPs, restoredIPs };
  }

  private async repairNodePorts(
    services: KubeObject[],
    snapshot: Awaited<ReturnType<ServiceAllocator['nodePorts']['snapshot']>>,
  ): Promise<{ releasedPorts: number[]; restoredPorts: number[] }> {
    const ports = this.allocator.nodePorts;
    const { base, size } = ports.range;
    const inRange = (p: number): boolean => p >= base && p < base + size;
    const bit = (p: number): bigint => 1n << BigInt(p - base);
    let next = 0n;
    for (const service of services) {
      const spec = specOf(structuredClone(service));
      if (!needsNodePort(spec) && !needsHealthCheckNodePort(spec)) continue;
      for (const p of nodePortsHeld(spec)) if (inRange(p)) next |= bit(p);
    }
    const restoredPorts: number[] = [];
    const releasedPorts: number[] = [];
    for (let i = 0; i < size; i++) {
      const p = base + i;
      const wasSet = (snapshot.bits & bit(p)) !== 0n;
      const isHeld = (next & bit(p)) !== 0n;
      if (isHeld) {
        this.portLeaks.delete(p);
        if (!wasSet) restoredPorts.push(p);
        continue;
      }
      if (!wasSet) continue;
      const passes = (this.portLeaks.get(p) ?? 0) + 1;
      if (passes < this.leakPasses) {
        this.portLeaks.set(p, passes);
        next |= bit(p);
      } else {
        this.portLeaks.delete(p);
        releasedPorts.push(p);
      }
    }
    if (next === snapshot.bits) return { releasedPorts: [], restoredPorts: [] };
    // A lost race means someone allocated meanwhile: the next pass starts from their state.
    if (!(await ports.replace(next, snapshot.modRevision))) return { releasedPorts: [], restoredPorts: [] };
    return { releasedPorts, restoredPorts };
  }
}

/** Runs repair passes every `intervalMs` (kube: 3 minutes) until stopped. */
export function startServiceAllocationRepair(repair: ServiceAllocationRepair, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let pass: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    pass = pass.then(() => (stopped ? undefined : repair.runOnce().catch(() => undefined)));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await pass;
    },
  };
}
