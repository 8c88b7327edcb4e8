// The Service REST's allocation around the generic store (kube's pkg/registry/core/service/
// storage alloc.go: allocateCreate / allocateUpdate / releaseAllocatedResources): cluster IPs
// from --service-cluster-ip-range as IPAddress objects, node ports from --service-node-port-range
// in the RangeAllocation bitmap. Everything is reserved before the Service is admitted and
// written, and released again when that fails; what an update gives up is released only once
// the update is written.

import {
  type FieldError,
  type KubeObject,
  type StatusError,
  fieldPath,
  invalid,
  newInternalError,
  newInvalid,
} from '@kapi/apimachinery';
import type { ResourceInfo } from '@kapi/schema';
import type { ObjectStore } from '../object-store.js';
import type { ResourceWriteHooks, WriteTransaction } from '../write-hooks.js';
import { IPAllocationError, type ParentRef, ServiceIPAllocator } from './ip-allocator.js';
import { type IPFamily, parseIP, parseServiceClusterIPRange } from '@kapi/apimachinery';
import { NodePortAllocator, PortAllocationError, type PortOperation, parsePortRange } from './port-allocator.js';
import {
  type Spec,
  clusterIPsOf,
  dropTypeDependentFields,
  familiesOf,
  isHeadless,
  needsClusterIP,
  needsHealthCheckNodePort,
  needsNodePort,
  nodePortOf,
  nodePortsHeld,
  normalizeClusterIPs,
  patchAllocatedValues,
  portsOf,
  serviceType,
  shouldAllocateNodePorts,
  specOf,
} from './service-fields.js';

/** kube-apiserver's defaults. */
export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
export const DEFAULT_SERVICE_NODE_PORT_RANGE = '30000-32767';

export interface ServiceAllocatorOptions {
  store: ObjectStore;
  /** networking.k8s.io/v1 ipaddresses from the catalogue. */
  ipAddresses: ResourceInfo;
  /** --service-cluster-ip-range: one CIDR or two of different families, comma-separated. */
  serviceClusterIPRange?: string;
  /** --service-node-port-range. */
  serviceNodePortRange?: string;
  now?: () => Date;
  random?: () => number;
}

const SERVICE_KIND = { group: '', kind: 'Service' };

function serviceInvalid(service: KubeObject, errs: FieldError[]): StatusError {
  return newInvalid(SERVICE_KIND, service.metadata?.name ?? '', errs);
}

function parentOf(service: KubeObject): ParentRef {
  return { group: '', resource: 'services', namespace: service.metadata?.namespace ?? '', name: service.metadata?.name ?? '' };
}

/** Whether the cluster IP fields are well formed enough to allocate from (kube's
 * initIPFamilyFields runs ValidateServiceClusterIPsRelatedFields first; malformed fields are left
 * to admission's validation, which reports them with kube's texts, and nothing is allocated). */
function clusterIPFieldsWellFormed(spec: Spec): boolean {
  const ips = clusterIPsOf(spec);
  const clusterIP = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
  if (clusterIP !== '' ? ips[0] !== clusterIP : ips.length > 0) return false;
  if (ips.length > 2) return false;
  if (ips[0] === 'None') return ips.length === 1;
  for (const ip of ips) if (!parseIP(ip)) return false;
  for (const family of familiesOf(spec)) if (family !== 'IPv4' && family !== 'IPv6') return false;
  if (ips.length === 2 && parseIP(ips[0]!)!.family === parseIP(ips[1]!)!.family) return false;
  return true;
}

/** What one begin hook reserved, and what it gives back on success. */
class Reservation implements WriteTransaction {
  readonly ips: { allocator: ServiceIPAllocator; ip: string }[] = [];
  readonly ports: number[] = [];
  readonly releaseIPsOnCommit: { allocator: ServiceIPAllocator; ip: string }[] = [];
  readonly releasePortsOnCommit: number[] = [];

  constructor(
    private readonly owner: ServiceAllocator,
    private readonly parent: ParentRef,
    private readonly dryRun: boolean,
  ) {}

  async commit(): Promise<void> {
    if (this.dryRun) return;
    await this.owner.releaseQuietly(this.releaseIPsOnCommit, this.releasePortsOnCommit, this.parent);
  }

  async revert(): Promise<void> {
    if (this.dryRun) return;
    await this.owner.releaseQuietly(this.ips, this.ports, this.parent);
  }
}

