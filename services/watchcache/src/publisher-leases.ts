// Which watchcache replica publishes each resource's events: one lease per resource, kept in
// the KV (outside /registry/) and taken with compare-and-swap writes, with client-go's
// leader-election rules (tools/leaderelection): a record that has not changed for the lease
// duration on the observer's own clock is expired and may be taken over; the holder renews well
// before that, and stops publishing once it could not renew within the renew deadline, so two
// replicas never both believe they hold a lease for long. (Should they overlap, receivers drop
// the duplicates by revision; should nobody publish for a moment, receivers repair the gap from
// a cache ring once a publisher speaks again. Election is about efficiency, ordering is the
// chain's job.)

import type { KV } from '@kapi/kv';
import { prefixEnd } from '@kapi/kv';

export const PUBLISHER_LEASE_PREFIX = '/kapi/watchcache/publishers/';

export interface PublisherLeaseOptions {
  kv: KV;
  identity: string;
  /** Lease ids (one per resource: `<group>/<resource>`). */
  ids: readonly string[];
  /** Default 15 s (client-go's LeaseDuration). */
  leaseDurationMs?: number;
  /** The holder gives up publishing when it could not renew for this long (default 10 s). */
  renewDeadlineMs?: number;
  /** How often leases are checked and expired ones tried (default 2 s, client-go's RetryPeriod). */
  retryPeriodMs?: number;
  /** How often a held lease is renewed (default 5 s). */
  renewIntervalMs?: number;
  /** Called when this replica starts holding a lease. */
  onAcquired?: (id: string) => void;
  now?: () => number;
}

interface LeaseRecord {
  holderIdentity: string;
  leaseDurationMs: number;
  acquireTime: string;
  renewTime: string;
}

interface Observation {
  modRevision: number;
  holder: string;
  observedAt: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class PublisherLeases {
  private readonly kv: KV;
  private readonly identity: string;
  private readonly ids: readonly string[];
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly renewIntervalMs: number;
  private readonly onAcquired: (id: string) => void;
  private readonly now: () => number;
  private readonly observed = new Map<string, Observation>();
  /** id -> local time of the last successful acquire or renew. */
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(opts: PublisherLeaseOptions) {
    this.kv = opts.kv;
    this.identity = opts.identity;
    this.ids = opts.ids;
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.renewIntervalMs = opts.renewIntervalMs ?? 5_000;
    this.onAcquired = opts.onAcquired ?? (() => undefined);
    this.now = opts.now ?? Date.now;
  }

  private key(id: string): string {
    return `${PUBLISHER_LEASE_PREFIX}${id}`;
  }

  /** Whether this replica publishes `id` now: it holds the lease and renewed it recently. */
  holds(id: string): boolean {
    const renewed = this.held.get(id);
    return renewed !== undefined && this.now() - renewed < this.renewDeadlineMs;
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch(() => undefined)
        .then(() => {
          if (!this.stopped) {
            this.timer = setTimeout(loop, this.retryPeriodMs);
            this.timer.unref();
          }
        });
    };
    loop();
  }

  /** One round: read every lease record, renew ours, take over expired or missing ones. */
  async tick(): Promise<void> {
    const range = await this.kv.range(PUBLISHER_LEASE_PREFIX, { end: prefixEnd(PUBLISHER_LEASE_PREFIX) });
    const records = new Map(range.kvs.map((kv) => [kv.key, kv]));
    const now = this.now();
    for (const id of this.ids) {
      if (this.stopped) return;
      const key = this.key(id);
      const current = records.get(key);
      if (!current) {
        const result = await this.kv.create(key, this.record(now, now));
        if (result.succeeded) {
          this.observed.set(id, { modRevision: result.revision, holder: this.identity, observedAt: now });
          this.acquired(id, now);
        } else {
          this.held.delete(id);
        }
        continue;
      }
      let record: LeaseRecord | undefined;
      try {
        record = JSON.parse(dec.decode(current.value)) as LeaseRecord;
      } catch {
        record = undefined;
      }
      const seen = this.observed.get(id);
      if (!seen || seen.modRevision !== current.modRevision) {
        this.observed.set(id, { modRevision: current.modRevision, holder: record?.holderIdentity ?? '', observedAt: now });
      }
      if (record?.holderIdentity === this.identity) {
        // Ours: renew (keeping the acquire time) once renewIntervalMs has passed.
        const last = this.held.get(id);
        if (last !== undefined && now - last < this.renewIntervalMs) continue;
        const result = await this.kv.update(key, this.record(Date.parse(record.acquireTime) || now, now), current.modRevision);
        if (result.succeeded) {
          const wasHeld = this.held.has(id);
          this.held.set(id, now);
          this.observed.set(id, { modRevision: result.revision, holder: this.identity, observedAt: now });
          if (!wasHeld) this.onAcquired(id);
        } else {
          this.held.delete(id);
        }
        continue;
      }
      this.held.delete(id);
      const observation = this.observed.get(id)!;
      const duration = record?.leaseDurationMs ?? this.leaseDurationMs;
      if (now - observation.observedAt < duration) continue;
      // Expired on our clock: take it over, unless someone wrote it in the meantime.
      const result = await this.kv.update(key, this.record(now, now), current.modRevision);
      if (result.succeeded) {
        this.observed.set(id, { modRevision: result.revision, holder: this.identity, observedAt: now });
        this.acquired(id, now);
      }
    }
  }

  private acquired(id: string, now: number): void {
    this.held.set(id, now);
    this.onAcquired(id);
  }

  private record(acquiredAt: number, renewedAt: number): Uint8Array {
    const record: LeaseRecord = {
      holderIdentity: this.identity,
      leaseDurationMs: this.leaseDurationMs,
      acquireTime: new Date(acquiredAt).toISOString(),
      renewTime: new Date(renewedAt).toISOString(),
    };
    return enc.encode(JSON.stringify(record));
  }

  /** Stops, and releases held leases (deletes them) so that another replica takes over now
   * rather than after the lease duration (client-go's ReleaseOnCancel). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    const held = [...this.held.keys()];
    this.held.clear();
    await Promise.all(
      held.map(async (id) => {
        const obs = this.observed.get(id);
        if (obs?.holder === this.identity) await this.kv.delete(this.key(id), obs.modRevision).catch(() => undefined);
      }),
    );
  }
}
