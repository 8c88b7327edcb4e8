// The Service REST's field preparation around allocation (pkg/registry/core/service/storage:
// normalizeClusterIPs, patchAllocatedValues; strategy.go dropTypeDependentFields), on the JSON
// object as storage sees it before admission: a missing type is ClusterIP, a missing
// externalTrafficPolicy Cluster and a missing allocateLoadBalancerNodePorts true, as the defaults
// admission applies next will make them.

import type { KubeObject } from '@kapi/apimachinery';

export type Spec = Record<string, unknown>;

export interface PortSpec {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
  [key: string]: unknown;
}

export function specOf(service: KubeObject): Spec {
  if (service.spec === null || typeof service.spec !== 'object' || Array.isArray(service.spec)) service.spec = {};
  return service.spec as Spec;
}

export const serviceType = (spec: Spec): string => (typeof spec.type === 'string' && spec.type !== '' ? spec.type : 'ClusterIP');

export function clusterIPsOf(spec: Spec): string[] {
  return Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map((ip) => String(ip)) : [];
}

export function familiesOf(spec: Spec): string[] {
  return Array.isArray(spec.ipFamilies) ? spec.ipFamilies.map((f) => String(f)) : [];
}

export function portsOf(spec: Spec): PortSpec[] {
  return Array.isArray(spec.ports) ? spec.ports.filter((p): p is PortSpec => p !== null && typeof p === 'object' && !Array.isArray(p)) : [];
}

export const nodePortOf = (port: PortSpec): number => (typeof port.nodePort === 'number' ? port.nodePort : 0);
const healthCheckNodePortOf = (spec: Spec): number => (typeof spec.healthCheckNodePort === 'number' ? spec.healthCheckNodePort : 0);

export const needsClusterIP = (spec: Spec): boolean => serviceType(spec) !== 'ExternalName';
export const needsNodePort = (spec: Spec): boolean => serviceType(spec) === 'NodePort' || serviceType(spec) === 'LoadBalancer';
export const isHeadless = (spec: Spec): boolean => clusterIPsOf(spec)[0] === 'None' || spec.clusterIP === 'None';

/** apiservice.NeedsHealthCheck: LoadBalancer with externalTrafficPolicy Local. */
export const needsHealthCheckNodePort = (spec: Spec): boolean => serviceType(spec) === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

/** shouldAllocateNodePorts: NodePort always, LoadBalancer unless allocateLoadBalancerNodePorts is false. */
export const shouldAllocateNodePorts = (spec: Spec): boolean =>
  serviceType(spec) === 'NodePort' || (serviceType(spec) === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

/** Every node port a service holds: its ports' and the health check's. */
export function nodePortsHeld(spec: Spec): number[] {
  const ports = portsOf(spec).map(nodePortOf).filter((p) => p !== 0);
  const hc = healthCheckNodePortOf(spec);
  if (hc !== 0) ports.push(hc);
  return [...new Set(ports)];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** normalizeClusterIPs: keep clusterIP and clusterIPs in step for clients that set only one. */
export function normalizeClusterIPs(spec: Spec, oldSpec: Spec | undefined): void {
  const clusterIP = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
  if (!oldSpec) {
    if (clusterIP !== '' && clusterIPsOf(spec).length === 0) spec.clusterIPs = [clusterIP];
    return;
  }
  const oldClusterIP = typeof oldSpec.clusterIP === 'string' ? oldSpec.clusterIP : '';
  if (clusterIPsOf(oldSpec).length > 0 && clusterIPsOf(spec).length === 0 && oldClusterIP === clusterIP) spec.clusterIPs = oldSpec.clusterIPs;
  if (oldClusterIP !== clusterIP) {
    if (oldClusterIP !== '' && clusterIP === '') {
      if (same(oldSpec.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
    } else if (same(oldSpec.clusterIPs, spec.clusterIPs)) {
      spec.clusterIPs = [clusterIP];
    }
  }
}

/** patchAllocatedValues: values a client left out of an update (kubectl apply of a manifest
 * without clusterIP or nodePort) are kept from the stored object. */
export function patchAllocatedValues(spec: Spec, oldSpec: Spec): void {
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if ((spec.clusterIP ?? '') === '' && oldSpec.clusterIP !== undefined) spec.clusterIP = oldSpec.clusterIP;
    if (clusterIPsOf(spec).length === 0 && clusterIPsOf(oldSpec).length > 0) spec.clusterIPs = oldSpec.clusterIPs;
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const newUsed = new Set(portsOf(spec).map(nodePortOf));
    const used = new Set(portsOf(oldSpec).map(nodePortOf).filter((p) => newUsed.has(p)));
    const byName = new Map(portsOf(oldSpec).map((p) => [p.name ?? '', nodePortOf(p)]));
    for (const port of portsOf(spec)) {
      if (nodePortOf(port) !== 0) continue;
      const oldValue = byName.get(port.name ?? '') ?? 0;
      if (oldValue !== 0 && !used.has(oldValue)) port.nodePort = oldValue;
    }
  }
  if (needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(spec) && healthCheckNodePortOf(spec) === 0 && healthCheckNodePortOf(oldSpec) !== 0) {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

/** dropTypeDependentFields: on a type change, the values the old type needed and the client did
 * not touch are wiped (the allocator then releases them). */
export function dropTypeDependentFields(spec: Spec, oldSpec: Spec): void {
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (same(oldSpec.clusterIP, spec.clusterIP) && same(oldSpec.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(oldSpec.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (same(oldSpec.ipFamilyPolicy, spec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  const oldNodePorts = portsOf(oldSpec).map(nodePortOf);
  const sameNodePorts = same(oldNodePorts, portsOf(spec).map(nodePortOf));
  if (needsNodePort(oldSpec) && !needsNodePort(spec) && sameNodePorts) {
    for (const port of portsOf(spec)) delete port.nodePort;
  }
  if (needsHealthCheckNodePort(oldSpec) && !needsHealthCheckNodePort(spec) && same(oldSpec.healthCheckNodePort, spec.healthCheckNodePort)) {
    delete spec.healthCheckNodePort;
  }
  if (serviceType(oldSpec) === 'LoadBalancer' && serviceType(spec) !== 'LoadBalancer') {
    if (typeof spec.allocateLoadBalancerNodePorts === 'boolean' && spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (same(oldSpec.loadBalancerClass, spec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  const accessible = (s: Spec): boolean =>
    needsNodePort(s) || (serviceType(s) === 'ClusterIP' && Array.isArray(s.externalIPs) && s.externalIPs.length > 0);
  if (accessible(oldSpec) && !accessible(spec) && same(oldSpec.externalTrafficPolicy, spec.externalTrafficPolicy)) {
    delete spec.externalTrafficPolicy;
  }
}
