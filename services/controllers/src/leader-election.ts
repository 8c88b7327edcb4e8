// Leader election with a coordination.k8s.io/v1 Lease, with client-go's leaderelection rules:
//   - a candidate takes the lease only when its holder has not changed the record for
//     leaseDuration, measured on the candidate's own clock from when it last saw the record
//     change (never from the renewTime written by another host's clock);
//   - the holder renews every retryPeriod and stops leading once it has not renewed for
//     renewDeadline (< leaseDuration), so it has given up before anyone may take over;
//   - every attempt's RPCs get only the time left before that deadline;
//   - every write is resourceVersion-checked, so two candidates can never both win a round;
//   - stop() releases the lease (empty holder) so a standby takes over without waiting.

import { type KubeObject, isStatusError } from '@kapi/apimachinery';
import type { ApiClient, ResourceAddress } from './api-client.js';

export interface LeaderElectionOptions {
  client: ApiClient;
  namespace: string;
  name: string;
  identity: string;
  /** How long a standby waits, after the record last changed, before taking the lease (15 s). */
  leaseDurationSeconds?: number;
  /** How long the holder keeps leading without a successful renewal (10 s). */
  renewDeadlineMs?: number;
  /** How often the holder renews and a standby retries (2 s). */
  retryPeriodMs?: number;
  /** The clock (tests move it). */
  now?: () => number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

export interface LeaderElector {
  isLeader(): boolean;
  stop(): Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Standby attempts are not racing a deadline; they still must not hang the loop. */
const STANDBY_RPC_TIMEOUT_MS = 5_000;

export function startLeaderElection(opts: LeaderElectionOptions): LeaderElector {
  const leaseMs = (opts.leaseDurationSeconds ?? 15) * 1000;
  const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
  const retryMs = opts.retryPeriodMs ?? 2_000;
  if (!(renewDeadlineMs < leaseMs && retryMs < renewDeadlineMs)) {
    throw new RangeError('leader election needs retryPeriod < renewDeadline < leaseDuration');
  }
  const now = opts.now ?? Date.now;
  const address: ResourceAddress = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: opts.namespace };

  let leader = false;
  let lastRenew = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  /** The lease as last seen, and when (our clock) it was first seen in that state. */
  let observed: { resourceVersion: string; lease: KubeObject } | undefined;
  let observedAt = 0;

  const leading = (): boolean => leader && now() - lastRenew < renewDeadlineMs;

  const setLeader = (value: boolean): void => {
    if (value === leader) return;
    leader = value;
    if (value) opts.onStartedLeading();
    else opts.onStoppedLeading();
  };

  const observe = (lease: KubeObject): void => {
    const resourceVersion = lease.metadata?.resourceVersion ?? '';
    if (observed?.resourceVersion !== resourceVersion) observedAt = now();
    observed = { resourceVersion, lease };
  };

  /** One round; resolves true when we hold the lease afterwards. */
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const timeout = leader ? Math.max(1, renewDeadlineMs - (now() - lastRenew)) : STANDBY_RPC_TIMEOUT_MS;
    let lease: KubeObject | undefined;
    try {
      lease = await opts.client.get({ ...address, name: opts.name }, timeout);
    } catch (err) {
      if (!isStatusError(err) || err.code !== 404) throw err;
    }
    const t = now();
    if (!lease) {
      const spec: LeaseSpec = { holderIdentity: opts.identity, leaseDurationSeconds: leaseMs / 1000, acquireTime: microTime(t), renewTime: microTime(t), leaseTransitions: 0 };
      const created = await opts.client.create(
        address,
        { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: opts.name, namespace: opts.namespace }, spec },
        timeout,
      );
      observe(created);
      return true;
    }
    observe(lease);
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const mine = spec.holderIdentity === opts.identity;
    const held = !!spec.holderIdentity && observedAt + (spec.leaseDurationSeconds ?? leaseMs / 1000) * 1000 > t;
    if (!mine && held) return false;
    const next: LeaseSpec = { ...spec, holderIdentity: opts.identity, leaseDurationSeconds: leaseMs / 1000, renewTime: microTime(t) };
    if (!mine) {
      next.acquireTime = microTime(t);
      next.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    // The stored resourceVersion makes this a compare-and-swap: a rival's write fails ours (409).
    const updated = await opts.client.update({ ...address, name: opts.name }, { ...lease, spec: next }, timeout);
    observe(updated);
    return true;
  };

  const round = async (): Promise<void> => {
    try {
      if (await tryAcquireOrRenew()) {
        lastRenew = now();
        setLeader(true);
        return;
      }
      setLeader(false);
    } catch {
      // A lost race, an unreachable storage or a timeout: keep leading only until the deadline.
    }
    if (leader && !leading()) setLeader(false);
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(schedule);
    }, retryMs);
  };
  running = round().finally(schedule);

  const release = async (): Promise<void> => {
    if (!leading() || !observed) return;
    const spec = (observed.lease.spec ?? {}) as LeaseSpec;
    if (spec.holderIdentity !== opts.identity) return;
    try {
      await opts.client.update(
        { ...address, name: opts.name },
        { ...observed.lease, spec: { ...spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now()) } },
        Math.max(1, renewDeadlineMs - (now() - lastRenew)),
      );
    } catch {
      // Someone else changed it, or storage is gone: the lease then expires on its own.
    }
  };

  return {
    isLeader: leading,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await release();
      setLeader(false);
    },
  };
}