export class ServiceAllocator implements ResourceWriteHooks {
  /** By family; the first range's family is the cluster's default. */
  readonly ipAllocators = new Map<IPFamily, ServiceIPAllocator>();
  readonly defaultFamily: IPFamily;
  readonly nodePorts: NodePortAllocator;

  constructor(options: ServiceAllocatorOptions) {
    const cidrs = parseServiceClusterIPRange(options.serviceClusterIPRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE);
    for (const cidr of cidrs) {
      this.ipAllocators.set(cidr.family, new ServiceIPAllocator(cidr, { store: options.store, ipAddresses: options.ipAddresses, now: options.now, random: options.random }));
    }
    this.defaultFamily = cidrs[0]!.family;
    this.nodePorts = new NodePortAllocator(parsePortRange(options.serviceNodePortRange ?? DEFAULT_SERVICE_NODE_PORT_RANGE), {
      kv: options.store.kv,
      random: options.random,
    });
  }

  // ---- the hooks -----------------------------------------------------------------------------

  async beginCreate(service: KubeObject, dryRun: boolean): Promise<WriteTransaction> {
    const spec = specOf(service);
    normalizeClusterIPs(spec, undefined);
    const reservation = new Reservation(this, parentOf(service), dryRun);
    if (!clusterIPFieldsWellFormed(spec)) return reservation;
    this.initIPFamilyFields(service, spec, undefined);
    try {
      if (needsClusterIP(spec) && !isHeadless(spec)) await this.allocClusterIPs(service, spec, 0, reservation, dryRun);
      if (needsNodePort(spec) || needsHealthCheckNodePort(spec)) {
        await this.nodePorts.transact(
          dryRun,
          rerunnable(spec, reservation, (op) => {
            if (needsNodePort(spec)) this.initNodePorts(service, spec, op, reservation);
            if (needsHealthCheckNodePort(spec)) this.allocHealthCheckNodePort(spec, op, reservation);
          }),
        );
      }
    } catch (err) {
      await reservation.revert();
      throw err;
    }
    return reservation;
  }

  async beginUpdate(service: KubeObject, old: KubeObject, dryRun: boolean): Promise<WriteTransaction> {
    const spec = specOf(service);
    const oldSpec = specOf(structuredClone(old));
    dropTypeDependentFields(spec, oldSpec);
    patchAllocatedValues(spec, oldSpec);
    normalizeClusterIPs(spec, oldSpec);
    const reservation = new Reservation(this, parentOf(service), dryRun);
    if (!clusterIPFieldsWellFormed(spec)) return reservation;
    this.initIPFamilyFields(service, spec, oldSpec);
    try {
      await this.updateClusterIPs(service, spec, oldSpec, reservation, dryRun);
      await this.nodePorts.transact(
        dryRun,
        rerunnable(spec, reservation, (op) => this.updateNodePorts(service, spec, oldSpec, op, reservation)),
      );
    } catch (err) {
      await reservation.revert();
      throw err;
    }
    return reservation;
  }

  /** releaseAllocatedResources: the Service is gone, so are its IPs and node ports. */
  async afterDelete(service: KubeObject): Promise<void> {
    const spec = specOf(structuredClone(service));
    const ips = needsClusterIP(spec) && !isHeadless(spec) ? this.ipsByFamily(spec) : [];
    await this.releaseQuietly(ips, needsNodePort(spec) || needsHealthCheckNodePort(spec) ? nodePortsHeld(spec) : [], parentOf(service));
  }

  // ---- cluster IPs ---------------------------------------------------------------------------

