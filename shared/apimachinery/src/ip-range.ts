// IP address arithmetic for service CIDRs (storage allocates from them, controllers name the
// first address for the `kubernetes` Service), on bigints so IPv4 and IPv6 share one code path.
// Reproduces the range rules of kube's IPAddress-based allocator (pkg/registry/core/service/
// ipallocator/ipallocator.go NewIPAllocator): the network address is never handed out, nor is the
// IPv4 broadcast address; KEP-3070 reserves a lower band of the range for static allocation.

import { isIPv4, isIPv6 } from 'node:net';

export type IPFamily = 'IPv4' | 'IPv6';

export interface ServiceCIDR {
  /** The CIDR as written by kube's netip.Prefix String(): masked address and prefix length. */
  text: string;
  family: IPFamily;
  bits: number;
  /** The network address. */
  network: bigint;
  /** First and last allocatable addresses (inclusive). */
  first: bigint;
  last: bigint;
  /** The first address of the upper (dynamic) band: first + rangeOffset. */
  offsetAddress: bigint;
  /** KEP-3070's calculateRangeOffset. */
  rangeOffset: number;
  /** How many addresses first..last holds. */
  size: bigint;
}

function addressBits(family: IPFamily): number {
  return family === 'IPv4' ? 32 : 128;
}

/** Parses an IP address to its family and value; undefined when it is not one. */
export function parseIP(text: string): { family: IPFamily; value: bigint } | undefined {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 'IPv4', value };
  }
  if (!isIPv6(text)) return undefined;
  let source = text;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(source);
  if (v4) {
    const n = parseIP(v4[1]!)!.value;
    source = `${source.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = source.includes('::') ? source.split('::') : [source, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const value = groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
  return { family: 'IPv6', value };
}

/** The canonical text of an address (Go's netip.Addr String(): dotted quad, or RFC 5952 IPv6). */
export function formatIP(family: IPFamily, value: bigint): string {
  if (family === 'IPv4') return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // The longest run (of two or more) of zero groups becomes "::", the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The canonical text of an address given as text (undefined when it is none). */
export function canonicalIP(text: string): string | undefined {
  const ip = parseIP(text);
  return ip ? formatIP(ip.family, ip.value) : undefined;
}

/**
 * calculateRangeOffset (KEP-3070): min(max(16, size/16), 256) addresses at the bottom of the range
 * are preferred for static IPs; ranges of 16 addresses or fewer are not divided.
 */
export function rangeOffsetFor(cidrSize: bigint): number {
  const min = 16n;
  const max = 256n;
  if (cidrSize <= min) return 0;
  const offset = cidrSize / 16n;
  if (offset < min) return Number(min);
  if (offset > max) return Number(max);
  return Number(offset);
}

/** Parses a --service-cluster-ip-range entry; throws an Error naming what is wrong. */
export function parseServiceCIDR(text: string): ServiceCIDR {
  const slash = text.indexOf('/');
  const ip = slash > 0 ? parseIP(text.slice(0, slash)) : undefined;
  const bitsText = slash > 0 ? text.slice(slash + 1) : '';
  if (!ip || !/^\d{1,3}$/.test(bitsText)) throw new Error(`invalid CIDR address: ${text}`);
  const width = addressBits(ip.family);
  const bits = Number(bitsText);
  if (bits > width) throw new Error(`invalid CIDR address: ${text}`);
  if (ip.family === 'IPv6' && bits < 64) throw new Error(`shortest allowed prefix length for service CIDR is 64, got ${bits}`);
  const hostBits = BigInt(width - bits);
  const network = (ip.value >> hostBits) << hostBits;
  const broadcast = network + (1n << hostBits) - 1n;
  const first = network + 1n;
  // IPv4 keeps its broadcast address out; IPv6 has none.
  const last = ip.family === 'IPv4' ? broadcast - 1n : broadcast;
  const size = last >= first ? last - first + 1n : 0n;
  const rangeOffset = rangeOffsetFor(1n << hostBits);
  return {
    text: `${formatIP(ip.family, network)}/${bits}`,
    family: ip.family,
    bits,
    network,
    first,
    last,
    offsetAddress: first + BigInt(rangeOffset),
    rangeOffset,
    size,
  };
}

/** Whether the prefix holds the address at all (network and broadcast addresses included). */
export function prefixContains(cidr: ServiceCIDR, family: IPFamily, value: bigint): boolean {
  if (family !== cidr.family) return false;
  const hostBits = BigInt(addressBits(family) - cidr.bits);
  return value >> hostBits === cidr.network >> hostBits;
}

/** Whether the address is one the range hands out (first..last). */
export function cidrContains(cidr: ServiceCIDR, value: bigint): boolean {
  return value >= cidr.first && value <= cidr.last;
}

/**
 * ipIterator: every address of first..last exactly once, starting at first + offset and wrapping
 * around to first after last.
 */
export function* addressesFrom(first: bigint, last: bigint, offset: bigint): Generator<bigint> {
  if (last < first) return;
  const count = last - first + 1n;
  const start = offset % count;
  for (let i = 0n; i < count; i++) yield first + ((start + i) % count);
}

/** A uniformly random bigint in [0, n). */
export function randomBelow(n: bigint, random: () => number = Math.random): bigint {
  if (n <= 0n) return 0n;
  if (n <= BigInt(Number.MAX_SAFE_INTEGER)) return BigInt(Math.floor(random() * Number(n)));
  let value = 0n;
  for (let i = 0; i < 8; i++) value = (value << 16n) | BigInt(Math.floor(random() * 65536));
  return value % n;
}

/** Parses --service-cluster-ip-range the way kube-apiserver's options validation does. */
export function parseServiceClusterIPRange(text: string): ServiceCIDR[] {
  const entries = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0 || entries.length > 2) throw new Error('--service-cluster-ip-range must contain one or two CIDRs');
  const cidrs = entries.map(parseServiceCIDR);
  if (cidrs.length === 2 && cidrs[0]!.family === cidrs[1]!.family) {
    throw new Error('--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family');
  }
  return cidrs;
}
