// Service cluster IP allocation as kube 1.33+ does it (MultiCIDRServiceAllocator, GA): every
// allocated address is a networking.k8s.io/v1 IPAddress object named after the address, created
// with a create-if-absent write in the KV. Whoever creates the object owns the address, so storage
// replicas sharing one KV never hand out the same IP: losing the create (AlreadyExists) means the
// address is taken and the next one is tried (kube's Allocator.allocateFromRange).

import {
  type IPFamily,
  type KubeObject,
  type ServiceCIDR,
  addressesFrom,
  canonicalIP,
  cidrContains,
  fillObjectMetaSystemFields,
  formatIP,
  parseIP,
  prefixContains,
  randomBelow,
} from '@kapi/apimachinery';
import { prefixEnd } from '@kapi/kv';
import type { ResourceInfo } from '@kapi/schema';
import { objectKey } from '../keys.js';
import type { ObjectStore } from '../object-store.js';

/** ipallocator.ControllerName: the managed-by label of the IPAddresses the allocator creates. */
export const IP_ALLOCATOR_MANAGER = 'ipallocator.k8s.io';
export const LABEL_IP_FAMILY = 'ipaddress.kubernetes.io/ip-family';
export const LABEL_MANAGED_BY = 'ipaddress.kubernetes.io/managed-by';

/** The errors of kube's ipallocator (interfaces.go), with its texts. */
export class IPAllocationError extends Error {
  constructor(
    readonly reason: 'full' | 'allocated' | 'notInRange' | 'mismatchedNetwork',
    message: string,
  ) {
    super(message);
  }
}

export const errFull = (): IPAllocationError => new IPAllocationError('full', 'range is full');
export const errAllocated = (): IPAllocationError => new IPAllocationError('allocated', 'provided IP is already allocated');
/** The MetaAllocator's answer for an address outside every service CIDR. */
export const errMismatchedNetwork = (): IPAllocationError => new IPAllocationError('mismatchedNetwork', 'the provided network does not match the current range');
export const errNotInRange = (ip: string): IPAllocationError => new IPAllocationError('notInRange', `provided IP ${ip} is not in the valid range`);

/** IPAddress spec.parentRef: the object that owns the address. */
export interface ParentRef {
  group: string;
  resource: string;
  namespace: string;
  name: string;
}

export interface IPAllocatorDeps {
  store: ObjectStore;
  /** The catalogue entry of networking.k8s.io/v1 ipaddresses (for the key and the object). */
  ipAddresses: ResourceInfo;
  now?: () => Date;
  random?: () => number;
}

export class ServiceIPAllocator {
  private readonly store: ObjectStore;
  private readonly info: ResourceInfo;
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(
    readonly cidr: ServiceCIDR,
    deps: IPAllocatorDeps,
  ) {
    this.store = deps.store;
    this.info = deps.ipAddresses;
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
  }

  get family(): IPFamily {
    return this.cidr.family;
  }

  /** The address a dry-run dynamic allocation answers (kube's dry run answers the network
   * address without looking for a free one). */
  get dryRunAddress(): string {
    return formatIP(this.cidr.family, this.cidr.network);
  }

  /** The key of an address's IPAddress object. */
  keyOf(ip: string): string {
    return objectKey(this.info, '', ip);
  }

  /**
   * MetaAllocator.AllocateService for a requested address: ErrMismatchedNetwork outside the CIDR,
   * ErrNotInRange for its network (or IPv4 broadcast) address, ErrAllocated when its IPAddress
   * exists. A dry run only checks the range. Answers the canonical address.
   */
  async allocate(ip: string, parent: ParentRef, dryRun: boolean): Promise<string> {
    const parsed = parseIP(ip);
    if (!parsed || !prefixContains(this.cidr, parsed.family, parsed.value)) throw errMismatchedNetwork();
    if (!cidrContains(this.cidr, parsed.value)) throw errNotInRange(ip);
    const name = formatIP(parsed.family, parsed.value);
    if (dryRun) return name;
    if (!(await this.createIPAddress(name, parent))) throw errAllocated();
    return name;
  }

  /**
   * allocateNextService: a random free address of the upper band (offsetAddress..last), else of
   * the lower band (first..offsetAddress-1), else ErrFull. Addresses known to be taken are skipped
   * without a write; a create that loses a race moves on to the next address.
   */
  async allocateNext(parent: ParentRef, dryRun: boolean): Promise<string> {
    if (dryRun) return this.dryRunAddress;
    const cidr = this.cidr;
    const taken = await this.allocatedAddresses();
    const upper = await this.allocateFromBand(cidr.offsetAddress, cidr.last, taken, parent);
    if (upper !== undefined) return upper;
    if (cidr.rangeOffset > 0) {
      const lower = await this.allocateFromBand(cidr.first, cidr.offsetAddress - 1n, taken, parent);
      if (lower !== undefined) return lower;
    }
    throw errFull();
  }

  private async allocateFromBand(first: bigint, last: bigint, taken: ReadonlySet<string>, parent: ParentRef): Promise<string | undefined> {
    if (last < first) return undefined;
    const offset = randomBelow(last - first + 1n, this.random);
    for (const value of addressesFrom(first, last, offset)) {
      const name = formatIP(this.cidr.family, value);
      if (taken.has(name)) continue;
      if (await this.createIPAddress(name, parent)) return name;
    }
    return undefined;
  }

  /** Release: deletes the address's IPAddress (a missing one is not an error, as in kube). Only
   * an IPAddress owned by `parent` is deleted when a parent is given. */
  async release(ip: string, parent?: ParentRef): Promise<void> {
    const name = canonicalIP(ip);
    if (!name) return;
    const key = this.keyOf(name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const { current } = await this.store.get(key);
      if (!current) return;
      if (parent && !sameParent(current.object, parent)) return;
      const deleted = await this.store.delete(key, current.modRevision);
      if (deleted.succeeded || !deleted.current) return;
    }
  }

  /** The names of every IPAddress in this range (kube reads them from its informer cache). */
  async allocatedAddresses(): Promise<Set<string>> {
    const prefix = objectKey(this.info, '', '');
    const { kvs } = await this.store.kv.range(prefix, { end: prefixEnd(prefix), keysOnly: true });
    const names = new Set<string>();
    for (const kv of kvs) {
      const name = kv.key.slice(prefix.length);
      const parsed = parseIP(name);
      if (parsed && parsed.family === this.cidr.family && cidrContains(this.cidr, parsed.value)) names.add(name);
    }
    return names;
  }

  /** createIPAddress: true when this call created the object, false when it existed already. */
  private async createIPAddress(name: string, parent: ParentRef): Promise<boolean> {
    const object: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: {
        name,
        labels: { [LABEL_IP_FAMILY]: this.cidr.family, [LABEL_MANAGED_BY]: IP_ALLOCATOR_MANAGER },
      },
      spec: { parentRef: { ...parent } },
    };
    fillObjectMetaSystemFields(object.metadata!, this.now());
    const result = await this.store.create(this.keyOf(name), this.store.serialize(object));
    return result.succeeded;
  }
}

/** Whether an IPAddress names this parent. */
export function sameParent(ipAddress: KubeObject, parent: ParentRef): boolean {
  const ref = ((ipAddress.spec ?? {}) as { parentRef?: Partial<ParentRef> }).parentRef ?? {};
  return (
    (ref.group ?? '') === parent.group && ref.resource === parent.resource && (ref.namespace ?? '') === parent.namespace && ref.name === parent.name
  );
}
