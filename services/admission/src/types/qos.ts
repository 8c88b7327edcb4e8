// The QoS class kube's pod strategy records in status.qosClass on create (pkg/apis/core/helper/
// qos.ComputePodQOS over the defaulted pod): BestEffort without cpu/memory requests or limits,
// Guaranteed when every container limits cpu and memory and the summed requests equal the summed
// limits, Burstable otherwise. Pod-level resources (spec.resources), when set, decide alone.

import { addQuantities, compareQuantities, type QuantityValue, quantitySign } from '@kapi/apimachinery';
import { isObject, listAt, objectAt } from './json.js';
import { resourceEntries } from './resources.js';

export type QOSClass = 'BestEffort' | 'Burstable' | 'Guaranteed';

const QOS_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory']);

/** Adds the positive cpu/memory entries of a ResourceList into sums; returns the names found. */
function accumulate(list: unknown, sums: Map<string, QuantityValue>): Set<string> {
  const found = new Set<string>();
  for (const [name, , value] of resourceEntries(list)) {
    if (!QOS_RESOURCES.has(name) || quantitySign(value) <= 0) continue;
    found.add(name);
    const prev = sums.get(name);
    sums.set(name, prev ? addQuantities(prev, value) : value);
  }
  return found;
}

export function computePodQOS(pod: unknown): QOSClass {
  const spec = objectAt(pod, 'spec');
  const requests = new Map<string, QuantityValue>();
  const limits = new Map<string, QuantityValue>();
  let guaranteed = true;
  const podResources = objectAt(spec, 'resources');
  if (podResources && (isObject(podResources.requests) || isObject(podResources.limits))) {
    accumulate(podResources.requests, requests);
    const found = accumulate(podResources.limits, limits);
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  } else {
    for (const container of [...listAt(spec, 'containers'), ...listAt(spec, 'initContainers')]) {
      const resources = objectAt(container, 'resources');
      accumulate(resources?.requests, requests);
      const found = accumulate(resources?.limits, limits);
      if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
    }
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (!limit || compareQuantities(limit, request) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
