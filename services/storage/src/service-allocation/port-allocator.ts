// Service node port allocation as kube 1.36 does it (pkg/registry/core/service/portallocator over
// pkg/registry/core/service/allocator/storage): one bitmap of the --service-node-port-range,
// stored as a v1 RangeAllocation at /registry/ranges/servicenodeports and changed only by
// compare-and-swap, so storage replicas sharing one KV never hand out the same port. Each change
// is one read-modify-write of the bitmap; a lost race reruns it on the state that won.

import { type KV } from '@kapi/kv';

export const NODE_PORT_RANGE_KEY = '/registry/ranges/servicenodeports';
/** How often a bitmap write that keeps losing races is retried before giving up. */
const MAX_CAS_ATTEMPTS = 64;

/** The errors of kube's portallocator, with its texts. */
export class PortAllocationError extends Error {
  constructor(
    readonly reason: 'full' | 'allocated' | 'notInRange' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export interface PortRange {
  base: number;
  size: number;
}

/** net.PortRange String(): "30000-32767". */
export function portRangeText(range: PortRange): string {
  return range.size === 1 ? String(range.base) : `${range.base}-${range.base + range.size - 1}`;
}

/** utilnet.ParsePortRange: "30000-32767", "30000+2767" or a single port. */
export function parsePortRange(text: string): PortRange {
  const trimmed = text.trim();
  let match = /^(\d+)-(\d+)$/.exec(trimmed);
  let low: number;
  let high: number;
  if (match) {
    low = Number(match[1]);
    high = Number(match[2]);
  } else if ((match = /^(\d+)\+(\d+)$/.exec(trimmed))) {
    low = Number(match[1]);
    high = low + Number(match[2]);
  } else if (/^\d+$/.test(trimmed)) {
    low = high = Number(trimmed);
  } else {
    throw new Error(`unable to parse port range: ${text}`);
  }
  if (low > 65535 || high > 65535 || high < low) throw new Error(`range ${text} is not valid`);
  return { base: low, size: high - low + 1 };
}

/** portallocator calculateRangeOffset: min(max(16, size/32), 128) ports at the bottom of the
 * range are preferred for static node ports; ranges of 16 or fewer are not divided. */
export function portRangeOffset(size: number): number {
  if (size <= 16) return 0;
  const offset = Math.floor(size / 32);
  return Math.min(Math.max(offset, 16), 128);
}

/** The changes one operation makes to the bitmap (portallocator.PortAllocationOperation). */
export interface PortOperation {
  /** Reserves a specific port: notInRange or allocated errors. */
  allocate(port: number): void;
  /** Reserves a free port: random in the upper band, then the lower band; full error. */
  allocateNext(): number;
  /** Frees a port (one outside the range or not allocated is ignored). */
  release(port: number): void;
}

export interface NodePortAllocatorDeps {
  kv: KV;
  random?: () => number;
}

export interface Bitmap {
  bits: bigint;
  /** The KV modRevision of the stored RangeAllocation; 0 when none is stored yet. */
  modRevision: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class NodePortAllocator {
  private readonly kv: KV;
  private readonly random: () => number;
  readonly offset: number;

  constructor(
    readonly range: PortRange,
    deps: NodePortAllocatorDeps,
  ) {
    this.kv = deps.kv;
    this.random = deps.random ?? Math.random;
    this.offset = portRangeOffset(range.size);
  }

  get rangeText(): string {
    return portRangeText(this.range);
  }

  /**
   * Runs `change` against the current bitmap and stores the result with one compare-and-swap,
   * rerunning it on a lost race. Anything `change` throws aborts without a write. A dry run
   * checks explicit ports against the stored bitmap and answers placeholder ports for dynamic
   * ones (kube's dry-run operation answers 32769, 32770 ...) without writing anything.
   */
  async transact<T>(dryRun: boolean, change: (op: PortOperation) => T): Promise<T> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const bitmap = await this.read();
      const op = dryRun ? this.dryRunOperation(bitmap.bits) : this.operation(bitmap);
      const before = bitmap.bits;
      const result = change(op);
      if (dryRun || bitmap.bits === before) return result;
      if (await this.write(bitmap)) return result;
    }
    throw new PortAllocationError('conflict', 'the node port allocation kept changing; try again');
  }

  /** Whether a port is allocated (for tests and the repair loop). */
  async has(port: number): Promise<boolean> {
    const { bits } = await this.read();
    const index = port - this.range.base;
    return index >= 0 && index < this.range.size && ((bits >> BigInt(index)) & 1n) === 1n;
  }

  /** Every allocated port. */
  async allocated(): Promise<number[]> {
    const { bits } = await this.read();
    const ports: number[] = [];
    for (let i = 0; i < this.range.size; i++) if (((bits >> BigInt(i)) & 1n) === 1n) ports.push(this.range.base + i);
    return ports;
  }

  private operation(bitmap: Bitmap): PortOperation {
    const { base, size } = this.range;
    const isSet = (i: number): boolean => ((bitmap.bits >> BigInt(i)) & 1n) === 1n;
    const set = (i: number): void => {
      bitmap.bits |= 1n << BigInt(i);
    };
    const scan = (from: number, to: number): number | undefined => {
      const count = to - from;
      if (count <= 0) return undefined;
      const start = Math.floor(this.random() * count);
      for (let k = 0; k < count; k++) {
        const i = from + ((start + k) % count);
        if (!isSet(i)) return i;
      }
      return undefined;
    };
    return {
      allocate: (port) => {
        const i = port - base;
        if (i < 0 || i >= size) {
          throw new PortAllocationError('notInRange', `provided port is not in the valid range. The range of valid ports is ${this.rangeText}`);
        }
        if (isSet(i)) throw new PortAllocationError('allocated', 'provided port is already allocated');
        set(i);
      },
      allocateNext: () => {
        const i = scan(this.offset, size) ?? scan(0, this.offset);
        if (i === undefined) throw new PortAllocationError('full', 'range is full');
        set(i);
        return base + i;
      },
      release: (port) => {
        const i = port - base;
        if (i >= 0 && i < size) bitmap.bits &= ~(1n << BigInt(i));
      },
    };
  }

  /** portallocator's dry-run operation: explicit ports checked, dynamic ones made up. */
  private dryRunOperation(bits: bigint): PortOperation {
    const reserved: number[] = [];
    const has = (port: number): boolean => {
      const i = port - this.range.base;
      return i >= 0 && i < this.range.size && ((bits >> BigInt(i)) & 1n) === 1n;
    };
    return {
      allocate: (port) => {
        if (has(port) || reserved.includes(port)) throw new PortAllocationError('allocated', 'provided port is already allocated');
        reserved.push(port);
      },
      allocateNext: () => {
        const last = reserved.length === 0 ? 32768 : Math.max(...reserved);
        reserved.push(last + 1);
        return last + 1;
      },
      release: () => undefined,
    };
  }

  /** The stored bitmap and its revision (the repair loop's snapshot). */
  snapshot(): Promise<Bitmap> {
    return this.read();
  }

  /** Stores `bits` if the bitmap is still at `modRevision` (0: none stored); false on a lost race. */
  replace(bits: bigint, modRevision: number): Promise<boolean> {
    return this.write({ bits, modRevision });
  }

  private async read(): Promise<Bitmap> {
    const { kv } = await this.kv.get(NODE_PORT_RANGE_KEY);
    if (!kv) return { bits: 0n, modRevision: 0 };
    const stored = JSON.parse(decoder.decode(kv.value)) as { range?: string; data?: string };
    return { bits: bytesToBigInt(Buffer.from(stored.data ?? '', 'base64')), modRevision: kv.modRevision };
  }

  private async write(bitmap: Bitmap): Promise<boolean> {
    const value = encoder.encode(
      JSON.stringify({
        kind: 'RangeAllocation',
        apiVersion: 'v1',
        metadata: { creationTimestamp: null },
        range: this.rangeText,
        data: Buffer.from(bigIntToBytes(bitmap.bits)).toString('base64'),
      }),
    );
    const result = bitmap.modRevision === 0 ? await this.kv.create(NODE_PORT_RANGE_KEY, value) : await this.kv.update(NODE_PORT_RANGE_KEY, value, bitmap.modRevision);
    return result.succeeded;
  }
}

/** big.Int.SetBytes: big-endian. */
function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/** big.Int.Bytes: big-endian, no leading zero bytes (empty for zero). */
function bigIntToBytes(value: bigint): Uint8Array {
  const out: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn));
  return Uint8Array.from(out);
}
