// Service allocation for the registry: the write hooks of core/v1 services.

import type { Catalogue } from '@kapi/schema';
import type { ObjectStore } from '../object-store.js';
import type { WriteHooksLookup } from '../write-hooks.js';
import { ServiceAllocationRepair } from './repair.js';
import { ServiceAllocator } from './service-allocator.js';

export { DEFAULT_SERVICE_CLUSTER_IP_RANGE, DEFAULT_SERVICE_NODE_PORT_RANGE, ServiceAllocator } from './service-allocator.js';
export { parsePortRange } from './port-allocator.js';
export { ServiceAllocationRepair, startServiceAllocationRepair } from './repair.js';

export interface ServiceWriteHooksOptions {
  store: ObjectStore;
  catalogue: Catalogue;
  serviceClusterIPRange?: string | undefined;
  serviceNodePortRange?: string | undefined;
  now?: () => Date;
  random?: () => number;
}

export interface ServiceAllocation {
  /** The registry's hook lookup: core/v1 services get the ServiceAllocator, nothing else has hooks. */
  writeHooks: WriteHooksLookup;
  /** The repair passes over the same allocator. */
  repair: ServiceAllocationRepair;
}

/** The registry's hook lookup alone (see serviceAllocation). */
export function serviceWriteHooks(options: ServiceWriteHooksOptions): WriteHooksLookup {
  return serviceAllocation(options).writeHooks;
}

/** The Service allocator for a store, its write hooks and its repair. Throws on a malformed range
 * (a startup error). */
export function serviceAllocation(options: ServiceWriteHooksOptions): ServiceAllocation {
  const ipAddresses = options.catalogue.lookup('networking.k8s.io', 'v1', 'ipaddresses');
  if (!ipAddresses) throw new Error('the catalogue has no networking.k8s.io/v1 ipaddresses');
  const allocator = new ServiceAllocator({
    store: options.store,
    ipAddresses,
    serviceClusterIPRange: options.serviceClusterIPRange,
    serviceNodePortRange: options.serviceNodePortRange,
    now: options.now,
    random: options.random,
  });
  const services = options.catalogue.lookup('', 'v1', 'services');
  if (!services) throw new Error('the catalogue has no v1 services');
  return {
    writeHooks: (info) => (info.group === '' && info.resource === 'services' ? allocator : undefined),
    repair: new ServiceAllocationRepair(options.store, allocator, services),
  };
}