  /**
   * initIPFamilyFields: ipFamilyPolicy (the old one on update, RequireDualStack for a headless
   * selectorless service, else SingleStack) and ipFamilies (from the cluster IPs, then the
   * cluster's default family, and the second family for dual-stack policies on a dual-stack
   * cluster). Families the cluster lacks are 422s with kube's texts.
   */
  private initIPFamilyFields(service: KubeObject, spec: Spec, oldSpec: Spec | undefined): void {
    if (serviceType(spec) === 'ExternalName') return;
    const hasSelector = spec.selector !== null && typeof spec.selector === 'object' && Object.keys(spec.selector).length > 0;
    if (spec.ipFamilyPolicy === undefined || spec.ipFamilyPolicy === null) {
      if (oldSpec && oldSpec.ipFamilyPolicy) spec.ipFamilyPolicy = oldSpec.ipFamilyPolicy;
      else if (isHeadless(spec) && !hasSelector) spec.ipFamilyPolicy = 'RequireDualStack';
      else spec.ipFamilyPolicy = 'SingleStack';
    }
    const errs: FieldError[] = [];
    const ips = clusterIPsOf(spec);
    const families = familiesOf(spec);
    if (oldSpec && spec.ipFamilyPolicy === 'SingleStack') {
      if (JSON.stringify(clusterIPsOf(oldSpec)) === JSON.stringify(ips) && ips.length > 1) spec.clusterIPs = ips.slice(0, 1);
      if (JSON.stringify(familiesOf(oldSpec)) === JSON.stringify(families) && families.length > 1) spec.ipFamilies = families.slice(0, 1);
    }
    if (spec.ipFamilyPolicy === 'SingleStack') {
      if (clusterIPsOf(spec).length === 2) {
        errs.push(invalid(fieldPath('spec', 'ipFamilyPolicy'), spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
      }
      if (familiesOf(spec).length === 2) {
        errs.push(invalid(fieldPath('spec', 'ipFamilyPolicy'), spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
      }
    }
    const nextFamilies = familiesOf(spec);
    clusterIPsOf(spec).every((ip, i) => {
      if (ip === 'None') return false;
      const family = parseIP(ip)!.family;
      if (i >= nextFamilies.length) {
        if (!this.ipAllocators.has(family)) {
          errs.push(invalid(fieldPath('spec', 'clusterIPs').index(i), clusterIPsOf(spec), `${family} is not configured on this cluster`));
        } else {
          nextFamilies.push(family);
        }
      }
      return true;
    });
    if (nextFamilies.length > 0) spec.ipFamilies = nextFamilies;
    if (errs.length > 0) throw serviceInvalid(service, errs);

    if (isHeadless(spec) && !hasSelector) {
      const headlessFamilies = familiesOf(spec);
      if (headlessFamilies.length === 0) headlessFamilies.push(this.defaultFamily);
      if (headlessFamilies.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') headlessFamilies.push(headlessFamilies[0] === 'IPv4' ? 'IPv6' : 'IPv4');
      spec.ipFamilies = headlessFamilies;
      return;
    }
    if (spec.ipFamilyPolicy === 'RequireDualStack' && this.ipAllocators.size < 2) {
      errs.push(invalid(fieldPath('spec', 'ipFamilyPolicy'), spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
    }
    familiesOf(spec).forEach((family, i) => {
      if (!this.ipAllocators.has(family as IPFamily)) errs.push(invalid(fieldPath('spec', 'ipFamilies').index(i), family, 'not configured on this cluster'));
    });
    if (errs.length > 0) throw serviceInvalid(service, errs);
    const finalFamilies = familiesOf(spec);
    if (finalFamilies.length === 0) finalFamilies.push(this.defaultFamily);
    if (spec.ipFamilyPolicy !== 'SingleStack' && finalFamilies.length === 1 && this.ipAllocators.size === 2) {
      finalFamilies.push(finalFamilies[0] === 'IPv4' ? 'IPv6' : 'IPv4');
    }
    spec.ipFamilies = finalFamilies;
  }

  /** allocClusterIPs from family index `from`: each family's requested IP is reserved, or a free
   * one picked; clusterIP follows clusterIPs[0]. */
  private async allocClusterIPs(service: KubeObject, spec: Spec, from: number, reservation: Reservation, dryRun: boolean): Promise<void> {
    const families = familiesOf(spec) as IPFamily[];
    const ips = clusterIPsOf(spec);
    const parent = parentOf(service);
    for (let i = from; i < families.length; i++) {
      const allocator = this.ipAllocators.get(families[i]!)!;
      const requested = ips[i] ?? '';
      if (requested === '') {
        let ip: string;
        try {
          ip = await allocator.allocateNext(parent, dryRun);
        } catch (err) {
          if (err instanceof IPAllocationError) throw newInternalError(`failed to allocate a serviceIP: ${err.message}`);
          throw err;
        }
        ips[i] = ip;
        reservation.ips.push({ allocator, ip });
      } else {
        try {
          ips[i] = await allocator.allocate(requested, parent, dryRun);
        } catch (err) {
          if (err instanceof IPAllocationError) {
            throw serviceInvalid(service, [invalid(fieldPath('spec', 'clusterIPs'), clusterIPsOf(spec), `failed to allocate IP ${requested}: ${err.message}`)]);
          }
          throw err;
        }
        reservation.ips.push({ allocator, ip: ips[i]! });
      }
    }
    spec.clusterIPs = ips;
    spec.clusterIP = ips[0];
  }

  /** updateClusterIPs: ExternalName -> other types allocates; -> ExternalName releases (after the
   * write); dual-stack upgrades allocate the secondary IP and downgrades release it. */
  private async updateClusterIPs(service: KubeObject, spec: Spec, oldSpec: Spec, reservation: Reservation, dryRun: boolean): Promise<void> {
    if (!needsClusterIP(oldSpec) && needsClusterIP(spec)) {
      if (!isHeadless(spec)) await this.allocClusterIPs(service, spec, 0, reservation, dryRun);
      return;
    }
    if (isHeadless(oldSpec)) return;
    if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
      reservation.releaseIPsOnCommit.push(...this.ipsByFamily(oldSpec));
      return;
    }
    const oldFamilies = familiesOf(oldSpec);
    const families = familiesOf(spec);
    if (oldFamilies.length === 1 && families.length === 2) {
      await this.allocClusterIPs(service, spec, 1, reservation, dryRun);
    } else if (oldFamilies.length === 2 && families.length === 1) {
      reservation.releaseIPsOnCommit.push(...this.ipsByFamily(oldSpec).slice(1));
    }
  }

  private ipsByFamily(spec: Spec): { allocator: ServiceIPAllocator; ip: string }[] {
    const out: { allocator: ServiceIPAllocator; ip: string }[] = [];
    const ips = clusterIPsOf(spec);
    familiesOf(spec).forEach((family, i) => {
      const allocator = this.ipAllocators.get(family as IPFamily);
      const ip = ips[i];
      if (allocator && ip && ip !== 'None') out.push({ allocator, ip });
    });
    return out;
  }

  // ---- node ports ----------------------------------------------------------------------------

  /** initNodePorts: ports with the same port number share one node port; requested node ports
   * are reserved, missing ones allocated where the type allocates them. */
  private initNodePorts(service: KubeObject, spec: Spec, op: PortOperation, reservation: Reservation): void {
    const ports = portsOf(spec);
    const byServicePort = new Map<number, number>();
    ports.forEach((port, i) => {
      if (nodePortOf(port) === 0 && !shouldAllocateNodePorts(spec)) return;
      const servicePort = typeof port.port === 'number' ? port.port : 0;
      const allocated = byServicePort.get(servicePort) ?? 0;
      if (allocated === 0) {
        const requested = ports.slice(i).find((p) => p.port === servicePort && nodePortOf(p) !== 0);
        if (requested) {
          const np = nodePortOf(requested);
          allocatePort(service, op, np, i, reservation);
          port.nodePort = np;
          byServicePort.set(servicePort, np);
        } else {
          const np = allocateNextPort(op, reservation);
          port.nodePort = np;
          byServicePort.set(servicePort, np);
        }
      } else if (nodePortOf(port) !== allocated) {
        if (nodePortOf(port) === 0) port.nodePort = allocated;
        else allocatePort(service, op, nodePortOf(port), i, reservation);
      }
    });
  }

  private allocHealthCheckNodePort(spec: Spec, op: PortOperation, reservation: Reservation): void {
    const requested = typeof spec.healthCheckNodePort === 'number' ? spec.healthCheckNodePort : 0;
    if (requested !== 0) {
      try {
        op.allocate(requested);
      } catch (err) {
        if (err instanceof PortAllocationError) throw newInternalError(`failed to allocate requested HealthCheck NodePort ${requested}: ${err.message}`);
        throw err;
      }
      reservation.ports.push(requested);
      return;
    }
    try {
      spec.healthCheckNodePort = op.allocateNext();
    } catch (err) {
      if (err instanceof PortAllocationError) throw newInternalError(`failed to allocate a HealthCheck NodePort 0: ${err.message}`);
      throw err;
    }
    reservation.ports.push(spec.healthCheckNodePort as number);
  }

  /** txnUpdateNodePorts: releases (after the write) what the old type or ports held and the new
   * ones do not; reserves what the new ones add. */
  private updateNodePorts(service: KubeObject, spec: Spec, oldSpec: Spec, op: PortOperation, reservation: Reservation): void {
    const oldPorts = portsOf(oldSpec).map(nodePortOf).filter((p) => p !== 0);
    if (needsNodePort(oldSpec) && !needsNodePort(spec)) reservation.releasePortsOnCommit.push(...oldPorts);
    if (needsNodePort(spec)) {
      const reserved = new Set<number>();
      portsOf(spec).forEach((port, i) => {
        const np = nodePortOf(port);
        if (np === 0 && !shouldAllocateNodePorts(spec)) return;
        if (np !== 0) {
          if (!oldPorts.includes(np) && !reserved.has(np)) {
            allocatePort(service, op, np, i, reservation);
            reserved.add(np);
          }
        } else {
          port.nodePort = allocateNextPort(op, reservation);
        }
      });
      const newPorts = portsOf(spec).map(nodePortOf);
      for (const np of oldPorts) if (!newPorts.includes(np) && needsNodePort(oldSpec)) reservation.releasePortsOnCommit.push(np);
    }
    const hadHC = needsHealthCheckNodePort(oldSpec);
    const needsHC = needsHealthCheckNodePort(spec);
    const oldHC = typeof oldSpec.healthCheckNodePort === 'number' ? oldSpec.healthCheckNodePort : 0;
    if (!hadHC && needsHC) {
      this.allocHealthCheckNodePort(spec, op, reservation);
    } else if (hadHC && !needsHC) {
      if (oldHC !== 0) reservation.releasePortsOnCommit.push(oldHC);
    } else if (hadHC && needsHC && spec.healthCheckNodePort !== oldHC) {
      this.allocHealthCheckNodePort(spec, op, reservation);
      if (oldHC !== 0) reservation.releasePortsOnCommit.push(oldHC);
    }
  }

  // ---- release -------------------------------------------------------------------------------

  /** Releases IPs (only where the IPAddress still names this service) and node ports; failures
   * are left to the repair loop, as kube logs and moves on. */
  async releaseQuietly(ips: readonly { allocator: ServiceIPAllocator; ip: string }[], ports: readonly number[], parent: ParentRef): Promise<void> {
    for (const { allocator, ip } of ips) {
      try {
        await allocator.release(ip, parent);
      } catch {
        // the repair loop frees IPAddresses without a Service
      }
    }
    if (ports.length === 0) return;
    try {
      await this.nodePorts.transact(false, (op) => {
        for (const port of ports) op.release(port);
      });
    } catch {
      // the repair loop frees node ports without a Service
    }
  }
}

function allocatePort(service: KubeObject, op: PortOperation, port: number, index: number, reservation: Reservation): void {
  try {
    op.allocate(port);
  } catch (err) {
    if (err instanceof PortAllocationError) {
      throw serviceInvalid(service, [invalid(fieldPath('spec', 'ports').index(index).child('nodePort'), port, err.message)]);
    }
    throw err;
  }
  reservation.ports.push(port);
}

function allocateNextPort(op: PortOperation, reservation: Reservation): number {
  let port: number;
  try {
    port = op.allocateNext();
  } catch (err) {
    if (err instanceof PortAllocationError) throw newInternalError(`failed to allocate a nodePort: ${err.message}`);
    throw err;
  }
  reservation.ports.push(port);
  return port;
}

/**
 * Wraps a node port change so that the bitmap transaction can run it more than once (it reruns on
 * a lost compare-and-swap): every run starts from the ports and reservations as they were before
 * the first, and a run that throws leaves nothing reserved behind (its bitmap was never written).
 */
function rerunnable(spec: Spec, reservation: Reservation, change: (op: PortOperation) => void): (op: PortOperation) => void {
  const ports = structuredClone(spec.ports);
  const healthCheckNodePort = spec.healthCheckNodePort;
  const reserved = reservation.ports.length;
  const releasing = reservation.releasePortsOnCommit.length;
  return (op) => {
    if (ports === undefined) delete spec.ports;
    else spec.ports = structuredClone(ports);
    if (healthCheckNodePort === undefined) delete spec.healthCheckNodePort;
    else spec.healthCheckNodePort = healthCheckNodePort;
    reservation.ports.length = reserved;
    reservation.releasePortsOnCommit.length = releasing;
    try {
      change(op);
    } catch (err) {
      reservation.ports.length = reserved;
      throw err;
    }
  };
}
